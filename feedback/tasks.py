"""Celery tasks of the feedback app: each takes ids and calls one service, which re-fetches
what it needs and claims the work, so a second delivery finds it claimed or done."""

from celery import shared_task

from cxalign.celery import DB_TASK


@shared_task(**DB_TASK)
def import_batch_run(self, batch_id: int) -> str:
    """Check or import one uploaded file."""
    from feedback.imports.jobs import import_batch_process

    return import_batch_process(batch_id=batch_id)


@shared_task(**DB_TASK)
def themes_retag_run(self, organization_id: int) -> dict:
    """Re-tag every comment of the organization with its current rules (same result twice)."""
    from feedback.services import themes_retag_process

    return themes_retag_process(organization_id=organization_id)
