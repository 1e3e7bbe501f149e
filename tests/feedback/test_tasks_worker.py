"""A worker process killed (SIGKILL) in the middle of an import: the retry finishes it once.

Real parts: two `celery worker` processes over Redis against the test database. The first is
killed inside its run (held there by a lock on the responses table, so the kill lands inside it
on any machine); its transaction dies with it, the broker hands the message out again after the
visibility timeout, and the second worker imports the whole file, nothing doubled.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from cxalign.celery import app as celery_app
from feedback import services
from feedback.models import ImportBatch, Response

ROOT = Path(__file__).resolve().parents[2]
ROWS = 50_000


def big_file() -> bytes:
    lines = ["response_id,responded_at,nps,comment"]
    lines += [
        f"K{i:07d},2024-01-01T10:00:00Z,{i % 11},parcel {i} arrived late" for i in range(ROWS)
    ]
    return ("\n".join(lines) + "\n").encode()


def start_worker() -> subprocess.Popen:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "CELERY_VISIBILITY_TIMEOUT": "3"}
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "cxalign", "worker", "--pool=solo"]
        + ["--loglevel=WARNING", "--without-gossip", "--without-mingle"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def lock_table(table: str):
    """A second connection holding an exclusive lock on `table` until it is rolled back."""
    blocker = connection.get_new_connection(connection.get_connection_params())
    blocker.cursor().execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
    return blocker


def waiting_on(table: str) -> bool:
    """Some connection waits for a lock on `table` (pg_locks: a lock not granted)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE NOT l.granted AND c.relname = %s",
            [table],
        )
        return cursor.fetchone()[0] > 0


def wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


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
        for worker in (first, second):
            if worker is not None and worker.poll() is None:
                worker.kill()
                worker.wait(10)
