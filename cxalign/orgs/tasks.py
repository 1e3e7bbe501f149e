"""Celery tasks of the tenancy core: thin wrappers that re-fetch by id."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone

from cxalign.orgs.models import Invitation


@shared_task(bind=True, acks_late=True, autoretry_for=(OSError,), retry_backoff=10, max_retries=5)
def invitation_send(self, invitation_id: int, token: str) -> str:
    """Mail the invitation link; a repeat after a successful send does nothing."""
    invitation = (
        Invitation.objects.select_related("organization", "invited_by__user")
        .filter(id=invitation_id)
        .first()
    )
    if invitation is None or invitation.status != "pending" or invitation.sent_at:
        return "skipped"
    link = settings.SITE_URL + reverse("invitation_accept", args=[token])
    inviter = invitation.invited_by.display_name if invitation.invited_by else "An admin"
    send_mail(
        subject=f"You are invited to {invitation.organization.name} on CX Align",
        message=(
            f"{inviter} invited you to join {invitation.organization.name} on CX Align "
            f"as {invitation.get_role_display()}.\n\nAccept: {link}\n\n"
            f"The link works once and expires on {invitation.expires_at:%Y-%m-%d %H:%M} UTC."
        ),
        from_email=None,
        recipient_list=[invitation.email],
    )
    Invitation.objects.filter(id=invitation.id, sent_at__isnull=True).update(sent_at=timezone.now())
    return "sent"
