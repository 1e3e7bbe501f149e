"""Strategy fixtures: a cycle, a small cascade with a reporting line, a KPI, the people a goals
file names, and goals of mixed status and confidence for the cascade's tiles."""

from decimal import Decimal

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


@pytest.fixture
def people(executive, line, viewer):
    return {"exec": executive.user.username, "head": line["head"].user.username,
            "viewer": viewer.user.username}  # fmt: skip


@pytest.fixture
def mixed(cycle, executive, line):
    """Corporate goals with progress of their own, and goals in every status and confidence."""
    corp = [
        GoalFactory(cycle=cycle, key=f"C{i}", owner=executive, progress=Decimal(p),
                    confidence="on_track")
        for i, p in enumerate(["0.3000", "0.6500", "0.1234"])
    ]  # fmt: skip
    GoalFactory(cycle=cycle, key="C-DROPPED", status="dropped", progress=Decimal("0.9"))
    specs = [
        ("ON", "active", "on_track"), ("RISK", "active", "at_risk"),
        ("OFF", "active", "off_track"), ("NONE1", "active", ""), ("NONE2", "active", ""),
        ("DONE", "achieved", "at_risk"), ("MISS", "missed", "off_track"),
        ("DROP", "dropped", ""), ("DONE-NONE", "achieved", ""),
    ]  # fmt: skip
    for key, status, confidence in specs:
        GoalFactory(cycle=cycle, key=key, parent=corp[0], owner=line["lead"], status=status,
                    confidence=confidence, org_unit=line["desk"])  # fmt: skip
    return corp
