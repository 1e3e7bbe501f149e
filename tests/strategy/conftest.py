"""Strategy fixtures: a cycle, a small cascade with a reporting line, and a KPI."""

import pytest

from cxalign.orgs.roles import Role
from kpis.models import KPI
from strategy.models import Goal
from tests.factories import CycleFactory, GoalFactory, MembershipFactory, OrgUnitFactory


@pytest.fixture
def cycle(org):
    return CycleFactory(organization=org, name="FY2026")


@pytest.fixture
def nps(org):
    return KPI.objects.get(organization=org, key="nps")


@pytest.fixture
def line(org, executive):
    """A reporting line: executive <- head (manager) <- lead (manager); plus a peer manager."""
    service = OrgUnitFactory(organization=org, name="Service")
    desk = OrgUnitFactory(organization=org, name="Desk", parent=service)
    head = MembershipFactory(
        organization=org, role=Role.MANAGER, unit=service, reports_to=executive,
        user__username="t_head",
    )  # fmt: skip
    lead = MembershipFactory(
        organization=org, role=Role.MANAGER, unit=desk, reports_to=head, user__username="t_lead"
    )
    peer = MembershipFactory(organization=org, role=Role.MANAGER, user__username="t_peer")
    return {"service": service, "desk": desk, "head": head, "lead": lead, "peer": peer}


@pytest.fixture
def cascade(org, cycle, executive, line):
    """corp (exec, roll-up) <- svc (head, weight 3) <- desk (lead); corp <- other (peer)."""
    corp = GoalFactory(
        cycle=cycle, key="CORP", owner=executive, measure=Goal.Measure.ROLLUP, parent=None
    )
    svc = GoalFactory(
        cycle=cycle, key="SVC", parent=corp, owner=line["head"], org_unit=line["service"],
        weight=3,
    )  # fmt: skip
    desk = GoalFactory(
        cycle=cycle, key="DESK", parent=svc, owner=line["lead"], org_unit=line["desk"]
    )
    other = GoalFactory(cycle=cycle, key="OTHER", parent=corp, owner=line["peer"], weight=1)
    return {"corp": corp, "svc": svc, "desk": desk, "other": other}
