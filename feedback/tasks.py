"""Celery tasks of the feedback app: thin wrappers that re-fetch by id and call services."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from cxalign.orgs.models import Organization


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=10,
    retry_jitter=True,
    max_retries=5,
)
def import_batch_run(self, batch_id: int) -> str:
    """Check or import one uploaded file; a second delivery finds it claimed or done."""
    from feedback.services import import_batch_process

    return import_batch_process(batch_id=batch_id)


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=10,
    max_retries=5,
)
def themes_retag_run(self, organization_id: int) -> dict:
    """Re-tag every comment of the organization with its current rules (same result twice)."""
    from feedback.services import themes_retag

    organization = Organization.objects.filter(id=organization_id).first()
    if organization is None:
        return {"tags": 0}
    return themes_retag(organization=organization)
