"""The Celery app: configured from Django settings (CELERY_*), tasks found in every app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxalign.settings")

# DjangoTask gives every task delay_on_commit(): the worker never reads a row not yet committed.
app = Celery("cxalign", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
