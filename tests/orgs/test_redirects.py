"""Issue #12, items 10-11: invitations bound to the invited address, a rate-limited password
reset that never tells whether an address exists, and `next=` that stays on this site."""

import pytest
from django.core import mail

from cxalign.orgs import services
from cxalign.orgs.models import Invitation, Membership
from cxalign.orgs.roles import Role
from feedback.models import Response, Source
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _invite(org, admin, email="pat@example.com", role=Role.EXECUTIVE):
    return services.invitation_create(organization=org, invited_by=admin, email=email, role=role)


def test_signed_in_user_with_another_address_cannot_accept(client, admin, org, other_org):
    _invitation, token = _invite(org, admin, email="pat@example.com")
    stranger = MembershipFactory(organization=other_org, user__email="eve@example.com")
    client.force_login(stranger.user)
    page = client.get(f"/invite/{token}/")
    assert page.status_code == 403
    assert "This invitation is for pat@example.com" in page.content.decode()
    response = client.post(f"/invite/{token}/")
    assert response.status_code == 403
    assert not Membership.objects.filter(user=stranger.user, organization=org).exists()
    assert Invitation.objects.get().accepted_at is None


def test_service_refuses_another_account_too(admin, org, other_org):
    from django.core.exceptions import PermissionDenied

    _invitation, token = _invite(org, admin, email="pat@example.com")
    stranger = MembershipFactory(organization=other_org, user__email="eve@example.com")
    with pytest.raises(PermissionDenied, match="pat@example.com"):
        services.invitation_accept(token=token, user=stranger.user)


def test_invited_address_matches_case_insensitively(client, admin, org, other_org):
    _invitation, token = _invite(org, admin, email="Pat@Example.com")
    pat = MembershipFactory(organization=other_org, user__email="PAT@example.COM")
    client.force_login(pat.user)
    assert client.post(f"/invite/{token}/").status_code == 302
    assert Membership.objects.get(user=pat.user, organization=org).role == Role.EXECUTIVE


def test_user_without_an_address_cannot_accept(client, admin, org, other_org):
    _invitation, token = _invite(org, admin)
    nobody = MembershipFactory(organization=other_org, user__email="")
    client.force_login(nobody.user)
    assert client.post(f"/invite/{token}/").status_code == 403


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


@pytest.fixture
def detractor(org):
    source = Source.objects.create(organization=org, name="S")
    return Response.objects.create(organization=org, source=source, key="R1", nps=2, comment="bad")


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "https:evil"])
def test_followup_next_never_leaves_the_site(client, member, org, detractor, target):
    client.force_login(member.user)
    response = client.post(
        f"/o/{org.slug}/feedback/followups/{detractor.pk}/", {"status": "open", "next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/o/{org.slug}/feedback/followups/"


def test_triage_next_never_leaves_the_site(client, member, org, detractor):
    client.force_login(member.user)
    response = client.post(
        f"/o/{org.slug}/feedback/triage/{detractor.pk}/tag/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == f"/o/{org.slug}/feedback/triage/"


def test_triage_next_keeps_a_local_page(client, member, org, detractor):
    client.force_login(member.user)
    local = f"/o/{org.slug}/feedback/triage/?page=2"
    response = client.post(f"/o/{org.slug}/feedback/triage/{detractor.pk}/tag/", {"next": local})
    assert response["Location"] == local
