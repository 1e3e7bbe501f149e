"""Where an enqueued Celery task runs.

Services mode: on a worker. Embedded mode runs tasks inline (CELERY_TASK_ALWAYS_EAGER); inside
the web server (cxalign.wsgi turns threads on) a long task such as an import runs in a thread
of its own instead, so the request that started it answers at once and the page shows the
task's live progress. Commands and tests keep running tasks inline, in order.
"""

import logging
import threading
import time

from django.db import DatabaseError, connections, transaction
from django.utils.module_loading import import_string

from cxalign.celery import app

log = logging.getLogger(__name__)

_state = {"threads": False}
_resumers: list = []  # each app's "run again what a stopped server left unfinished"
_running: set[threading.Thread] = set()
_lock = threading.Lock()


def use_threads(enabled: bool = True) -> None:
    """Let eager tasks enqueued through `enqueue_on_commit` run in threads of this process."""
    _state["threads"] = enabled


def _threads_on() -> bool:
    return _state["threads"] and app.conf.task_always_eager


def enqueue_on_commit(task, *args) -> None:
    """Run `task(*args)` once the current transaction commits: on a worker, in a thread of
    the web server (embedded mode) or inline (commands, tests)."""
    if _threads_on():
        transaction.on_commit(lambda: _start(lambda: task.apply(args=args), f"task {task.name}"))
    else:
        task.delay_on_commit(*args)


def call_on_commit(func, name: str) -> None:
    """`func()`, which enqueues tasks (a chain, say), once the current transaction commits; in
    the embedded web server in a thread of its own, so the eager tasks it runs do not hold
    the request. Its failure is logged, never passed on to the work that committed (an import
    that queues a recompute has succeeded whatever becomes of the recompute)."""
    if _threads_on():
        transaction.on_commit(lambda: _start(func, name))
    else:
        transaction.on_commit(func, robust=True)


def _start(func, name: str) -> None:
    thread = threading.Thread(target=_run, args=(func, name), name=name, daemon=True)
    with _lock:
        _running.add(thread)
    thread.start()


def _run(func, name: str) -> None:
    try:
        func()
    except Exception:
        # A worker would log it the same way; the task has recorded its failure on its row.
        log.exception("Background %s failed", name)
    finally:
        connections.close_all()
        with _lock:
            _running.discard(threading.current_thread())


def wait_idle(timeout: float = 30.0) -> bool:
    """Wait for the running background tasks, and for those they start (tests, shutdown);
    True when none is left."""
    deadline = time.monotonic() + timeout
    while True:
        with _lock:
            threads = list(_running)
        if not threads:
            return True
        if time.monotonic() >= deadline:
            return False
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))


def resumable(path: str) -> None:
    """Register an app's resume function by its dotted path (imported only when the embedded
    web server starts): it enqueues again every job of its own still marked active. An app
    calls this from its AppConfig.ready."""
    if path not in _resumers:
        _resumers.append(path)


def resume_interrupted() -> None:
    """Embedded mode, when the web server starts: the jobs a stopped server was running in its
    threads are still marked active; run them again. Each job's task is safe to run twice (it
    claims its row and writes in one transaction), so nothing is lost or doubled."""
    if not _threads_on():
        return
    for path in _resumers:
        try:
            import_string(path)()
        except DatabaseError:  # not migrated yet, or the database is down: nothing to resume
            log.warning("Could not resume interrupted jobs with %s", path)
    connections.close_all()  # the threads have their own; this one is not needed any more
