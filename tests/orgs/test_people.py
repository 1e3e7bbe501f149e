"""The signed-in person read from the shared cache (cxalign/orgs/people.py): no query for the
user and their memberships once loaded, and every change to those rows seen on the next page."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from cxalign.orgs import people
from cxalign.orgs.models import Membership
from cxalign.orgs.roles import Role
from cxalign.orgs.services import membership_deactivate
from tests.factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def signed_in(membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


def _tables(queries) -> str:
    return " ".join(q["sql"] for q in queries)


def test_a_second_page_reads_no_user_membership_or_session_row(org, viewer):
    client = signed_in(viewer)
    for _ in range(2):  # the first page records the visit, which reloads the person once
        assert client.get(f"/o/{org.slug}/").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/o/{org.slug}/").status_code == 200
    sql = _tables(queries.captured_queries)
    assert '"auth_user"."password"' not in sql  # only loading the signed-in user reads it
    assert "django_session" not in sql
    assert '"orgs_membership"."last_used_at"' not in sql  # only the memberships' load reads it


def test_a_deactivated_membership_is_refused_on_the_next_page(org, viewer, admin):
    client = signed_in(viewer)
    assert client.get(f"/o/{org.slug}/").status_code == 200
    membership_deactivate(membership=viewer)
    assert client.get(f"/o/{org.slug}/").status_code == 404


def test_a_deleted_membership_is_refused_on_the_next_page(org, viewer):
    client = signed_in(viewer)
    assert client.get(f"/o/{org.slug}/").status_code == 200
    Membership.objects.filter(pk=viewer.pk).delete()
    assert client.get(f"/o/{org.slug}/").status_code == 404


def test_a_lowered_role_is_seen_on_the_next_page(org, admin):
    second = MembershipFactory(organization=org, role=Role.ADMIN)
    client = signed_in(second)
    assert client.post(f"/o/{org.slug}/settings/", {}).status_code == 200  # the form's errors
    second.role = Role.VIEWER
    second.save()
    assert client.post(f"/o/{org.slug}/settings/", {}).status_code == 403


def test_a_deactivated_user_is_signed_out(org, viewer):
    client = signed_in(viewer)
    assert client.get(f"/o/{org.slug}/").status_code == 200
    user = get_user_model().objects.get(pk=viewer.user_id)
    user.is_active = False
    user.save()
    assert client.get(f"/o/{org.slug}/").status_code == 302


def test_a_password_changed_elsewhere_ends_the_session(org, viewer):
    client = signed_in(viewer)
    assert client.get(f"/o/{org.slug}/").status_code == 200
    user = get_user_model().objects.get(pk=viewer.user_id)
    user.set_password("an entirely new one 123")
    user.save()
    assert client.get(f"/o/{org.slug}/").status_code == 302


def test_a_renamed_organization_shows_its_new_name(org, viewer):
    second = OrganizationFactory(name="Second Co")
    MembershipFactory(organization=second, user=viewer.user, role=Role.VIEWER)
    client = signed_in(viewer)
    assert "Second Co" in client.get(f"/o/{org.slug}/").content.decode()
    second.name = "Renamed Co"
    second.save()
    page = client.get(f"/o/{org.slug}/").content.decode()
    assert "Renamed Co" in page and "Second Co" not in page


def test_a_new_membership_appears_in_the_switcher(org, viewer):
    client = signed_in(viewer)
    assert client.get(f"/o/{org.slug}/").status_code == 200
    MembershipFactory(organization=OrganizationFactory(name="Joined Co"), user=viewer.user)
    assert "Joined Co" in client.get(f"/o/{org.slug}/").content.decode()


def test_each_load_has_a_new_edition(viewer):
    first = people.person_get(viewer.user_id)
    assert people.person_get(viewer.user_id).cx_edition == first.cx_edition
    viewer.title = "Head of care"
    viewer.save()
    again = people.person_get(viewer.user_id)
    assert again.cx_edition != first.cx_edition
    assert [m.title for m in again.cx_memberships] == ["Head of care"]


@override_settings(SHARED_CACHE=False)
def test_without_a_shared_cache_the_database_is_read_every_time(viewer):
    user = people.person_get(viewer.user_id)
    assert user.pk == viewer.user_id
    assert not hasattr(user, "cx_memberships")
    with CaptureQueriesContext(connection) as queries:
        people.person_get(viewer.user_id)
    assert len(queries) == 1


def test_no_such_user_is_none(db):
    assert people.person_get(987654321) is None


def test_rows_read_before_a_change_are_never_taken_for_current(viewer):
    """A page that read the person before a change committed may store them after it: they
    carry the old generation, so the next read loads the rows again."""
    assert people.person_get(viewer.user_id).cx_memberships
    read_too_early = cache.get(people.KEY.format(viewer.user_id))
    membership_deactivate(membership=viewer)
    cache.set(people.KEY.format(viewer.user_id), read_too_early, 60)
    assert people.person_get(viewer.user_id).cx_memberships == []


def test_a_change_renews_the_generation_again_after_the_commit(
    viewer, django_capture_on_commit_callbacks
):
    key = people.GENERATION_KEY.format(viewer.user_id)
    with django_capture_on_commit_callbacks(execute=True):
        viewer.title = "Head of care"
        viewer.save()
        before_commit = cache.get(key)
    assert before_commit is not None and cache.get(key) not in (None, before_commit)


def test_deleting_a_unit_renews_its_members(org, viewer, unit):
    viewer.unit = unit
    viewer.save()
    assert people.person_get(viewer.user_id).cx_memberships[0].unit == unit
    unit.delete()
    assert people.person_get(viewer.user_id).cx_memberships[0].unit is None


def test_sign_out_everywhere_ends_a_session_put_back_before_the_commit(
    org, viewer, django_capture_on_commit_callbacks
):
    laptop, phone = Client(), Client()
    for device in (laptop, phone):
        device.force_login(viewer.user)
    assert laptop.get(f"/o/{org.slug}/").status_code == 200
    key = "django.contrib.sessions.cached_db" + laptop.cookies["sessionid"].value
    loaded = cache.get(key)
    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        phone.post("/accounts/sign-out-everywhere/")
    cache.set(key, loaded, 600)  # a page of the laptop loaded its session before the commit
    for callback in after_commit:
        callback()
    assert laptop.get(f"/o/{org.slug}/").status_code == 302
