"""Rules of journeys' services and selectors: signals, templates, copies, CSV, demo."""

import pytest
from django.core.exceptions import ValidationError

from cxalign.orgs.concurrency import VersionConflict
from journeys import selectors, services
from journeys.blueprints import BLUEPRINTS
from journeys.models import Journey, PainPoint, Stage, Touchpoint
from tests.factories import TouchpointFactory

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


def test_inserting_a_stage_tells_other_editors_about_the_new_order(journey, stages):
    since = Journey.objects.get(pk=journey.pk).revision
    services.stage_create(journey=journey, after=stages[0], name="Between")
    changes = selectors.journey_changes(journey=journey, since=since)
    moved = {s["name"]: s["position"] for s in changes["stages"]}
    assert set(moved) == {stages[0].name, "Between", stages[1].name, stages[2].name}


def test_the_service_guesses_and_an_edit_may_clear_it(stages):
    card = services.touchpoint_create(stage=stages[0], name="Phone call to confirm")
    assert card.channel == "phone"
    card = services.touchpoint_update(touchpoint=card, data={"channel": ""}, version=card.version)
    assert card.channel == ""
