"""Writes of the feedback app (feedback/services.py): responses naming a touchpoint no journey
has are linked when it appears; only detractors are followed up."""

import pytest
from django.core.exceptions import ValidationError

from feedback import services
from feedback.models import Response
from journeys import services as journey_services
from journeys.models import Touchpoint
from tests.factories import StageFactory
from tests.feedback.imports.uploads import previewed
from tests.feedback.responses import make

pytestmark = pytest.mark.django_db


def test_touchpoint_created_or_renamed_later_takes_its_responses(
    org, other_org, cx_lead, django_capture_on_commit_callbacks
):
    batch = previewed(org, cx_lead, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.import_batch_commit(batch=batch)
    elsewhere = StageFactory(journey__audience__organization=other_org)
    journey_services.touchpoint_create(stage=elsewhere, name="Chatbot")
    assert not Response.objects.filter(touchpoint__isnull=False).exists()
    stage = StageFactory(journey__audience__organization=org)
    chatbot = journey_services.touchpoint_create(stage=stage, name="ChatBot")
    linked = Response.objects.filter(touchpoint=chatbot).values_list("response_id", flat=True)
    assert sorted(linked) == ["R2", "R3"]
    store = journey_services.touchpoint_create(stage=stage, name="Store")
    assert not Response.objects.filter(touchpoint=store).exists()
    store = Touchpoint.objects.get(pk=store.pk)
    journey_services.touchpoint_update(
        touchpoint=store, data={"name": "Kiosk"}, version=store.version
    )
    assert Response.objects.get(response_id="R4").touchpoint_id == store.pk
    assert Response.objects.get(response_id="R1").touchpoint_id is None


@pytest.mark.parametrize("score", [None, 7, 8, 9, 10])
def test_only_detractors_are_followed_up(org, member, score):
    make(org, [score])
    response = Response.objects.get(organization=org)
    with pytest.raises(ValidationError, match="Only detractors"):
        services.followup_save(response=response, by=member, owner=None, status="open", note="")
