"""Fixtures every app's tests share: an organization, one member per role, and an outsider."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from cxalign.celery import app as celery_app
from cxalign.orgs.roles import Role
from tests.factories import MembershipFactory, OrganizationFactory, OrgUnitFactory


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    """PBKDF2 costs ~0.3 s a user; tests make hundreds. Production hashing is unchanged."""
    from django.conf import settings
    from django.contrib.auth.hashers import get_hashers, get_hashers_by_algorithm

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    get_hashers.cache_clear()
    get_hashers_by_algorithm.cache_clear()
    yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters and cached values never leak from one test to the next."""
    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _celery_inline():
    """Tasks run inline unless a test asks for a real worker (`celery_worker`)."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = True


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker over Redis, in a thread of the test process."""
    from celery.contrib.testing.worker import start_worker

    celery_app.conf.task_always_eager = False
    celery_app.loader.import_module("celery.contrib.testing.tasks")
    with start_worker(celery_app, pool="solo", loglevel="WARNING", perform_ping_check=True) as w:
        yield w
    celery_app.conf.task_always_eager = True


@pytest.fixture
def org(db):
    return OrganizationFactory(name="Acme Retail", slug="acme")


@pytest.fixture
def other_org(db):
    return OrganizationFactory(name="Other Corp", slug="other")


@pytest.fixture
def unit(org):
    return OrgUnitFactory(organization=org, name="Customer Service")


def _member(org, role, username):
    return MembershipFactory(organization=org, role=role, user__username=username)


@pytest.fixture
def admin(org):
    return _member(org, Role.ADMIN, "t_admin")


@pytest.fixture
def executive(org):
    return _member(org, Role.EXECUTIVE, "t_exec")


@pytest.fixture
def cx_lead(org):
    return _member(org, Role.CX_LEAD, "t_cxlead")


@pytest.fixture
def manager(org):
    return _member(org, Role.MANAGER, "t_manager")


@pytest.fixture
def member(org):
    return _member(org, Role.MEMBER, "t_member")


@pytest.fixture
def viewer(org):
    return _member(org, Role.VIEWER, "t_viewer")


@pytest.fixture
def outsider(other_org):
    """Admin of another organization: must never see or touch `org`'s rows."""
    return _member(other_org, Role.ADMIN, "t_outsider")


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def as_user(api_client):
    """as_user(membership) -> an APIClient signed in as that membership's user."""

    def _login(membership):
        api_client.force_authenticate(membership.user)
        return api_client

    return _login
