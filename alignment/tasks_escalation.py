"""The weekly missed-check-in mailing (beat: `alignment.tasks_escalation.checkins_escalate`)."""

from celery import shared_task
from django.db import InterfaceError, OperationalError


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=10,
    retry_jitter=True,
    max_retries=5,
)
def checkins_escalate(self) -> list[dict]:
    """Mail every owner the check-ins they owe and every leader the long-overdue ones below
    them; a second run in the same week sends nothing (see `escalation_send`)."""
    from alignment.escalation import escalation_send_all

    return escalation_send_all()
