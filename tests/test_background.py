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
from tests.feedback.imports.uploads import numbered_rows as _rows
from tests.feedback.imports.uploads import upload
from tests.workers import wait_for

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
    # The thread closed its connection (its server process leaves pg_stat_activity a moment
    # after the close, so the count is polled).
    assert wait_for(lambda: _backends() == backends, 5), _backends()


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


def test_jobs_a_stopped_server_left_active_run_again_when_it_starts(
    org, cx_lead, executive, threads
):
    """The server stopped mid-run: the rows still say "running". At the next start each job
    runs again from the start, in a thread, and finishes once."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from alignment.models import Run
    from alignment.services import run_request
    from strategy import imports
    from strategy.models import GoalImport
    from tests.factories import CycleFactory

    GATE.set()
    background.use_threads(False)  # the uploads themselves: checked inline, as before the stop
    batch = upload(org, cx_lead, _rows(50))
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.RUNNING, attempts=1)
    cycle = CycleFactory(organization=org)
    content = f"key,title,owner username\nTOP,Top,{executive.user.username}\n".encode()
    job = imports.goal_import_upload(organization=org, cycle=cycle, created_by=executive,
                                     uploaded_file=SimpleUploadedFile("g.csv", content))  # fmt: skip
    GoalImport.objects.filter(pk=job.pk).update(status=GoalImport.Status.CHECKING, summary={})
    run = run_request(organization=org, cycle=cycle, enqueue=False)
    Run.objects.filter(pk=run.pk).update(status=Run.Status.RUNNING, attempts=1)
    background.use_threads(True)  # the server starts again
    background.resume_interrupted()
    assert background.wait_idle(60)
    batch.refresh_from_db()
    job.refresh_from_db()
    run.refresh_from_db()
    assert (batch.status, batch.rows_new, batch.attempts) == (ImportBatch.Status.SUCCEEDED, 50, 2)
    assert (job.status, job.summary["created"]) == (GoalImport.Status.CHECKED, 1)
    assert (run.status, run.attempts) == (Run.Status.SUCCEEDED, 2)


def test_resuming_outside_the_embedded_web_server_does_nothing(org, cx_lead):
    batch = upload(org, cx_lead, _rows(5))
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.RUNNING)
    background.resume_interrupted()  # tasks go to workers there: they resume on their own
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.RUNNING


def test_a_recompute_runs_while_another_threads_eager_task_runs(org, threads):
    """Celery marks the whole process while any eager task runs ("do not wait on results");
    when another thread's task starts between a recompute's two steps, the recompute still
    publishes."""
    from celery._state import _set_task_join_will_block
    from celery.signals import task_postrun

    from alignment.models import Run
    from alignment.services import run_request
    from alignment.tasks import recompute_compute
    from tests.factories import CycleFactory

    def another_thread_starts_a_task(sender=None, **kwargs):
        if getattr(sender, "name", "") == recompute_compute.name:
            _set_task_join_will_block(True)

    GATE.set()
    task_postrun.connect(another_thread_starts_a_task, weak=False)
    try:
        run = run_request(organization=org, cycle=CycleFactory(organization=org))
        assert background.wait_idle(60)
    finally:
        task_postrun.disconnect(another_thread_starts_a_task)
        _set_task_join_will_block(False)
    run.refresh_from_db()
    assert run.status == Run.Status.SUCCEEDED, run.message


def test_a_job_that_kept_ending_its_process_is_not_resumed_for_ever(org, cx_lead):
    from alignment.models import Run
    from alignment.services import run_claim, run_request
    from cxalign.celery import MAX_ATTEMPTS
    from feedback.imports.jobs import import_batch_process
    from tests.factories import CycleFactory

    batch = upload(org, cx_lead, _rows(5))
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.RUNNING, attempts=MAX_ATTEMPTS
    )
    assert import_batch_process(batch_id=batch.id) == ImportBatch.Status.FAILED
    batch.refresh_from_db()
    assert f"stopped {MAX_ATTEMPTS} times" in batch.message and batch.rows_new == 0
    run = run_request(organization=org, cycle=CycleFactory(organization=org), enqueue=False)
    Run.objects.filter(pk=run.pk).update(status=Run.Status.RUNNING, attempts=MAX_ATTEMPTS)
    assert run_claim(run_id=run.id) is None
    run.refresh_from_db()
    assert run.status == Run.Status.FAILED and f"after {MAX_ATTEMPTS} attempts" in run.message


def test_resume_leaves_the_jobs_of_commands_to_their_own_process(org, cx_lead, threads):
    """`manage.py recompute` and an import of a local file run in the command's process,
    which may still be working when the server starts."""
    from alignment.models import Run
    from alignment.services import run_request
    from tests.factories import CycleFactory

    GATE.set()
    local = ImportBatch.objects.create(organization=org, file_name="big.csv",
                                       status=ImportBatch.Status.RUNNING)  # fmt: skip
    run = run_request(organization=org, cycle=CycleFactory(organization=org),
                      trigger=Run.Trigger.COMMAND, enqueue=False)  # fmt: skip
    Run.objects.filter(pk=run.pk).update(status=Run.Status.RUNNING)
    background.resume_interrupted()
    assert background.wait_idle(30)
    local.refresh_from_db()
    run.refresh_from_db()
    assert (local.status, local.attempts) == (ImportBatch.Status.RUNNING, 0)
    assert (run.status, run.attempts) == (Run.Status.RUNNING, 0)


def test_resuming_with_tasks_on_workers_does_nothing(org, cx_lead, threads):
    """The services mode: threads on in the web server, but tasks go to workers, which take
    their unfinished tasks back on their own."""
    from cxalign.celery import app

    batch = upload(org, cx_lead, _rows(5))
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.RUNNING)
    app.conf.task_always_eager = False
    try:
        background.resume_interrupted()
    finally:
        app.conf.task_always_eager = True
    assert not background._running
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.RUNNING
