"""A worker process killed (SIGKILL) in the middle of an import: the retry finishes it once.

Real parts: two `celery worker` processes over Redis against the test database. The first is
killed inside its run (held there by a lock on the responses table, so the kill lands inside it
on any machine); its transaction dies with it, the broker hands the message out again after the
visibility timeout, and the second worker imports the whole file, nothing doubled.
"""

import signal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cxalign.celery import app as celery_app
from feedback import services
from feedback.models import ImportBatch, Response
from tests.workers import lock_table, start_worker, stop_workers, wait_for, waiting_on

ROWS = 50_000


def big_file() -> bytes:
    lines = ["response_id,responded_at,nps,comment"]
    lines += [
        f"K{i:07d},2024-01-01T10:00:00Z,{i % 11},parcel {i} arrived late" for i in range(ROWS)
    ]
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_import_survives_a_killed_worker(org, cx_lead):
    source = services.source_get_or_create(organization=org, name="Survey")
    batch = services.import_batch_upload(
        organization=org,
        created_by=cx_lead,
        uploaded_file=SimpleUploadedFile("big.csv", big_file()),
        source=source,
    )
    celery_app.conf.task_always_eager = False
    blocker, first, second = lock_table("feedback_response"), start_worker(), None
    try:
        services.import_batch_commit(batch=batch)
        assert wait_for(lambda: waiting_on("feedback_response"), 60), "the import never started"
        assert ImportBatch.objects.get(id=batch.id).status == "running"
        first.send_signal(signal.SIGKILL)  # inside the run
        first.wait(10)
        # The killed run committed nothing.
        assert ImportBatch.objects.get(id=batch.id).status == "running"
        blocker.rollback()  # the lock goes
        assert not Response.objects.exists()

        second = start_worker()

        def finished() -> bool:
            return ImportBatch.objects.get(id=batch.id).is_finished

        assert wait_for(finished, 120), "the retry did not finish the import"
        batch.refresh_from_db()
        assert batch.status == "succeeded", batch.message
        assert batch.attempts == 2
        assert (batch.rows_new, batch.rows_rejected) == (ROWS, 0)
        assert Response.objects.filter(source=source).count() == ROWS
        assert Response.objects.values("key").distinct().count() == ROWS
    finally:
        blocker.close()
        celery_app.conf.task_always_eager = True
        stop_workers(first, second)
