"""Rate limits (cxalign/orgs/ratelimit.py): password reset mails per address and per client,
with one refusal for known and unknown addresses."""

import pytest
from django.core import mail

pytestmark = pytest.mark.django_db


RESET = "/accounts/password_reset/"


def test_password_reset_is_limited_per_address(client, viewer, settings):
    settings.PASSWORD_RESET_LIMIT_PER_HOUR = 3
    codes = [
        client.post(RESET, {"email": viewer.user.email}, REMOTE_ADDR=f"10.0.0.{i}").status_code
        for i in range(5)
    ]
    assert codes == [302, 302, 302, 429, 429]
    assert len(mail.outbox) == 3


def test_password_reset_is_limited_per_client(client, settings):
    settings.PASSWORD_RESET_LIMIT_PER_HOUR = 3
    codes = [client.post(RESET, {"email": f"n{i}@example.com"}).status_code for i in range(4)]
    assert codes == [302, 302, 302, 429]


def test_password_reset_refusal_reads_the_same_for_unknown_addresses(client, viewer, settings):
    settings.PASSWORD_RESET_LIMIT_PER_HOUR = 1
    client.post(RESET, {"email": viewer.user.email}, REMOTE_ADDR="10.1.0.1")
    known = client.post(RESET, {"email": viewer.user.email}, REMOTE_ADDR="10.1.0.2")
    client.post(RESET, {"email": "ghost@example.com"}, REMOTE_ADDR="10.1.0.3")
    unknown = client.post(RESET, {"email": "ghost@example.com"}, REMOTE_ADDR="10.1.0.4")
    assert known.status_code == unknown.status_code == 429
    text = "Too many reset requests for this address or from your network"
    assert text in known.content.decode() and text in unknown.content.decode()
