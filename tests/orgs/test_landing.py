"""Where "/" takes someone who belongs to several organizations: the one they used last, else
the one where they have the most to do; each role's own page there."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cxalign.orgs.models import Membership
from cxalign.orgs.roles import Role
from tests.factories import (
    CycleFactory,
    FlagFactory,
    FollowUpFactory,
    GoalFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    return UserFactory(username="two_orgs")


@pytest.fixture
def quiet(person):
    """First alphabetically, and nothing to do there."""
    org = OrganizationFactory(name="Aardvark Ltd", slug="aardvark")
    return MembershipFactory(organization=org, user=person, role=Role.EXECUTIVE)


@pytest.fixture
def busy(person):
    org = OrganizationFactory(name="Zenith Group", slug="zenith")
    return MembershipFactory(organization=org, user=person, role=Role.EXECUTIVE)


def _dashboard(membership: Membership) -> str:
    return f"/o/{membership.organization.slug}/alignment/dashboard/"


def _membership_updates(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith('UPDATE "orgs_membership"')]


def test_never_used_opens_where_there_is_most_to_do(client, person, quiet, busy):
    cycle = CycleFactory(organization=busy.organization)
    GoalFactory(cycle=cycle, owner=busy)
    FlagFactory(cycle=cycle, owner=busy)
    FollowUpFactory(response__source__organization=busy.organization, owner=busy)
    client.force_login(person)
    assert client.get("/")["Location"] == _dashboard(busy)


def test_finished_work_does_not_count(client, person, quiet, busy):
    cycle = CycleFactory(organization=busy.organization)
    GoalFactory(cycle=cycle, owner=busy, status="achieved")
    FlagFactory(cycle=cycle, owner=busy, state="resolved")
    client.force_login(person)
    assert client.get("/")["Location"] == _dashboard(quiet)


def test_home_opens_the_organization_used_last(client, person, quiet, busy):
    client.force_login(person)
    client.get(_dashboard(quiet))
    assert client.get("/")["Location"] == _dashboard(quiet)
    client.get(_dashboard(busy))
    assert client.get("/")["Location"] == _dashboard(busy)
    # Back and forth within minutes: the session tells the switch, so it is written at once.
    client.get(f"/o/{quiet.organization.slug}/people/")
    assert client.get("/")["Location"] == _dashboard(quiet)


def test_last_organization_outlives_the_session(client, person, quiet, busy):
    client.force_login(person)
    client.get(_dashboard(quiet))
    client.logout()
    client.force_login(person)
    assert client.get("/")["Location"] == _dashboard(quiet)


def test_staying_in_one_organization_does_not_write_on_every_page(client, person, quiet, busy):
    client.force_login(person)
    with CaptureQueriesContext(connection) as first:
        client.get(_dashboard(busy))
    assert len(_membership_updates(first.captured_queries)) == 1
    for path in ("alignment/dashboard/", "people/", "alignment/flags/"):
        with CaptureQueriesContext(connection) as later:
            client.get(f"/o/{busy.organization.slug}/{path}")
        assert _membership_updates(later.captured_queries) == [], path


def test_opening_pages_adds_no_change_history(client, person, quiet, busy):
    client.force_login(person)
    before = busy.history.count()
    client.get(_dashboard(busy))
    busy.refresh_from_db()
    assert busy.last_used_at is not None
    assert busy.history.count() == before


def test_manager_lands_on_their_own_view_in_the_last_organization(client, person, quiet, busy):
    busy.role = Role.MANAGER
    busy.save()
    client.force_login(person)
    client.get(f"/o/{busy.organization.slug}/people/")
    assert client.get("/")["Location"] == f"/o/{busy.organization.slug}/alignment/me/"
