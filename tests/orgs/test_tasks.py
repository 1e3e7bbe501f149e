"""Tasks of the tenancy core (cxalign/orgs/tasks.py): the invitation mail, once, inline and on a
real worker."""

import time

import pytest

from cxalign.orgs.roles import Role
from cxalign.orgs.services import invitation_create
from cxalign.orgs.tasks import invitation_send


@pytest.mark.django_db
def test_invitation_task_sends_once(mailoutbox, org, admin):
    invitation, token = invitation_create(
        organization=org, invited_by=admin, email="a@example.com", role=Role.VIEWER
    )
    assert invitation_send(invitation.id, token) == "sent"
    assert invitation_send(invitation.id, token) == "skipped"
    assert len(mailoutbox) == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_invitation_is_mailed_by_a_real_worker(celery_worker, mailoutbox, org, admin):
    # invitation_create enqueues the mail after commit; the worker thread picks it up.
    invitation, _token = invitation_create(
        organization=org, invited_by=admin, email="b@example.com", role=Role.VIEWER
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        invitation.refresh_from_db()
        if invitation.sent_at:
            break
        time.sleep(0.1)
    assert invitation.sent_at is not None
    assert [m.to for m in mailoutbox] == [["b@example.com"]]
