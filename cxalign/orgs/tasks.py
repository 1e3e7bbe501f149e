"""Celery tasks of the tenancy core: each takes ids and calls one service."""

from celery import shared_task


@shared_task(bind=True, acks_late=True, autoretry_for=(OSError,), retry_backoff=10, max_retries=5)
def invitation_send(self, invitation_id: int, token: str) -> str:
    """Mail the invitation link; a repeat after a successful send does nothing."""
    from cxalign.orgs.services import invitation_mail

    return invitation_mail(invitation_id=invitation_id, token=token)
