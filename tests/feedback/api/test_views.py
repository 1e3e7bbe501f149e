"""The feedback API (feedback/api/views.py): scoping, roles, query counts, themes, imports,
follow-ups."""

import pytest

from feedback import services
from feedback.models import ImportBatch, Response
from tests.feedback.conftest import api
from tests.feedback.imports.uploads import (
    CAPTURE,
    upload,
)
from tests.feedback.responses import make_responses

pytestmark = pytest.mark.django_db


def test_api_preview_reads_the_file_again_in_the_encoding_given(as_user, org, cx_lead):
    batch = upload(org, cx_lead, "Kunde,NPS\nMüller,9\n".replace("Kunde", "Kündin"))
    ImportBatch.objects.filter(pk=batch.pk).update(status="uploaded")
    client = as_user(cx_lead)
    url = f"/api/v1/orgs/{org.slug}/feedback/imports/{batch.pk}/preview/"
    bad = client.post(url, {"column_mapping": {"nps": "NPS"}, "encoding": "klingon"}, format="json")
    assert bad.status_code == 400 and "klingon" in str(bad.json())
    with CAPTURE["fn"](execute=True):
        body = {"column_mapping": {"nps": "NPS", "customer_id": "Kündin"}, "encoding": "cp1252"}
        done = client.post(url, body, format="json")
    assert done.status_code == 202, done.json()
    batch.refresh_from_db()
    assert batch.file_format == "CSV, cp1252, comma-delimited"
    assert batch.column_mapping["customer_id"] == "KÃ¼ndin"  # the same column, read as asked


@pytest.mark.parametrize("rest", ["responses/", "imports/", "themes/", "sources/", "customers/"])
def test_api_outsider_404(as_user, outsider, org, rest):
    assert as_user(outsider).get(api(org, rest)).status_code == 404


@pytest.mark.parametrize("rest", ["responses/", "imports/", "themes/", "sources/", "customers/"])
def test_api_list_queries_do_not_grow(as_user, viewer, org, rest, django_assert_max_num_queries):
    make_responses(org, 3)
    client = as_user(viewer)
    with django_assert_max_num_queries(12):
        assert client.get(api(org, rest)).status_code == 200
    make_responses(org, 100, start=3)
    with django_assert_max_num_queries(12):
        client.get(api(org, rest))


def test_api_viewer_cannot_create_theme(as_user, viewer, org):
    assert as_user(viewer).post(api(org, "themes/"), {"name": "X"}).status_code == 403


def test_api_cx_lead_creates_theme_and_rule(as_user, cx_lead, org):
    client = as_user(cx_lead)
    created = client.post(api(org, "themes/"), {"name": "Delivery", "business_need": "On time"})
    assert created.status_code == 201, created.json()
    theme = created.json()
    stale = client.patch(api(org, f"themes/{theme['id']}/"), {"name": "D", "version": 99})
    assert stale.status_code == 409
    assert (
        client.post(api(org, f"themes/{theme['id']}/rules/"), {"pattern": "Late!"}).json()[
            "pattern"
        ]
        == "late"
    )


def test_api_upload_rejects_png(as_user, cx_lead, org):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = as_user(cx_lead).post(
        api(org, "imports/"),
        {"file": SimpleUploadedFile("x.csv", b"\x89PNG\r\n\x1a\n"), "source": "S"},
        format="multipart",
    )
    assert response.status_code == 400
    assert "PNG" in str(response.json())


def test_api_import_flow_upload_check_commit(
    as_user, cx_lead, org, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = as_user(cx_lead)
    text = b"Response ID,NPS,Comment\nR1,9,good\nR2,11,bad score\nR3,3,late\n"
    created = client.post(
        api(org, "imports/"),
        {"file": SimpleUploadedFile("f.csv", text), "source": "API survey"},
        format="multipart",
    )
    assert created.status_code == 201, created.json()
    batch = created.json()
    assert batch["column_mapping"] == {
        "response_id": "Response ID",
        "nps": "NPS",
        "comment": "Comment",
    }
    with django_capture_on_commit_callbacks(execute=True):
        checked = client.post(
            api(org, f"imports/{batch['id']}/preview/"), {"column_mapping": batch["column_mapping"]}
        )
    assert checked.status_code == 202
    detail = client.get(api(org, f"imports/{batch['id']}/")).json()
    assert (detail["status"], detail["rows_new"], detail["rows_rejected"]) == ("previewed", 2, 1)
    assert detail["errors"] == [
        {"row": 3, "column": "NPS", "message": "'11' is not a whole number from 0 to 10."}
    ]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(api(org, f"imports/{batch['id']}/commit/"), {"all_or_nothing": False})
    assert client.get(api(org, f"imports/{batch['id']}/")).json()["status"] == "succeeded"
    assert client.get(api(org, "responses/?band=detractor")).json()["count"] == 1


def test_api_viewer_cannot_upload(as_user, viewer, org):
    assert as_user(viewer).post(api(org, "imports/"), {}).status_code == 403


def test_api_followup_for_detractor(as_user, member, viewer, org):
    make_responses(org, 11)
    detractor = Response.objects.get(nps=2)
    url = api(org, f"responses/{detractor.pk}/followup/")
    assert as_user(viewer).post(url, {"status": "contacted"}).status_code == 403
    response = as_user(member).post(
        url, {"status": "contacted", "owner": member.pk, "note": "Called"}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "contacted"
    promoter = Response.objects.get(nps=9)
    assert (
        as_user(member)
        .post(api(org, f"responses/{promoter.pk}/followup/"), {"status": "open"})
        .status_code
        == 400
    )


def test_api_theme_delete_removes_its_tags(as_user, cx_lead, org):
    make_responses(org, 3)
    theme = services.theme_create(organization=org, data={"name": "C"}, patterns=["c"])
    services.themes_retag(organization=org)
    assert Response.objects.filter(theme_ids__has=theme.pk).count() == 3
    assert as_user(cx_lead).delete(api(org, f"themes/{theme.pk}/")).status_code == 204
    assert list(Response.objects.values_list("theme_ids", flat=True)) == [[], [], []]
