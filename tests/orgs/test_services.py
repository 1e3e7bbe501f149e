"""Writes of the tenancy core (cxalign/orgs/services.py): an invitation is accepted only by the
account of the address it was sent to."""

import pytest

from cxalign.orgs import services
from cxalign.orgs.models import Invitation, Membership
from cxalign.orgs.roles import Role
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
