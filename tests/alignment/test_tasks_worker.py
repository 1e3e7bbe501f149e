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
from tests.factories import CycleFactory
from tests.workers import lock_table, start_worker, stop_workers, wait_for, waiting_on


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
    blocker, first, second = lock_table("feedback_customer"), start_worker(), None
    try:
        run = services.run_request(organization=org, cycle=cycle)
        assert wait_for(lambda: waiting_on("feedback_customer"), 60), "no worker reached the reads"
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
        stop_workers(first, second)
