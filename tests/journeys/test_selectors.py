"""Reads of the journeys app (journeys/selectors.py). The silo signals have one implementation:
the overview page, the API `signals/` action and the board agree, on counts worked out by hand;
the emotion sparkline."""

import pytest

from journeys import selectors, services
from tests.factories import (
    AudienceFactory,
    CycleFactory,
    GoalFactory,
    JourneyFactory,
    OrgUnitFactory,
    StageFactory,
    TouchpointFactory,
)
from tests.factories import TouchpointFactory as TP
from tests.journeys.conftest import api

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_journeys(org, journey, stages):
    """`journey`: 2 unowned, 2 fields asked twice, 1 unlinked moment; `calm`: no signal."""
    unit = OrgUnitFactory(organization=org)
    TP(stage=stages[0], name="Form", owner=None, data_fields=["Email", "VAT number"])
    TP(stage=stages[1], name="Call", owner=unit, data_fields=["email "], moment_that_matters=True)
    TP(stage=stages[2], name="Chat", owner=None, data_fields=["vat number", "phone"])
    linked = TP(stage=stages[2], name="Visit", owner=unit, moment_that_matters=True)
    linked.goals.add(GoalFactory(cycle=CycleFactory(organization=org)))
    gone = TP(stage=stages[2], name="Gone", owner=None, data_fields=["phone"])
    services.touchpoint_delete(touchpoint=gone)  # soft-deleted: no longer a signal
    calm = JourneyFactory(audience=AudienceFactory(organization=org, name="Partners"))
    TP(stage=StageFactory(journey=calm, name="Only"), owner=unit, data_fields=["email"])
    AudienceFactory(organization=org, name="Nobody mapped us")
    return journey, calm


def test_page_api_and_board_agree(client, as_user, viewer, org, two_journeys):
    journey, calm = two_journeys
    expected = {
        journey.pk: {"unowned": 2, "duplicate_data": 2, "unlinked_moments": 1, "count": 5},
        calm.pk: {"unowned": 0, "duplicate_data": 0, "unlinked_moments": 0, "count": 0},
    }
    from_api = {
        j.pk: as_user(viewer).get(api(org, f"journeys/{j.pk}/signals/")).json()
        for j in (journey, calm)
    }
    assert {pk: selectors.signal_counts(s) for pk, s in from_api.items()} == expected
    assert [d["field"] for d in from_api[journey.pk]["duplicate_data"]] == ["email", "vat number"]
    assert [r["name"] for r in from_api[journey.pk]["unowned"]] == ["Form", "Chat"]
    assert from_api[journey.pk]["unlinked_moments"] == [{"id": from_api[journey.pk][
        "unlinked_moments"][0]["id"], "name": "Call", "stage": "S1"}]  # fmt: skip
    board = selectors.journey_board(journey=journey)["signals"]
    assert board == from_api[journey.pk]

    client.force_login(viewer.user)
    page = client.get(f"/o/{org.slug}/journeys/")
    assert page.status_code == 200
    shown = {
        j.pk: j.signals
        for group in page.context["groups"]
        for _, journeys in group["audiences"]
        for j in journeys
    }
    assert shown == expected
    assert [a.name for a in page.context["audiences_without"]] == ["Nobody mapped us"]
    assert page.context["signal_total"] == 5 + 1
    body = page.content.decode()
    assert "2 without owner" in body and "2 data fields asked twice" in body
    assert "1 moment with no goal or initiative" in body


def test_organization_signals_queries_do_not_grow(org, two_journeys, django_assert_num_queries):
    with django_assert_num_queries(4):  # audiences, touchpoints + stages, goals, initiatives
        small = selectors.organization_signals(organization=org)
    journey, _ = two_journeys
    for i in range(20):
        TP(stage=journey.stages.first(), owner=None, data_fields=[f"f{i % 3}"])
    with django_assert_num_queries(4):
        big = selectors.organization_signals(organization=org)
    assert big["journeys"][journey.pk]["unowned"] == small["journeys"][journey.pk]["unowned"] + 20


def test_signals_unowned_duplicate_data_and_unlinked_moments(org, journey, stages):
    unit = OrgUnitFactory(organization=org)
    TouchpointFactory(stage=stages[0], name="Form", owner=None, data_fields=["email", "vat number"])
    TouchpointFactory(
        stage=stages[1], name="Call", owner=unit, data_fields=["Email"], moment_that_matters=True
    )
    TouchpointFactory(stage=stages[2], name="Visit", owner=unit, data_fields=["phone"])
    board = selectors.journey_board(journey=journey)
    signals = board["signals"]
    assert [r["name"] for r in signals["unowned"]] == ["Form"]
    assert [d["field"] for d in signals["duplicate_data"]] == ["email"]
    assert [r["name"] for r in signals["unlinked_moments"]] == ["Call"]
    org_signals = selectors.organization_signals(organization=org)["journeys"][journey.pk]
    assert (
        org_signals["unowned"],
        org_signals["duplicate_data"],
        org_signals["unlinked_moments"],
    ) == (1, 1, 1)


def test_a_linked_moment_is_not_a_signal(org, journey, stages):
    from tests.factories import CycleFactory, GoalFactory

    unit = OrgUnitFactory(organization=org)
    tp = TouchpointFactory(stage=stages[0], moment_that_matters=True, owner=unit)
    assert selectors.journey_board(journey=journey)["signals"]["unlinked_moments"]
    tp.goals.add(GoalFactory(cycle=CycleFactory(organization=org)))
    assert selectors.journey_board(journey=journey)["signals"]["unlinked_moments"] == []
    assert (
        selectors.organization_signals(organization=org)["journeys"][journey.pk]["unlinked_moments"]
        == 0
    )


def test_audience_without_journey_is_a_signal(org, audience):
    lonely = AudienceFactory(organization=org, name="Lonely")
    JourneyFactory(audience=audience)
    assert list(selectors.audiences_without_journey(organization=org)) == [lonely]


def test_sparkline_scales_emotions_and_needs_two_points():
    assert selectors.sparkline([1]) is None
    assert selectors.sparkline([None, 2, None]) is None
    spark = selectors.sparkline([-2, None, 2], width=100, height=28)
    assert spark["points"] == "0.0,25.0 100.0,3.0"
