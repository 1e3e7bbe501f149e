"""The manager view: my goals, legs, owed check-ins, flags on me, my unit's touchpoints."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cxalign.orgs.roles import Role
from tests.factories import (
    FlagFactory,
    GoalFactory,
    MembershipFactory,
    OrgUnitFactory,
    RunFactory,
    TouchpointFactory,
)

pytestmark = pytest.mark.django_db


def _url(org):
    return f"/o/{org.slug}/alignment/me/"


@pytest.fixture
def mine(org, cycle):
    unit = OrgUnitFactory(organization=org, name="Logistics")
    other_unit = OrgUnitFactory(organization=org, name="Finance")
    boss = MembershipFactory(organization=org, role=Role.EXECUTIVE, user__first_name="Ceo")
    me = MembershipFactory(organization=org, role=Role.MANAGER, unit=unit, reports_to=boss,
                           user__first_name="Mia", user__last_name="Manager")  # fmt: skip
    corporate = GoalFactory(cycle=cycle, owner=boss, parent=None, title="Deliver on time")
    stale = GoalFactory(cycle=cycle, owner=me, parent=corporate, leg="financial",
                        title="Cut freight cost", progress=0.5,
                        last_checkin_at=timezone.now() - datetime.timedelta(days=45))  # fmt: skip
    GoalFactory(cycle=cycle, owner=me, parent=corporate, leg="people", title="Train drivers",
                progress=0.2, last_checkin_at=timezone.now())  # fmt: skip
    GoalFactory(cycle=cycle, owner=boss, parent=corporate, title="Not mine")
    tp = TouchpointFactory(organization=org, stage__journey__audience__organization=org,
                           owner=unit, name="Delivery slot booking")  # fmt: skip
    TouchpointFactory(organization=org, stage__journey__audience__organization=org,
                      owner=other_unit, name="Invoice")  # fmt: skip
    figures = {"Delivery slot booking": {
        "touchpoint_id": tp.id, "significant": True, "change_points": -21.5,
        "previous": {"nps": 12.0}, "current": {"nps": -9.5, "responses": 80,
                                               "adjusted_low": -20.0, "adjusted_high": 2.0}}}  # fmt: skip
    run = RunFactory(cycle=cycle, finished_at=timezone.now(), results={"touchpoints": figures})
    on_unit = FlagFactory(cycle=cycle, unit=unit, title="Logistics has no CX goal", severity="high")
    on_goal = FlagFactory(cycle=cycle, title="Freight goal contradicted", subjects=[
        {"type": "goal", "id": stale.id, "label": stale.title, "url": ""}])  # fmt: skip
    FlagFactory(cycle=cycle, unit=other_unit, title="Finance flag")
    FlagFactory(cycle=cycle, unit=unit, title="Resolved one", state="resolved")
    return {"me": me, "unit": unit, "stale": stale, "run": run, "on_unit": on_unit,
            "on_goal": on_goal, "corporate": corporate}  # fmt: skip


def test_manager_sees_what_they_own_and_owe(client, org, mine):
    client.force_login(mine["me"].user)
    response = client.get(_url(org))
    assert response.status_code == 200
    html = response.content.decode()
    ctx = response.context["overview"]
    assert [i["goal"].title for i in ctx["items"]] == ["Cut freight cost", "Train drivers"]
    assert "Not mine" not in html
    assert "Deliver on time" in html  # the goal they feed
    # Roll-up of the parent: mean of its children's progress (0.5, 0.2 and 0 for "Not mine").
    assert ctx["items"][0]["parent_progress"].effective == pytest.approx((0.5 + 0.2 + 0) / 3)
    assert [o.goal.title for o in ctx["owed"]] == ["Cut freight cost"]
    assert f'href="/o/{org.slug}/strategy/goals/{mine["stale"].id}/#checkin"' in html
    assert ctx["legs"]["cx_missing"] and 'data-testid="cx-missing"' in html
    assert {f.title for f in ctx["flags"]} == {
        "Logistics has no CX goal",
        "Freight goal contradicted",
    }
    assert "Finance flag" not in html and "Resolved one" not in html
    assert "Delivery slot booking" in html and "Invoice" not in html
    row = ctx["touchpoints"][0]
    assert (row["nps"], row["previous"], row["change"], row["significant"]) == (
        -9.5,
        12.0,
        -21.5,
        True,
    )
    assert "▼ −21.5" in html


def test_cx_goal_clears_the_leg_warning(client, org, cycle, mine):
    GoalFactory(cycle=cycle, owner=mine["me"], parent=mine["corporate"], leg="cx", title="Slots")
    client.force_login(mine["me"].user)
    response = client.get(_url(org))
    assert not response.context["overview"]["legs"]["cx_missing"]
    assert 'data-testid="cx-missing"' not in response.content.decode()


def test_viewer_reads_outsider_gets_404(client, org, viewer, outsider, mine):
    client.force_login(viewer.user)
    response = client.get(_url(org))
    assert response.status_code == 200
    assert response.context["overview"]["items"] == []
    client.force_login(outsider.user)
    assert client.get(_url(org)).status_code == 404
    client.force_login(mine["me"].user)
    assert client.get(_url(org) + "?cycle=abc").status_code == 404


def test_empty_organization_is_a_clear_page(client, viewer, org):
    client.force_login(viewer.user)
    response = client.get(_url(org))
    assert response.status_code == 200
    assert "No planning cycle yet" in response.content.decode()


def test_query_count_does_not_grow(client, org, cycle, mine):
    client.force_login(mine["me"].user)

    def grow(n):
        for _i in range(n):
            goal = GoalFactory(cycle=cycle, owner=mine["me"], parent=mine["corporate"],
                               last_checkin_at=timezone.now() - datetime.timedelta(days=60))  # fmt: skip
            FlagFactory(cycle=cycle, unit=mine["unit"])
            FlagFactory(cycle=cycle, subjects=[{"type": "goal", "id": goal.id, "label": "g"}])
            TouchpointFactory(organization=org, stage__journey__audience__organization=org,
                              owner=mine["unit"])  # fmt: skip

    grow(2)
    for _ in range(2):  # the first page records the visit, which reads the person anew once
        client.get(_url(org))
    with CaptureQueriesContext(connection) as small:
        client.get(_url(org))
    grow(20)
    with CaptureQueriesContext(connection) as large:
        response = client.get(_url(org))
    assert len(large) == len(small)
    assert len(response.context["overview"]["owed"]) == 23
    assert len(response.context["overview"]["flags"]) == 2 + 2 * 22
