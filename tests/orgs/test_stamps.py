"""The organization's data stamp in the shared cache (cxalign/orgs/stamps.py): computed once
while it stands, forgotten by every write: a write request to a page or an endpoint, a saved or
deleted row the dashboard shows."""

import pytest
from django.core.cache import cache
from django.test.utils import override_settings

from cxalign.orgs import stamps
from tests.factories import CycleFactory, GoalFactory

pytestmark = pytest.mark.django_db


def _stamp(org, value="before"):
    return stamps.stamp_get(org.id, lambda: value)


def test_computed_once_while_it_stands_and_again_once_forgotten(org):
    assert _stamp(org, "first") == "first"
    assert _stamp(org, "second") == "first"
    stamps.stamp_forget(org.id)
    assert _stamp(org, "third") == "third"


def test_it_stands_no_longer_than_its_ttl(org):
    _stamp(org)
    client = cache._cache.get_client(stamps.KEY, write=False)  # Django's Redis cache's client
    assert 0 < client.ttl(cache.make_and_validate_key(stamps.KEY.format(org.id))) <= stamps.TTL_S


@override_settings(SHARED_CACHE=False)
def test_without_a_shared_cache_it_is_computed_every_time(org):
    assert _stamp(org, "first") == "first"
    assert _stamp(org, "second") == "second"


def test_a_saved_or_deleted_row_forgets_it(org):
    goal = GoalFactory(cycle=CycleFactory(organization=org))
    _stamp(org)
    goal.title = "Renamed"
    goal.save()
    assert _stamp(org, "after the save") == "after the save"
    goal.delete()
    assert _stamp(org, "after the delete") == "after the delete"


def test_an_api_write_forgets_it_a_read_does_not(as_user, admin, org):
    api = as_user(admin)
    _stamp(org)
    assert api.get(f"/api/v1/orgs/{org.slug}/units/").status_code == 200
    assert _stamp(org, "after a read") == "before"
    assert api.post(f"/api/v1/orgs/{org.slug}/units/", {"name": ""}).status_code == 400
    assert _stamp(org, "after a write request") == "after a write request"


def test_an_api_write_to_another_organization_leaves_it(as_user, outsider, org, other_org):
    api = as_user(outsider)
    _stamp(org)
    api.post(f"/api/v1/orgs/{other_org.slug}/units/", {"name": "Theirs"})
    assert _stamp(org, "after their write") == "before"
