"""The Celery app: configured from Django settings (CELERY_*), tasks found in every app."""

import os

from celery import Celery
from django.db import InterfaceError, OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxalign.settings")

# DjangoTask gives every task delay_on_commit(): the worker never reads a row not yet committed.
app = Celery("cxalign", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The options of a task that writes to the database. Its message is acknowledged only when it
# finished (a killed worker's task runs again); transient database errors are retried with
# backoff; everything else fails loudly. Such a task takes ids and calls one service that
# re-fetches and claims the work, so running it twice gives one result.
# A job claimed this many times without finishing is failed instead of run again: each attempt
# ended the process running it (killed for memory, say), and the next would too.
MAX_ATTEMPTS = 3

DB_TASK = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 10,
    "retry_jitter": True,
    "max_retries": 5,
}
