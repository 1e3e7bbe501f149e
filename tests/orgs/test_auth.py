"""Issue #12, item 8: API tokens expire, die with a password change and with "sign out
everywhere", and are listed and revocable on the profile page."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from knox.models import AuthToken

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
TOKEN_URL = "/api/v1/auth/token/"


def issue(api_client, membership) -> str:
    response = api_client.post(
        TOKEN_URL, {"username": membership.user.username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    return response.json()["token"]


def status_with(token, org) -> int:
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get(f"/api/v1/orgs/{org.slug}/").status_code


def test_token_answer_keeps_token_and_says_when_it_expires(api_client, viewer, org, settings):
    before = timezone.now()
    response = api_client.post(
        TOKEN_URL, {"username": viewer.user.username, "password": PASSWORD}, format="json"
    )
    body = response.json()
    expiry = datetime.datetime.fromisoformat(body["expiry"].replace("Z", "+00:00"))
    ttl = datetime.timedelta(days=settings.API_TOKEN_TTL_DAYS)
    assert settings.API_TOKEN_TTL_DAYS == 30
    assert before + ttl <= expiry <= timezone.now() + ttl
    assert status_with(body["token"], org) == 200


def test_tokens_are_stored_hashed(api_client, viewer):
    token = issue(api_client, viewer)
    stored = AuthToken.objects.get(user=viewer.user)
    assert token not in (stored.digest, stored.token_key)


def test_expired_token_answers_401(api_client, viewer, org):
    token = issue(api_client, viewer)
    AuthToken.objects.filter(user=viewer.user).update(
        expiry=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert status_with(token, org) == 401


def test_password_change_revokes_tokens(api_client, viewer, org):
    token = issue(api_client, viewer)
    client = Client()
    client.force_login(viewer.user)
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "A-new-pass-99!",
            "new_password2": "A-new-pass-99!",
        },
    )
    assert response.status_code == 302
    assert status_with(token, org) == 401


def test_password_set_anywhere_revokes_tokens(api_client, viewer, org):
    token = issue(api_client, viewer)
    user = get_user_model().objects.get(pk=viewer.user.pk)
    user.set_password("Another-pass-77!")
    user.save()
    assert status_with(token, org) == 401


def test_saving_a_user_without_a_new_password_keeps_tokens(api_client, viewer, org):
    token = issue(api_client, viewer)
    user = get_user_model().objects.get(pk=viewer.user.pk)
    user.first_name = "Renamed"
    user.save()
    assert status_with(token, org) == 200


def test_sign_out_everywhere_ends_sessions_and_tokens(api_client, viewer, member, org):
    token = issue(api_client, viewer)
    other_token = issue(api_client, member)
    laptop, phone, someone_else = Client(), Client(), Client()
    for c in (laptop, phone):
        c.force_login(viewer.user)
    someone_else.force_login(member.user)
    response = phone.post("/accounts/sign-out-everywhere/")
    assert response.status_code == 302
    assert laptop.get(f"/o/{org.slug}/").status_code == 302  # sent to sign in
    assert status_with(token, org) == 401
    assert someone_else.get(f"/o/{org.slug}/").status_code == 200
    assert status_with(other_token, org) == 200
    assert Session.objects.count() == 1


def test_sign_out_everywhere_refuses_get(client, viewer):
    client.force_login(viewer.user)
    assert client.get("/accounts/sign-out-everywhere/").status_code == 405


def test_profile_lists_own_tokens_and_revokes_one(api_client, client, viewer, member, org):
    first, second = issue(api_client, viewer), issue(api_client, viewer)
    others = issue(api_client, member)
    client.force_login(viewer.user)
    page = client.get("/accounts/profile/").content.decode()
    assert first[:15] in page and second[:15] in page and others[:15] not in page
    assert client.post(f"/accounts/profile/tokens/{first[:15]}/revoke/").status_code == 302
    assert status_with(first, org) == 401
    assert status_with(second, org) == 200


def test_cannot_revoke_someone_elses_token(api_client, client, viewer, member, org):
    others = issue(api_client, member)
    client.force_login(viewer.user)
    client.post(f"/accounts/profile/tokens/{others[:15]}/revoke/")
    assert status_with(others, org) == 200


def test_non_utf8_token_answers_401(api_client, org):
    api_client.credentials(HTTP_AUTHORIZATION="Token \xff\xfe")
    assert api_client.get(f"/api/v1/orgs/{org.slug}/").status_code == 401
