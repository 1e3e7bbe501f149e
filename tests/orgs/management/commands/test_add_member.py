"""create_org and add_member: one JSON object on stdout, clear errors, nothing half-written."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cxalign.orgs.models import Membership, Organization
from cxalign.orgs.roles import Role
from kpis.catalogue import BUILTIN_KPIS
from kpis.models import KPI
from tests.factories import MembershipFactory, OrgUnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def run(*args) -> dict:
    out = io.StringIO()
    call_command(*args, stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1, lines
    return json.loads(lines[0])


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


def test_add_member_adds_with_role_and_unit(org):
    OrgUnitFactory(organization=org, name="Sales")
    UserFactory(username="bob")
    result = run("add_member", "--org", "acme", "bob", "--role", "manager", "--unit", "sales")
    assert result == {"status": "added", "organization": "acme", "username": "bob",
                      "role": "manager", "unit": "Sales"}  # fmt: skip
    member = Membership.objects.get(organization=org, user__username="bob")
    assert (member.role, member.unit.name) == (Role.MANAGER, "Sales")


def test_add_member_rerun_updates_role_and_keeps_unit(org):
    OrgUnitFactory(organization=org, name="Sales")
    UserFactory(username="bob")
    run("add_member", "--org", "acme", "bob", "--role", "manager", "--unit", "Sales")
    result = run("add_member", "--org", "acme", "bob", "--role", "executive")
    assert result["status"] == "updated"
    assert (result["role"], result["unit"]) == ("executive", "Sales")
    assert Membership.objects.filter(organization=org, user__username="bob").count() == 1
    assert Membership.objects.get(user__username="bob").role == Role.EXECUTIVE


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ghost", "--role", "member"], "no user “ghost”"),
        (["bob", "--role", "boss"], "“boss” is not a role"),
        (["bob", "--role", "member", "--unit", "Nowhere"], "no unit “Nowhere”"),
    ],
)
def test_add_member_bad_input_writes_nothing(org, args, message):
    UserFactory(username="bob")
    with pytest.raises(CommandError, match=message):
        run("add_member", "--org", "acme", *args)
    assert not Membership.objects.filter(organization=org).exists()


def test_add_member_unknown_org():
    UserFactory(username="bob")
    with pytest.raises(CommandError, match="no organization “nope”"):
        run("add_member", "--org", "nope", "bob", "--role", "member")
    assert not Membership.objects.exists()


def test_add_member_cannot_demote_the_last_admin(org):
    MembershipFactory(organization=org, role=Role.ADMIN, user__username="root")
    with pytest.raises(CommandError, match="at least one admin"):
        run("add_member", "--org", "acme", "root", "--role", "viewer")
    assert Membership.objects.get(user__username="root").role == Role.ADMIN


def test_unit_of_another_org_is_unknown(org, other_org):
    OrgUnitFactory(organization=other_org, name="Sales")
    UserFactory(username="bob")
    with pytest.raises(CommandError, match="no unit “Sales”"):
        run("add_member", "--org", "acme", "bob", "--role", "member", "--unit", "Sales")
