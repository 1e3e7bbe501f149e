"""The recompute tasks on a real Celery worker over Redis, and a worker killed mid-run."""

import datetime
import signal

import pytest
from django.db import connection
from django.test import override_settings

from alignment import selectors, services
from alignment.models import Run
from alignment.tasks import recompute_due_cycles
from cxalign.celery import app as celery_app
from feedback.models import ImportBatch
from tests.alignment import company
from tests.feedback.test_worker_kill import start_worker, wait_for
from tests.strategy.factories import CycleFactory


def preparing_cycle(org, today=None):
    today = today or datetime.date.today()
    return CycleFactory(
        organization=org, name="Next", starts_on=today + datetime.timedelta(days=20),
        ends_on=today + datetime.timedelta(days=385), inputs_due_on=today - datetime.timedelta(days=10),
        status="preparing",
    )  # fmt: skip


def finished(run_id: int) -> bool:
    return Run.objects.get(id=run_id).status in (Run.Status.SUCCEEDED, Run.Status.FAILED)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_requested_run_goes_through_the_chain_on_a_real_worker(celery_worker, org, cx_lead):
    company.build(org)
    cycle = preparing_cycle(org)
    run = services.run_request(organization=org, cycle=cycle, member=cx_lead)  # on_commit -> broker
    assert wait_for(lambda: finished(run.id), 60)
    run.refresh_from_db()
    assert run.status == Run.Status.SUCCEEDED, run.message
    assert run.attempts == 1 and run.results["nps"]["all"]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_daily_job_on_a_real_worker_queues_due_cycles(celery_worker, org):
    cycle = preparing_cycle(org)
    assert recompute_due_cycles.delay().get(timeout=30) == 1
    run = Run.objects.get(cycle=cycle)
    assert wait_for(lambda: finished(run.id), 60)
    assert Run.objects.get(id=run.id).trigger == Run.Trigger.SCHEDULE


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@override_settings(ALIGNMENT_IMPORT_DEBOUNCE_S=0)
def test_a_finished_import_queues_one_run_on_a_real_worker(celery_worker, org, cx_lead):
    cycle = preparing_cycle(org)
    batch = ImportBatch.objects.create(organization=org, file_name="x.csv")
    batch.status = ImportBatch.Status.SUCCEEDED
    batch.save()  # post_save -> on_commit -> recompute_after_import on the worker
    assert wait_for(lambda: Run.objects.filter(cycle=cycle).exists(), 30)
    run = Run.objects.get(cycle=cycle)
    assert run.trigger == Run.Trigger.IMPORT
    assert wait_for(lambda: finished(run.id), 60)


def add_many_responses(org, count: int) -> None:
    """Bulk rows in one statement (PostgreSQL), linked to the customers `company` made."""
    source_id = org_source_id(org)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO feedback_response (organization_id, source_id, key, response_id,
                customer_id, responded_at, nps, channel, comment, segment, touchpoint_name,
                extra, fingerprint, theme_ids, manual_theme_ids, created_at, updated_at)
            SELECT %s, %s, 'bulk-' || g, 'B' || g, 'SMB-' || lpad((g %% 150)::text, 4, '0'),
                timestamptz '2026-07-01 12:00+00' + (g %% 80) * interval '1 day', g %% 11,
                '', '', 'SMB', '', '{}', 0, '{}', '{}', now(), now()
            FROM generate_series(1, %s) AS g
            """,
            [org.id, source_id, count],
        )


def org_source_id(org) -> int:
    from feedback.models import Source

    return Source.objects.get(organization=org).id


def lock_customers():
    """A second connection holding an exclusive lock on the customers table: the engine's
    reads wait on it, so a worker can be killed inside them whatever the machine's speed."""
    blocker = connection.get_new_connection(connection.get_connection_params())
    blocker.cursor().execute("LOCK TABLE feedback_customer IN ACCESS EXCLUSIVE MODE")
    return blocker


def reads_waiting() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database() AND query ILIKE '%%feedback_customer%%'"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_leaves_previous_results_and_the_retry_finishes(org, settings):
    company.build(org)
    cycle = preparing_cycle(org, today=datetime.date(2026, 11, 1))
    good = services.run_request(organization=org, cycle=cycle, enqueue=False)
    services.run_compute(run_id=good.id)
    services.run_publish(run_id=good.id)
    before = Run.objects.get(id=good.id).results["nps"]["SMB"]["current"]["responses"]
    add_many_responses(org, 2_000)
    celery_app.conf.task_always_eager = False
    blocker, first, second = lock_customers(), start_worker(), None
    try:
        run = services.run_request(organization=org, cycle=cycle)
        assert wait_for(reads_waiting, 60), "the first worker never reached the reads"
        assert Run.objects.get(id=run.id).status == Run.Status.RUNNING
        first.send_signal(signal.SIGKILL)  # inside the reads
        first.wait(10)
        assert Run.objects.get(id=run.id).status == Run.Status.RUNNING
        assert selectors.run_latest(organization=org, cycle=cycle).id == good.id
        blocker.rollback()  # the lock goes; the retry on a new worker finishes the run
        second = start_worker()
        assert wait_for(lambda: finished(run.id), 180), "the retry did not finish the run"
        run.refresh_from_db()
        assert run.status == Run.Status.SUCCEEDED, run.message
        assert run.attempts == 2
        assert selectors.run_latest(organization=org, cycle=cycle).id == run.id
        assert run.results["nps"]["SMB"]["current"]["responses"] == before + 2_000
    finally:
        blocker.close()
        celery_app.conf.task_always_eager = True
        for worker in (first, second):
            if worker is not None and worker.poll() is None:
                worker.kill()
                worker.wait(10)
