"""Rules of journeys' services and selectors: signals, templates, copies, CSV, demo."""

import pytest
from django.core.exceptions import ValidationError

from cxalign.orgs.concurrency import VersionConflict
from journeys import selectors, services
from journeys.blueprints import BLUEPRINTS
from journeys.models import Journey, PainPoint, Stage, Touchpoint
from tests.factories import AudienceFactory, JourneyFactory, OrgUnitFactory, TouchpointFactory

pytestmark = pytest.mark.django_db


def test_every_board_write_advances_the_revision(journey, stages, card):
    start = Journey.objects.get(pk=journey.pk).revision
    services.touchpoint_update(touchpoint=card, data={"name": "x"}, version=1)
    services.touchpoint_move(touchpoint=card, stage=stages[1], after_id=None)
    services.touchpoint_delete(touchpoint=card)
    assert Journey.objects.get(pk=journey.pk).revision == start + 3


def test_a_conflict_writes_nothing_not_even_the_revision(journey, card):
    services.touchpoint_update(touchpoint=card, data={"name": "first"}, version=1)
    revision = Journey.objects.get(pk=journey.pk).revision
    stale = Touchpoint.objects.get(pk=card.pk)
    with pytest.raises(VersionConflict):
        services.touchpoint_update(touchpoint=stale, data={"name": "second"}, version=1)
    assert Touchpoint.objects.get(pk=card.pk).name == "first"
    assert Journey.objects.get(pk=journey.pk).revision == revision


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


def test_link_goals_through_the_api_and_refuse_another_orgs(as_user, member, org, outsider, card):
    from tests.factories import CycleFactory, GoalFactory
    from tests.journeys.conftest import api

    goal = GoalFactory(cycle=CycleFactory(organization=org))
    foreign = GoalFactory(cycle=CycleFactory(organization=outsider.organization))
    client = as_user(member)
    bad = client.patch(api(org, f"touchpoints/{card.pk}/"), {"goals": [foreign.pk], "version": 1})
    assert bad.status_code == 400 and "goals" in bad.json()
    ok = client.patch(api(org, f"touchpoints/{card.pk}/"), {"goals": [goal.pk], "version": 1})
    assert ok.status_code == 200, ok.json()
    assert ok.json()["goals"] == [goal.pk]
    assert list(goal.touchpoints.all()) == [card]


def test_audience_without_journey_is_a_signal(org, audience):
    lonely = AudienceFactory(organization=org, name="Lonely")
    JourneyFactory(audience=audience)
    assert list(selectors.audiences_without_journey(organization=org)) == [lonely]


@pytest.mark.parametrize("key", list(BLUEPRINTS))
def test_every_template_builds_a_journey(org, audience, key):
    journey = services.journey_from_template(organization=org, audience=audience, template=key)
    stages = list(Stage.objects.filter(journey=journey))
    assert len(stages) == len(BLUEPRINTS[key]["stages"])
    assert Touchpoint.objects.filter(journey=journey).count() == sum(
        len(s[4]) for s in BLUEPRINTS[key]["stages"]
    )
    assert [s.position for s in stages] == sorted(s.position for s in stages)


def test_unknown_template_is_a_clear_error(org, audience):
    with pytest.raises(ValidationError) as exc:
        services.journey_from_template(organization=org, audience=audience, template="nope")
    assert "template" in exc.value.message_dict


def test_copy_skips_deleted_cards(journey, stages, card):
    gone = TouchpointFactory(stage=stages[0], name="Gone")
    services.touchpoint_delete(touchpoint=gone)
    copy = services.journey_copy(journey=journey, name="Copy")
    assert list(Touchpoint.objects.filter(journey=copy).values_list("name", flat=True)) == [
        card.name
    ]


def test_move_to_a_deleted_stage_is_refused(journey, stages, card):
    services.stage_delete(stage=stages[1])
    stage = Stage.all_objects.get(pk=stages[1].pk)
    with pytest.raises(services.BoardChanged):
        services.touchpoint_move(touchpoint=card, stage=stage, after_id=None)


def test_stage_created_after_another_lands_between(journey, stages):
    new = services.stage_create(journey=journey, after=stages[0], name="Between")
    order = list(Stage.objects.filter(journey=journey).values_list("name", flat=True))
    assert order == [stages[0].name, "Between", stages[1].name, stages[2].name]
    assert new.position == 2 * services.GAP


def test_pain_point_must_sit_on_a_touchpoint_of_its_stage(stages, card):
    with pytest.raises(ValidationError) as exc:
        services.painpoint_create(stage=stages[1], touchpoint=card, text="Mismatch")
    assert "touchpoint" in exc.value.message_dict
    assert not PainPoint.objects.exists()


def test_data_fields_are_normalised_and_deduplicated(stages):
    tp = services.touchpoint_create(
        stage=stages[0], name="Form", data_fields=[" E-mail ", "e-mail", "VAT  Number", ""]
    )
    assert tp.data_fields == ["e-mail", "vat number"]


def test_delete_audience_with_journeys_is_refused(audience, journey):
    with pytest.raises(ValidationError):
        services.audience_delete(audience=audience)


def test_demo_loads_twice_without_creating_anything_the_second_time(db):
    from cxalign.orgs.demo import demo_load

    first = demo_load()
    assert first["journeys"]["touchpoints"] >= 40
    assert first["journeys"]["journeys"] == 5
    northwind = Journey.objects.filter(organization__slug="northwind")
    assert northwind.count() == 4
    assert {
        a.kind
        for a in northwind[0].audience.__class__.objects.filter(organization__slug="northwind")
    } == {"customer", "employee"}
    second = demo_load()
    assert second["journeys"] == {}


def test_sparkline_scales_emotions_and_needs_two_points():
    assert selectors.sparkline([1]) is None
    assert selectors.sparkline([None, 2, None]) is None
    spark = selectors.sparkline([-2, None, 2], width=100, height=28)
    assert spark["points"] == "0.0,25.0 100.0,3.0"


def test_inserting_a_stage_tells_other_editors_about_the_new_order(journey, stages):
    since = Journey.objects.get(pk=journey.pk).revision
    services.stage_create(journey=journey, after=stages[0], name="Between")
    changes = selectors.journey_changes(journey=journey, since=since)
    moved = {s["name"]: s["position"] for s in changes["stages"]}
    assert set(moved) == {stages[0].name, "Between", stages[1].name, stages[2].name}
