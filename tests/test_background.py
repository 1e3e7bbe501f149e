"""Embedded mode: a task enqueued from the web server runs in a thread of its own, so the
request answers at once and the page shows the import's progress; commands and tests run
tasks inline, in order. The thread closes its database connection."""

import threading

import pytest
from celery import shared_task
from django.db import connection, transaction

from cxalign import background
from cxalign.orgs.models import Organization
from feedback.models import ImportBatch
from tests.feedback.imports.test_jobs import upload

pytestmark = pytest.mark.django_db(transaction=True)

GATE = threading.Event()
SEEN: dict = {}


@shared_task
def gated_count() -> int:
    """Waits for the test to open the gate, then reads the database."""
    assert GATE.wait(30)
    SEEN["thread"] = threading.current_thread().name
    SEEN["organizations"] = Organization.objects.count()
    return SEEN["organizations"]


@pytest.fixture
def threads():
    GATE.clear()
    SEEN.clear()
    background.use_threads(True)
    yield
    GATE.set()
    assert background.wait_idle(60)
    background.use_threads(False)


def _backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return cursor.fetchone()[0]


def test_enqueued_task_runs_after_commit_in_its_own_thread(org, threads):
    backends = _backends()
    with transaction.atomic():
        background.enqueue_on_commit(gated_count)
        assert not background._running  # nothing starts before the commit
    assert background._running and not SEEN  # the caller goes on while the task waits
    GATE.set()
    assert background.wait_idle(30)
    assert SEEN == {"thread": "task tests.test_background.gated_count",
                    "organizations": 1}  # fmt: skip
    assert _backends() == backends  # the thread closed its connection


def test_without_threads_tasks_run_inline(org):
    GATE.set()
    SEEN.clear()
    with transaction.atomic():
        background.enqueue_on_commit(gated_count)
    assert SEEN["thread"] == threading.current_thread().name


def test_rolled_back_work_starts_no_task(org, threads):
    with pytest.raises(RuntimeError), transaction.atomic():
        background.enqueue_on_commit(gated_count)
        raise RuntimeError("the request failed")
    assert not background._running


def _rows(n: int) -> str:
    return "Response ID,NPS,Comment\n" + "".join(f"R{i},{i % 11},row {i}\n" for i in range(n))


def test_page_check_and_import_run_in_the_background(client, cx_lead, org, threads):
    GATE.set()
    batch = upload(org, cx_lead, _rows(500))
    client.force_login(cx_lead.user)
    base = f"/o/{org.slug}/feedback/imports/{batch.pk}/"
    mapping = {"map_response_id": "Response ID", "map_nps": "NPS", "map_comment": "Comment"}
    backends = _backends()
    assert client.post(base + "preview/", mapping).status_code == 302
    assert background.wait_idle(60)
    batch.refresh_from_db()
    assert (batch.status, batch.rows_new) == (ImportBatch.Status.PREVIEWED, 500)
    assert client.post(base + "commit/", {"mode": "skip"}).status_code == 302
    assert background.wait_idle(60)
    batch.refresh_from_db()
    assert (batch.status, batch.rows_new) == (ImportBatch.Status.SUCCEEDED, 500)
    assert _backends() == backends


@pytest.mark.parametrize(
    ("new", "updated", "button"),
    [(0, 0, "Nothing to import"), (3, 0, "Import 3 rows"), (0, 1, "Import 1 row")],
)
def test_import_button_is_disabled_when_nothing_would_be_written(
    client, cx_lead, org, new, updated, button
):
    batch = upload(org, cx_lead, _rows(3))
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.PREVIEWED, rows_read=3, rows_new=new, rows_updated=updated,
        rows_unchanged=3 - new - updated,
    )  # fmt: skip
    client.force_login(cx_lead.user)
    html = client.get(f"/o/{org.slug}/feedback/imports/{batch.pk}/").content.decode()
    tag = html[
        html.index('data-testid="commit"') - 60 : html.index(
            "</button>", html.index('data-testid="commit"')
        )
    ]
    assert tag.endswith(button)
    assert (" disabled" in tag) == (new + updated == 0)
    assert ('data-busy="Starting the import' in tag) == (new + updated > 0)


def test_import_waiting_to_start_shows_no_counts_of_its_check(client, cx_lead, org):
    batch = upload(org, cx_lead, _rows(3))
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.QUEUED, rows_read=3, rows_new=3
    )
    client.force_login(cx_lead.user)
    html = client.get(f"/o/{org.slug}/feedback/imports/{batch.pk}/progress/").content.decode()
    assert '<strong data-testid="progress-read">0</strong>' in html


def test_polled_progress_card_keeps_the_cancel_button(client, cx_lead, viewer, org):
    batch = upload(org, cx_lead, _rows(3))
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.RUNNING)
    url = f"/o/{org.slug}/feedback/imports/{batch.pk}/progress/"
    client.force_login(cx_lead.user)
    assert "Cancel import" in client.get(url).content.decode()
    client.force_login(viewer.user)
    assert "Cancel import" not in client.get(url).content.decode()
