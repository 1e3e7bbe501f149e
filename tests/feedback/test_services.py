"""Responses naming a touchpoint no journey has: kept by name, counted, linked later."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from feedback import services
from feedback.models import Response
from journeys import services as journey_services
from journeys.models import Touchpoint
from tests.factories import StageFactory, TouchpointFactory

pytestmark = pytest.mark.django_db

TEXT = "Response ID,NPS,Touchpoint\nR1,9,Checkout\nR2,3,Chatbot\nR3,2, chatbot \nR4,5,Kiosk\n"


def previewed(org, cx_lead, capture):
    source = services.source_get_or_create(organization=org, name="Survey")
    batch = services.import_batch_upload(
        organization=org,
        created_by=cx_lead,
        uploaded_file=SimpleUploadedFile("f.csv", TEXT.encode()),
        source=source,
    )
    with capture(execute=True):
        services.import_batch_preview(batch=batch, mapping=batch.column_mapping)
    batch.refresh_from_db()
    return batch


def test_unknown_touchpoints_import_and_are_counted_on_page_and_api(
    org, cx_lead, client, as_user, django_capture_on_commit_callbacks
):
    checkout = TouchpointFactory(stage=StageFactory(journey__audience__organization=org))
    Touchpoint.objects.filter(pk=checkout.pk).update(name="Checkout")
    batch = previewed(org, cx_lead, django_capture_on_commit_callbacks)
    assert (batch.rows_new, batch.rows_rejected) == (4, 0)
    assert batch.unknown_touchpoints == {"count": 3, "examples": ["Chatbot", "chatbot", "Kiosk"]}
    detail = as_user(cx_lead).get(f"/api/v1/orgs/{org.slug}/feedback/imports/{batch.pk}/")
    assert detail.json()["unknown_touchpoints"]["count"] == 3
    client.force_login(cx_lead.user)
    page = client.get(f"/o/{org.slug}/feedback/imports/{batch.pk}/").content.decode()
    assert "3 rows name a touchpoint no journey has yet" in page and "“Kiosk”" in page
    with django_capture_on_commit_callbacks(execute=True):
        services.import_batch_commit(batch=batch)
    stored = {r.response_id: (r.touchpoint_name, r.touchpoint_id) for r in Response.objects.all()}
    assert stored == {
        "R1": ("Checkout", checkout.pk),
        "R2": ("Chatbot", None),
        "R3": ("chatbot", None),
        "R4": ("Kiosk", None),
    }


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
