"""Where an enqueued Celery task runs.

Services mode: on a worker. Embedded mode runs tasks inline (CELERY_TASK_ALWAYS_EAGER); inside
the web server (cxalign.wsgi turns threads on) a long task such as an import runs in a thread
of its own instead, so the request that started it answers at once and the page shows the
task's live progress. Commands and tests keep running tasks inline, in order.
"""

import logging
import threading

from django.db import connections, transaction

from cxalign.celery import app

log = logging.getLogger(__name__)

_state = {"threads": False}
_running: set[threading.Thread] = set()
_lock = threading.Lock()


def use_threads(enabled: bool = True) -> None:
    """Let eager tasks enqueued through `enqueue_on_commit` run in threads of this process."""
    _state["threads"] = enabled


def enqueue_on_commit(task, *args) -> None:
    """Run `task(*args)` once the current transaction commits: on a worker, in a thread of
    the web server (embedded mode) or inline (commands, tests)."""
    if _state["threads"] and app.conf.task_always_eager:
        transaction.on_commit(lambda: _start(task, args))
    else:
        task.delay_on_commit(*args)


def _start(task, args: tuple) -> None:
    thread = threading.Thread(target=_run, args=(task, args), name=f"task {task.name}", daemon=True)
    with _lock:
        _running.add(thread)
    thread.start()


def _run(task, args: tuple) -> None:
    try:
        task.apply(args=args)
    except Exception:
        # A worker would log it the same way; the task has recorded its failure on its row.
        log.exception("Background task %s%r failed", task.name, args)
    finally:
        connections.close_all()
        with _lock:
            _running.discard(threading.current_thread())


def wait_idle(timeout: float = 30.0) -> bool:
    """Wait for the running background tasks (tests, shutdown); True when none is left."""
    with _lock:
        threads = list(_running)
    for thread in threads:
        thread.join(timeout)
    with _lock:
        return not _running
