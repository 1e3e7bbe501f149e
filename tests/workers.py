"""Real Celery worker processes for the tests that kill one: start a worker on the test
database, hold a table lock so a kill lands inside its run, wait for a condition."""

import os
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


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


def stop_workers(*workers: subprocess.Popen | None) -> None:
    """Kill the workers a test started that are still running (None: never started)."""
    for worker in workers:
        if worker is not None and worker.poll() is None:
            worker.kill()
            worker.wait(10)


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
