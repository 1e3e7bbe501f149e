"""Pages of the tenancy core: scoping, roles, invitations, sign-in and the org switcher."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from cxalign.orgs import services
from cxalign.orgs.models import Invitation, Membership, OrgUnit
from cxalign.orgs.roles import Role
from tests.factories import PASSWORD, MembershipFactory, OrgUnitFactory

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login(client, org):
    response = client.get(f"/o/{org.slug}/people/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_home_redirects_to_first_organization(client, viewer, org):
    client.force_login(viewer.user)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == f"/o/{org.slug}/"


def test_user_without_organization_sees_guidance(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("lonely", password=PASSWORD))
    response = client.get("/")
    assert response.status_code == 200
    assert b"not in any organization" in response.content


@pytest.mark.parametrize("path", ["", "people/", "units/"])
def test_outsider_gets_404_on_every_page(client, outsider, org, path):
    client.force_login(outsider.user)
    assert client.get(f"/o/{org.slug}/{path}").status_code == 404


def test_unknown_org_slug_is_404(client, viewer):
    client.force_login(viewer.user)
    assert client.get("/o/does-not-exist/").status_code == 404


def test_inactive_member_gets_404(client, viewer, org):
    viewer.is_active = False
    viewer.save()
    client.force_login(viewer.user)
    assert client.get(f"/o/{org.slug}/").status_code == 404


def test_viewer_sees_people_but_cannot_invite(client, viewer, org):
    client.force_login(viewer.user)
    page = client.get(f"/o/{org.slug}/people/")
    assert page.status_code == 200
    assert b"Invite someone" not in page.content
    response = client.post(f"/o/{org.slug}/people/", {"email": "x@example.com", "role": "admin"})
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_viewer_cannot_add_unit(client, viewer, org):
    client.force_login(viewer.user)
    response = client.post(f"/o/{org.slug}/units/", {"name": "Shadow IT", "kind": "team"})
    assert response.status_code == 403
    assert not OrgUnit.objects.filter(name="Shadow IT").exists()


def test_admin_adds_unit_and_sees_it_in_tree(client, admin, org, unit):
    client.force_login(admin.user)
    response = client.post(
        f"/o/{org.slug}/units/", {"name": "Support Desk", "kind": "team", "parent": unit.pk}
    )
    assert response.status_code == 302
    tree = client.get(f"/o/{org.slug}/units/").content.decode()
    assert "Support Desk" in tree
    assert OrgUnit.objects.get(name="Support Desk").parent == unit


def test_unit_form_rejects_parent_of_another_org(client, admin, org, other_org):
    foreign = OrgUnitFactory(organization=other_org)
    client.force_login(admin.user)
    response = client.post(
        f"/o/{org.slug}/units/", {"name": "Leak", "kind": "team", "parent": foreign.pk}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not OrgUnit.objects.filter(name="Leak").exists()


def test_unit_edit_with_stale_version_keeps_users_text(client, admin, org, unit):
    client.force_login(admin.user)
    url = f"/o/{org.slug}/units/{unit.pk}/edit/"
    OrgUnit.objects.filter(pk=unit.pk).update(version=2, name="Changed elsewhere")
    response = client.post(url, {"name": "My careful rename", "kind": "team", "version": 1})
    assert response.status_code == 200
    html = response.content.decode()
    assert "changed by someone else" in html
    assert "My careful rename" in html
    assert OrgUnit.objects.get(pk=unit.pk).name == "Changed elsewhere"
    # The form now carries the current version: saving again goes through.
    retry = client.post(url, {"name": "My careful rename", "kind": "team", "version": 2})
    assert retry.status_code == 302
    assert OrgUnit.objects.get(pk=unit.pk).name == "My careful rename"


def test_admin_changes_role_and_history_shows_it(client, admin, member, org):
    client.force_login(admin.user)
    response = client.post(
        f"/o/{org.slug}/people/{member.pk}/edit/", {"role": "manager", "title": "", "version": 1}
    )
    assert response.status_code == 302
    assert Membership.objects.get(pk=member.pk).role == Role.MANAGER
    history = client.get(f"/o/{org.slug}/history/orgs/membership/{member.pk}/").content.decode()
    assert "Member → <strong>manager</strong>" in history or "member → <strong>manager" in history


def test_history_page_of_other_orgs_object_is_404(client, admin, org, other_org):
    foreign = OrgUnitFactory(organization=other_org)
    client.force_login(admin.user)
    assert client.get(f"/o/{org.slug}/history/orgs/orgunit/{foreign.pk}/").status_code == 404
    assert client.get(f"/o/{org.slug}/history/auth/user/{admin.user.pk}/").status_code == 404


def test_history_page_lists_changes(client, admin, org, unit):
    client.force_login(admin.user)
    client.post(
        f"/o/{org.slug}/units/{unit.pk}/edit/", {"name": "Care", "kind": "team", "version": 1}
    )
    page = client.get(f"/o/{org.slug}/history/orgs/orgunit/{unit.pk}/").content.decode()
    assert "Changed" in page
    assert admin.user.username in page
    assert timezone.now().strftime("%Y, ") in page  # a readable date, e.g. "23 Nov 2026, 19:06"
    assert "Care" in page


def test_org_switcher_lists_every_membership(client, viewer, org, other_org):
    MembershipFactory(organization=other_org, user=viewer.user, role=Role.MEMBER)
    client.force_login(viewer.user)
    html = client.get(f"/o/{org.slug}/people/").content.decode()
    assert f'data-org="{other_org.slug}"' in html
    assert f'href="/o/{other_org.slug}/people/"' in html


def test_pages_keep_query_count_flat(client, admin, org, django_assert_max_num_queries):
    client.force_login(admin.user)
    for path in ("people/", "units/"):
        MembershipFactory.create_batch(3, organization=org)
        OrgUnitFactory.create_batch(3, organization=org)
        with django_assert_max_num_queries(14):
            assert client.get(f"/o/{org.slug}/{path}").status_code == 200
        MembershipFactory.create_batch(30, organization=org)
        OrgUnitFactory.create_batch(30, organization=org)
        with django_assert_max_num_queries(14):
            assert client.get(f"/o/{org.slug}/{path}").status_code == 200


# Invitations ---------------------------------------------------------------------------


def _invite(org, admin, email="new@example.com", role=Role.MEMBER):
    return services.invitation_create(organization=org, invited_by=admin, email=email, role=role)


def test_admin_invites_and_link_is_mailed(client, admin, org, django_capture_on_commit_callbacks):
    client.force_login(admin.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/o/{org.slug}/people/", {"email": "Pat@Example.com", "role": "manager"}
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "pat@example.com"
    assert invitation.role == Role.MANAGER
    assert len(mail.outbox) == 1
    assert "/invite/" in mail.outbox[0].body
    assert invitation.token_hash not in mail.outbox[0].body


def test_inviting_an_existing_member_is_refused(client, admin, member, org):
    client.force_login(admin.user)
    response = client.post(f"/o/{org.slug}/people/", {"email": member.user.email, "role": "viewer"})
    assert response.status_code == 200
    assert "already a member" in response.content.decode()
    assert not Invitation.objects.exists()


def test_new_person_accepts_invitation_and_lands_in_org(client, admin, org):
    _, token = _invite(org, admin)
    page = client.get(f"/invite/{token}/")
    assert page.status_code == 200
    response = client.post(
        f"/invite/{token}/",
        {"username": "pat", "password1": "a-long-pass-phrase", "password2": "a-long-pass-phrase"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/o/{org.slug}/"
    membership = Membership.objects.get(user__username="pat")
    assert membership.organization == org
    assert membership.role == Role.MEMBER


def test_invitation_is_single_use(client, admin, org):
    _, token = _invite(org, admin)
    data = {"username": "pat", "password1": "a-long-pass-phrase", "password2": "a-long-pass-phrase"}
    client.post(f"/invite/{token}/", data)
    client.logout()
    again = client.post(f"/invite/{token}/", {**data, "username": "pat2"})
    assert again.status_code == 410
    assert "already used" in again.content.decode()
    assert not Membership.objects.filter(user__username="pat2").exists()


def test_expired_invitation_is_refused(client, admin, org):
    invitation, token = _invite(org, admin)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    response = client.get(f"/invite/{token}/")
    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_unknown_invitation_token_is_refused(client):
    response = client.get("/invite/not-a-token/")
    assert response.status_code == 410
    assert "not valid" in response.content.decode()


def test_weak_password_on_invitation_is_explained_and_writes_nothing(client, admin, org):
    _, token = _invite(org, admin)
    response = client.post(
        f"/invite/{token}/", {"username": "pat", "password1": "123", "password2": "123"}
    )
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    assert not Membership.objects.filter(user__username="pat").exists()
    assert Invitation.objects.get().accepted_at is None


def test_signed_in_user_joins_second_org_by_invitation(client, admin, other_org, outsider):
    invitation, token = services.invitation_create(
        organization=other_org,
        invited_by=outsider,
        email=admin.user.email,
        role=Role.VIEWER,
    )
    client.force_login(admin.user)
    response = client.post(f"/invite/{token}/")
    assert response.status_code == 302
    assert Membership.objects.filter(user=admin.user, organization=other_org).exists()


def test_revoked_invitation_is_refused(client, admin, org):
    invitation, token = _invite(org, admin)
    client.force_login(admin.user)
    client.post(f"/o/{org.slug}/invitations/{invitation.pk}/revoke/")
    client.logout()
    assert client.get(f"/invite/{token}/").status_code == 410


# Sign-in -------------------------------------------------------------------------------


def test_wrong_password_shows_message(client, viewer):
    response = client.post(
        "/accounts/login/", {"username": viewer.user.username, "password": "wrong"}
    )
    assert response.status_code == 200
    assert "Wrong username or password" in response.content.decode()


def test_login_is_rate_limited_after_five_failures(client, viewer):
    for _ in range(5):
        client.post("/accounts/login/", {"username": viewer.user.username, "password": "wrong"})
    locked = client.post(
        "/accounts/login/", {"username": viewer.user.username, "password": PASSWORD}
    )
    assert locked.status_code == 429
    assert "Too many sign-in attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_correct_password_signs_in(client, viewer):
    response = client.post(
        "/accounts/login/", {"username": viewer.user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(viewer.user.pk)


def test_password_reset_mails_a_link(client, viewer):
    response = client.post("/accounts/password_reset/", {"email": viewer.user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body


def test_password_change_requires_old_password(client, viewer):
    client.force_login(viewer.user)
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": "wrong",
            "new_password1": "n3w-pass-phrase",
            "new_password2": "n3w-pass-phrase",
        },
    )
    assert response.status_code == 200
    assert "incorrect" in response.content.decode()


def test_not_found_page_is_friendly(client, viewer):
    client.force_login(viewer.user)
    response = client.get("/o/no-such-org/")
    assert response.status_code == 404
    assert "could not find that page" in response.content.decode()


def test_forbidden_page_says_which_role_is_needed(client, viewer, org):
    client.force_login(viewer.user)
    response = client.post(f"/o/{org.slug}/units/", {"name": "X"})
    assert response.status_code == 403
    assert "it needs Admin or higher" in response.content.decode()


def test_csrf_failure_page_explains(viewer, org):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(viewer.user)
    response = strict.post(f"/o/{org.slug}/units/", {"name": "X"})
    assert response.status_code == 403
    assert "form has expired" in response.content.decode()


@pytest.mark.parametrize(
    "path", ["units/{unit}/delete/", "people/{member}/deactivate/", "invitations/1/revoke/"]
)
def test_post_only_actions_answer_405_to_get(client, admin, member, unit, org, path):
    client.force_login(admin.user)
    url = f"/o/{org.slug}/" + path.format(unit=unit.pk, member=member.pk)
    assert client.get(url).status_code == 405


def test_only_the_most_specific_sidebar_link_is_active(client, admin, org):
    client.force_login(admin.user)
    response = client.get(f"/o/{org.slug}/units/")
    active = [
        item["label"]
        for section in response.context["nav_sections"]
        for item in section["items"]
        if item["active"]
    ]
    assert active == ["Org units"]


def test_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")


# ---------------------------------------------------------------- settings


SETTINGS_FORM = {"name": "Acme Retail", "time_zone": "Europe/Berlin", "currency": "usd",
                 "churn_horizon_days": "60", "checkin_cadence_days": "14",
                 "followup_sla_hours": "24", "rising_theme_ratio": "1.5",
                 "rising_theme_min_responses": "20", "detractor_move_share": "0.2",
                 "runs_kept": "10"}  # fmt: skip


def test_admin_changes_the_settings_the_engine_reads(client, admin, org):
    client.force_login(admin.user)
    response = client.post(f"/o/{org.slug}/settings/", SETTINGS_FORM, follow=True)
    org.refresh_from_db()
    assert (org.time_zone, org.currency, org.followup_sla_hours) == ("Europe/Berlin", "USD", 24)
    assert (org.rising_theme_ratio, org.detractor_move_share, org.runs_kept) == (1.5, 0.2, 10)
    note = " ".join(str(m) for m in response.context["messages"])
    assert note.startswith("Settings saved. The figures still use the old ")
    assert "follow-up service level (hours)" in note and "time zone" in note
    assert "currency" not in note  # shown beside the figures, not read by the engine
    assert org.history.count() == 2  # created, then changed
    again = client.post(f"/o/{org.slug}/settings/", SETTINGS_FORM, follow=True)
    assert [str(m) for m in again.context["messages"]] == ["Settings saved."]


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [("currency", "E1R", "is not a currency code"), ("currency", "euro", "at most 3 characters"), ("time_zone", "Mars/Base", "not in the list of time zones"),
     ("detractor_move_share", "1.5", "less than or equal to 1"),
     ("rising_theme_ratio", "0.5", "greater than or equal to 1"),
     ("followup_sla_hours", "-3", "greater than or equal to 0"), ("name", "", "required")],
)  # fmt: skip
def test_a_bad_setting_is_named_and_nothing_is_saved(client, admin, org, field, value, error):
    client.force_login(admin.user)
    page = client.post(f"/o/{org.slug}/settings/", {**SETTINGS_FORM, field: value})
    assert page.status_code == 200
    assert error in " ".join(page.context["form"].errors[field])
    org.refresh_from_db()
    assert (org.currency, org.time_zone, org.name) == ("EUR", "UTC", "Acme Retail")


def test_everyone_sees_the_settings_only_admins_change_them(client, viewer, org):
    client.force_login(viewer.user)
    page = client.get(f"/o/{org.slug}/settings/").content.decode()
    assert "Follow-up service level (hours)" in page and "Only an admin can change these." in page
    assert 'data-testid="settings-form"' not in page
    assert client.post(f"/o/{org.slug}/settings/", SETTINGS_FORM).status_code == 403
    org.refresh_from_db()
    assert org.currency == "EUR"


def test_the_settings_of_another_organization_are_out_of_reach(client, admin, org, other_org):
    client.force_login(admin.user)
    assert client.get(f"/o/{other_org.slug}/settings/").status_code == 404
    assert client.post(f"/o/{other_org.slug}/settings/", SETTINGS_FORM).status_code == 404
    other_org.refresh_from_db()
    assert other_org.currency == "EUR"


def test_the_dashboards_cached_page_follows_the_settings(org):
    from alignment.dashboard import page_key

    before = page_key(organization=org, params={}, variant="v1")
    org.followup_sla_hours = 12
    assert page_key(organization=org, params={}, variant="v1") != before


@pytest.mark.parametrize(
    "field", ["churn_horizon_days", "checkin_cadence_days", "followup_sla_hours"]
)
def test_a_zero_period_is_refused(client, admin, org, field):
    """A cadence of 0 days would make every goal overdue at once (and escalate them)."""
    client.force_login(admin.user)
    page = client.post(f"/o/{org.slug}/settings/", {**SETTINGS_FORM, field: "0"})
    assert "greater than or equal to 1" in " ".join(page.context["form"].errors[field])


def test_a_time_zone_outside_the_list_is_refused_but_the_saved_one_is_kept(client, admin, org):
    client.force_login(admin.user)
    page = client.post(
        f"/o/{org.slug}/settings/", {**SETTINGS_FORM, "time_zone": "posix/Europe/Berlin"}
    )
    assert "not in the list of time zones" in " ".join(page.context["form"].errors["time_zone"])
    type(org).objects.filter(pk=org.pk).update(time_zone="posix/Europe/Berlin")  # set elsewhere
    shown = client.get(f"/o/{org.slug}/settings/").content.decode()
    assert '<option value="posix/Europe/Berlin" selected>' in shown
    form = {**SETTINGS_FORM, "time_zone": "posix/Europe/Berlin", "currency": "GBP"}
    client.post(f"/o/{org.slug}/settings/", form)
    org.refresh_from_db()
    assert (org.time_zone, org.currency) == ("posix/Europe/Berlin", "GBP")
