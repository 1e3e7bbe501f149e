"""The add_member command: one JSON object on stdout, clear errors, nothing half-written."""

import pytest
from django.core.management.base import CommandError

from cxalign.orgs.models import Membership
from cxalign.orgs.roles import Role
from tests.factories import MembershipFactory, OrgUnitFactory, UserFactory
from tests.orgs.management.commands.json_output import run

pytestmark = pytest.mark.django_db


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
