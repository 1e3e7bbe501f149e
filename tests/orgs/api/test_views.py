"""The tenancy API: scoping, roles, versions, and clear errors for bad input."""

import pytest
from knox.models import AuthToken

from cxalign.orgs.models import Membership, OrgUnit
from cxalign.orgs.roles import Role
from tests.factories import PASSWORD, MembershipFactory, OrgUnitFactory

pytestmark = pytest.mark.django_db


def units_url(org, pk=None):
    base = f"/api/v1/orgs/{org.slug}/units/"
    return f"{base}{pk}/" if pk else base


def test_token_endpoint_answers_token_that_authenticates(api_client, viewer, org):
    response = api_client.post(
        "/api/v1/auth/token/", {"username": viewer.user.username, "password": PASSWORD}
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert AuthToken.objects.get(user=viewer.user).token_key == token[:15]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get(f"/api/v1/orgs/{org.slug}/").json()["role"] == "viewer"


def test_token_endpoint_rejects_wrong_password(api_client, viewer):
    response = api_client.post(
        "/api/v1/auth/token/", {"username": viewer.user.username, "password": "nope"}
    )
    assert response.status_code == 401
    assert "Wrong username or password" in response.json()["detail"]


def test_token_endpoint_pauses_after_repeated_wrong_passwords(api_client, viewer):
    for _ in range(5):
        api_client.post(
            "/api/v1/auth/token/", {"username": viewer.user.username, "password": "nope"}
        )
    response = api_client.post(
        "/api/v1/auth/token/", {"username": viewer.user.username, "password": PASSWORD}
    )
    assert response.status_code == 429
    assert "paused" in response.json()["detail"]
    assert not AuthToken.objects.filter(user=viewer.user).exists()


def test_token_endpoint_names_missing_fields(api_client):
    response = api_client.post("/api/v1/auth/token/", {"username": "x"})
    assert response.status_code == 400
    assert "password" in response.json()


def test_wrong_token_answers_401(api_client, org, viewer):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api_client.get(units_url(org)).status_code == 401


def test_missing_credentials_answer_401_or_403(api_client, org):
    assert api_client.get(units_url(org)).status_code in (401, 403)


def test_org_list_shows_only_my_organizations(as_user, viewer, outsider, org):
    response = as_user(viewer).get("/api/v1/orgs/")
    assert response.status_code == 200
    assert [o["slug"] for o in response.json()] == [org.slug]


def test_unknown_org_slug_answers_404(as_user, viewer):
    assert as_user(viewer).get("/api/v1/orgs/no-such-org/units/").status_code == 404


def test_outsider_gets_404_on_list_and_detail(as_user, outsider, org, unit):
    client = as_user(outsider)
    assert client.get(units_url(org)).status_code == 404
    assert client.get(units_url(org, unit.pk)).status_code == 404
    assert client.get(f"/api/v1/orgs/{org.slug}/memberships/").status_code == 404


def test_object_of_another_org_is_404_even_through_my_org_url(as_user, admin, org, other_org):
    foreign = OrgUnitFactory(organization=other_org)
    assert as_user(admin).get(units_url(org, foreign.pk)).status_code == 404


def test_viewer_cannot_create_unit(as_user, viewer, org):
    response = as_user(viewer).post(units_url(org), {"name": "Skunkworks"})
    assert response.status_code == 403
    assert "Viewer" in response.json()["detail"]
    assert not OrgUnit.objects.filter(name="Skunkworks").exists()


def test_admin_creates_unit_in_own_org(as_user, admin, org):
    response = as_user(admin).post(units_url(org), {"name": "Skunkworks", "kind": "team"})
    assert response.status_code == 201, response.json()
    unit = OrgUnit.objects.get(name="Skunkworks")
    assert unit.organization == org
    assert response.json()["version"] == 1


def test_unknown_field_is_rejected(as_user, admin, org):
    response = as_user(admin).post(units_url(org), {"name": "X", "colour": "red"})
    assert response.status_code == 400
    assert "colour" in response.json()
    assert not OrgUnit.objects.filter(name="X").exists()


def test_malformed_json_is_a_400(as_user, admin, org):
    response = as_user(admin).generic(
        "POST", units_url(org), '{"name": ', content_type="application/json"
    )
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_parent_from_another_org_is_rejected(as_user, admin, org, other_org):
    foreign = OrgUnitFactory(organization=other_org)
    response = as_user(admin).post(units_url(org), {"name": "Leak", "parent": foreign.pk})
    assert response.status_code == 400
    assert "parent" in response.json()


def test_duplicate_unit_name_is_a_clear_400(as_user, admin, org, unit):
    response = as_user(admin).post(units_url(org), {"name": unit.name})
    assert response.status_code == 400
    assert response.json()


def test_update_requires_version(as_user, admin, org, unit):
    response = as_user(admin).patch(units_url(org, unit.pk), {"name": "Renamed"})
    assert response.status_code == 400
    assert "version" in response.json()


def test_stale_version_answers_409_with_current_object(as_user, admin, org, unit):
    client = as_user(admin)
    first = client.patch(units_url(org, unit.pk), {"name": "Care", "version": 1})
    assert first.status_code == 200
    assert first.json()["version"] == 2
    stale = client.patch(units_url(org, unit.pk), {"name": "Support", "version": 1})
    assert stale.status_code == 409
    assert stale.json()["current"]["name"] == "Care"
    assert OrgUnit.objects.get(pk=unit.pk).name == "Care"


def test_unit_cannot_sit_below_its_own_child(as_user, admin, org, unit):
    child = OrgUnitFactory(organization=org, parent=unit)
    response = as_user(admin).patch(
        units_url(org, unit.pk), {"parent": child.pk, "version": unit.version}
    )
    assert response.status_code == 400
    assert "below itself" in str(response.json())


def test_deleting_unit_with_children_is_refused(as_user, admin, org, unit):
    OrgUnitFactory(organization=org, parent=unit)
    response = as_user(admin).delete(units_url(org, unit.pk))
    assert response.status_code == 400
    assert OrgUnit.objects.filter(pk=unit.pk).exists()


def test_history_records_who_changed_what(as_user, admin, org, unit):
    client = as_user(admin)
    client.patch(units_url(org, unit.pk), {"name": "Care", "version": 1})
    history = client.get(units_url(org, unit.pk) + "history/").json()
    assert history[0]["action"] == "changed"
    assert history[0]["user"] == admin.user.username
    assert {"field": "name", "old": "Customer Service", "new": "Care"} in history[0]["changes"]
    assert history[-1]["action"] == "created"


def test_viewer_cannot_change_roles(as_user, viewer, member, org):
    response = as_user(viewer).patch(
        f"/api/v1/orgs/{org.slug}/memberships/{member.pk}/", {"role": "admin", "version": 1}
    )
    assert response.status_code == 403
    assert Membership.objects.get(pk=member.pk).role == Role.MEMBER


def test_last_admin_cannot_be_demoted(as_user, admin, org):
    response = as_user(admin).patch(
        f"/api/v1/orgs/{org.slug}/memberships/{admin.pk}/", {"role": "viewer", "version": 1}
    )
    assert response.status_code == 400
    assert "at least one admin" in str(response.json())


def test_memberships_list_is_paginated_and_filterable(as_user, admin, viewer, org):
    response = as_user(admin).get(f"/api/v1/orgs/{org.slug}/memberships/?role=viewer")
    body = response.json()
    assert body["count"] == 1
    assert body["results"][0]["username"] == viewer.user.username


def test_memberships_list_query_count_is_flat(as_user, admin, org, django_assert_max_num_queries):
    client = as_user(admin)
    MembershipFactory.create_batch(3, organization=org)
    with django_assert_max_num_queries(8):
        assert client.get(f"/api/v1/orgs/{org.slug}/memberships/").status_code == 200
    MembershipFactory.create_batch(40, organization=org)
    with django_assert_max_num_queries(8):
        assert client.get(f"/api/v1/orgs/{org.slug}/memberships/").status_code == 200


def test_invitations_are_admin_only(as_user, manager, org):
    assert as_user(manager).get(f"/api/v1/orgs/{org.slug}/invitations/").status_code == 403


def test_admin_invites_by_api(as_user, admin, org, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(admin).post(
            f"/api/v1/orgs/{org.slug}/invitations/", {"email": "New@Example.com", "role": "member"}
        )
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "pending"
    assert mailoutbox[0].to == ["new@example.com"]
    assert "/invite/" in mailoutbox[0].body


def test_invalid_email_is_named(as_user, admin, org):
    response = as_user(admin).post(f"/api/v1/orgs/{org.slug}/invitations/", {"email": "nope"})
    assert response.status_code == 400
    assert "email" in response.json()


def test_schema_and_docs_are_served(client):
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
    assert b"cdn" not in docs.content.lower()
