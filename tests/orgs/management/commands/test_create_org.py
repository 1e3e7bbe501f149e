"""The create_org command: an admin and the built-in KPIs; unknown users, taken and bad slugs
are refused."""

import pytest
from django.core.management.base import CommandError

from cxalign.orgs.models import Membership, Organization
from cxalign.orgs.roles import Role
from kpis.catalogue import BUILTIN_KPIS
from kpis.models import KPI
from tests.factories import UserFactory
from tests.orgs.management.commands.json_output import run

pytestmark = pytest.mark.django_db


def test_create_org_makes_admin_and_builtin_kpis():
    UserFactory(username="alice")
    result = run("create_org", "newco", "--name", "New Co", "--admin", "alice")
    assert result == {"status": "created", "organization": "newco", "name": "New Co",
                      "admin": "alice"}  # fmt: skip
    org = Organization.objects.get(slug="newco")
    assert org.name == "New Co"
    member = Membership.objects.get(organization=org)
    assert (member.user.username, member.role, member.is_active) == ("alice", Role.ADMIN, True)
    keys = set(KPI.objects.filter(organization=org).values_list("key", flat=True))
    assert keys == {k[0] for k in BUILTIN_KPIS}


def test_create_org_unknown_user_writes_nothing():
    with pytest.raises(CommandError, match="no user “ghost”"):
        run("create_org", "newco", "--name", "New Co", "--admin", "ghost")
    assert not Organization.objects.filter(slug="newco").exists()


def test_create_org_existing_slug_is_refused(org):
    UserFactory(username="alice")
    with pytest.raises(CommandError, match="already an organization “acme”"):
        run("create_org", "acme", "--name", "Another", "--admin", "alice")
    assert Organization.objects.get(slug="acme").name == "Acme Retail"
    assert not Membership.objects.filter(user__username="alice").exists()


def test_create_org_bad_slug_is_refused():
    UserFactory(username="alice")
    with pytest.raises(CommandError, match="slug"):
        run("create_org", "not a slug!", "--name", "X", "--admin", "alice")
    assert not Organization.objects.exists()
