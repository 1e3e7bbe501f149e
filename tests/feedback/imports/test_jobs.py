"""Running imports on PostgreSQL (feedback/imports/jobs.py): upload, check, commit and cancel,
idempotence, all or nothing, the task twice, unknown touchpoints, tidying the table after."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from cxalign.tabular.read import NUL_ROW
from feedback import services
from feedback.imports import jobs
from feedback.models import ImportBatch, Response, Theme
from feedback.tasks import import_batch_run
from journeys.models import Touchpoint
from tests.factories import StageFactory, TouchpointFactory
from tests.feedback.imports.uploads import (
    BAD,
    GOOD,
    committed,
    previewed,
    run_import,
    upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def theme(org):
    return services.theme_create(
        organization=org, data={"name": "Delivery"}, patterns=["delivery", "late"]
    )


def test_preview_writes_nothing_and_counts(org, cx_lead):
    batch = upload(org, cx_lead, BAD)
    committed(services.import_batch_preview, batch=batch, mapping=batch.column_mapping)
    batch.refresh_from_db()
    assert batch.status == "previewed"
    assert (batch.rows_new, batch.rows_rejected) == (3, 1)
    assert batch.errors[0] == {
        "row": 5,
        "column": "NPS",
        "message": "'11' is not a whole number from 0 to 10.",
    }
    assert not Response.objects.exists()


def test_import_tags_and_reimport_adds_no_duplicates(org, cx_lead, theme):
    first = run_import(org, cx_lead, GOOD)
    assert (first.status, first.rows_new) == ("succeeded", 3)
    assert Response.objects.filter(theme_ids__has=theme.id).count() == 2
    again = run_import(org, cx_lead, GOOD)
    assert (again.rows_new, again.rows_updated, again.rows_unchanged) == (0, 0, 3)
    overlap = run_import(
        org,
        cx_lead,
        GOOD.replace("R3,2024-03-03,7,ok", "R3,2024-03-03,8,late") + "R9,2024-03-09,10,x\n",
    )
    assert (overlap.rows_new, overlap.rows_updated, overlap.rows_unchanged) == (1, 1, 2)
    assert Response.objects.count() == 4
    assert Response.objects.filter(theme_ids__has=theme.id).count() == 3
    assert Response.objects.get(response_id="R3").nps == 8


def test_all_or_nothing_rolls_back_everything(org, cx_lead):
    batch = run_import(org, cx_lead, BAD, all_or_nothing=True)
    assert batch.status == "rejected"
    assert "nothing was imported" in batch.message
    assert batch.error_report
    assert not Response.objects.exists()


def test_skip_bad_rows_keeps_good_ones_and_reports_errors(org, cx_lead):
    batch = run_import(org, cx_lead, BAD)
    assert (batch.status, batch.rows_new, batch.rows_rejected) == ("succeeded", 3, 1)
    report = batch.error_report.read().decode()
    assert "row,column,value,message" in report and "11" in report


def test_task_called_twice_gives_one_result(org, cx_lead):
    batch = run_import(org, cx_lead, GOOD)
    assert import_batch_run.apply(args=[batch.id]).get() == "skipped"
    assert Response.objects.count() == 3


def test_retry_after_killed_worker_finishes_once(org, cx_lead):
    batch = upload(org, cx_lead, GOOD)
    ImportBatch.objects.filter(id=batch.id).update(
        status="running", attempts=1, column_mapping=batch.column_mapping
    )
    assert services.import_batch_process(batch_id=batch.id) == "succeeded"
    assert services.import_batch_process(batch_id=batch.id) == "skipped"
    assert Response.objects.count() == 3


def test_cancel_of_a_running_import_writes_nothing(org, cx_lead):
    from django.core.cache import cache

    batch = upload(org, cx_lead, GOOD)
    ImportBatch.objects.filter(id=batch.id).update(status="queued")
    cache.set(f"feedback:import:{batch.id}:cancel", True)
    assert services.import_batch_process(batch_id=batch.id) == "cancelled"
    assert not Response.objects.exists()
    cache.delete(f"feedback:import:{batch.id}:cancel")


def test_cancel_of_a_queued_import(org, cx_lead):
    batch = upload(org, cx_lead, GOOD)
    assert services.import_batch_cancel(batch=batch) == "cancelled"
    batch.refresh_from_db()
    assert batch.status == "cancelled"


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty"), (b"id,nps\n", "no rows"), (b"\x89PNG\r\n\x1a\n\x00\x00", "PNG")],
)
def test_bad_uploads_get_a_clear_message(org, cx_lead, content, message):
    src = services.source_get_or_create(organization=org, name="S")
    with pytest.raises(Exception, match=message):
        services.import_batch_upload(
            organization=org,
            created_by=cx_lead,
            uploaded_file=SimpleUploadedFile("x.csv", content),
            source=src,
        )
    assert not ImportBatch.objects.exists()


def test_upload_over_the_limit(org, cx_lead, settings):
    settings.UPLOAD_MAX_BYTES = 10
    with pytest.raises(Exception, match="the limit is"):
        upload(org, cx_lead, GOOD)


def test_retag_applies_new_rules_and_keeps_manual_tags(org, cx_lead, theme):
    run_import(org, cx_lead, GOOD)
    other = Theme.objects.create(organization=org, name="Staff")
    services.rule_add(theme=other, pattern="rude")
    manual = Theme.objects.create(organization=org, name="Manual")
    services.response_tag(response=Response.objects.get(response_id="R3"), theme=manual)
    services.themes_retag(organization=org)
    assert Response.objects.filter(theme_ids__has=other.id).count() == 1
    assert (
        Response.objects.filter(theme_ids__has=manual.id, manual_theme_ids__has=manual.id).count()
        == 1
    )


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_import_runs_on_a_real_worker(celery_worker, org, cx_lead):
    batch = upload(org, cx_lead, GOOD)
    services.import_batch_preview(batch=batch, mapping=batch.column_mapping)
    import time

    for _ in range(100):
        batch.refresh_from_db()
        if batch.status == "previewed":
            break
        time.sleep(0.1)
    services.import_batch_commit(batch=batch)
    for _ in range(100):
        batch.refresh_from_db()
        if batch.is_finished:
            break
        time.sleep(0.1)
    assert (batch.status, batch.rows_new) == ("succeeded", 3)
    assert Response.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_themes_stored_in_the_row_on_postgres(org, tmp_path):
    from tests.feedback.theme_flow import check_flow, run_flow

    check_flow(run_flow(org, tmp_path))


# ---------------------------------------------------------------- files built to hurt, odd files


def test_rows_holding_nul_are_rejected_with_a_message_not_a_database_error(org, cx_lead):
    filler = "".join(f"R{i},2024-03-01,9,fine\n" for i in range(400))  # past the sniffed start
    text = "Response ID,Date,NPS,Comment\n" + filler + "R-nul,2024-03-02,3,bro\x00ken\n"
    batch = run_import(org, cx_lead, text)
    assert (batch.status, batch.rows_new, batch.rows_rejected) == ("succeeded", 400, 1)
    assert batch.errors == [{"row": 402, "column": "", "message": NUL_ROW}]
    assert not Response.objects.filter(response_id="R-nul").exists()


def test_unclosed_quote_is_refused_at_upload_naming_its_row(org, cx_lead):
    text = 'Response ID,NPS,Comment\nR1,9,fine\nR2,3,"it swallows\nR3,7,the rows\nR4,8,after it\n'
    with pytest.raises(ValidationError, match='Row 3: a quote \\(\\"\\) opens in this row'):
        upload(org, cx_lead, text)
    assert not ImportBatch.objects.exists()


def test_unclosed_quote_late_in_a_large_file_fails_the_check_naming_its_row(org, cx_lead):
    filler = "".join(
        f"R{i},9,a comment long enough to fill the file {'x' * 60}\n" for i in range(3000)
    )
    text = "Response ID,NPS,Comment\n" + filler + 'R-open,3,"swallows\nR-lost,9,this row\n'
    batch = upload(org, cx_lead, text)  # the quote is past the sample read at upload
    committed(services.import_batch_preview, batch=batch, mapping=batch.column_mapping)
    batch.refresh_from_db()
    assert batch.status == "failed"
    assert batch.message.startswith('Row 3002: a quote (") opens in this row and is never closed')


def table_state(table: str) -> tuple[float, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples, relallvisible FROM pg_class WHERE relname = %s", [table])
        return cursor.fetchone()


@pytest.mark.django_db(transaction=True)
def test_a_large_import_vacuums_and_analyses_its_table(org, tmp_path, monkeypatch):
    monkeypatch.setattr(jobs, "TIDY_ROWS", 300)  # "large" for this test
    lines = ["response_id,responded_at,nps"] + [f"T{i},2026-03-01,{i % 11}" for i in range(400)]
    path = tmp_path / "f.csv"
    path.write_text("\n".join(lines) + "\n")
    batch = services.import_file(organization=org, path=path, source_name="S")
    assert batch.status == "succeeded" and batch.rows_new == 400
    tuples, all_visible = table_state("feedback_response")
    assert tuples == 400 and all_visible > 0  # ANALYZE counted the rows, VACUUM set the map


@pytest.mark.django_db(transaction=True)
def test_a_small_import_leaves_it_to_autovacuum(org, tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("response_id,responded_at,nps\nS1,2026-03-01,9\n")
    services.import_file(organization=org, path=path, source_name="S")
    assert table_state("feedback_response")[1] == 0


@pytest.mark.django_db
def test_inside_a_transaction_it_does_nothing():
    jobs.tables_tidy(kind="feedback")  # VACUUM cannot run in a transaction: skipped, no error


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
