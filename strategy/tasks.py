"""Celery tasks of the strategy app: each takes ids and calls one service, which re-fetches
what it needs and claims the work, so a second delivery finds it claimed or done."""

from celery import shared_task

from cxalign.celery import DB_TASK


@shared_task(**DB_TASK)
def goal_import_run(self, job_id: int) -> str:
    """Check or apply one uploaded cascade file."""
    from strategy.imports import goal_import_process

    return goal_import_process(job_id=job_id)
