"""The demo command: idempotent, and the demo logins have the documented roles."""

import json

import pytest
from django.core.management import call_command

from cxalign.orgs.demo import DEMO_PASSWORD
from cxalign.orgs.models import Membership, Organization, OrgUnit
from cxalign.orgs.roles import Role


@pytest.mark.django_db
def test_demo_is_idempotent(capsys):
    call_command("demo", "--core-only")
    first = json.loads(capsys.readouterr().out)
    assert first["created"]["core"]["organizations"] == 2
    counts = (Organization.objects.count(), Membership.objects.count(), OrgUnit.objects.count())
    call_command("demo", "--core-only")
    second = json.loads(capsys.readouterr().out)
    assert second["created"]["core"] == {}
    assert counts == (
        Organization.objects.count(),
        Membership.objects.count(),
        OrgUnit.objects.count(),
    )


@pytest.mark.django_db
def test_demo_logins_have_the_documented_roles(client):
    call_command("demo", "--core-only")
    expected = {
        "admin": ("northwind", Role.ADMIN),
        "exec": ("northwind", Role.EXECUTIVE),
        "cxlead": ("northwind", Role.CX_LEAD),
        "manager": ("northwind", Role.MANAGER),
        "member": ("northwind", Role.MEMBER),
        "viewer": ("northwind", Role.VIEWER),
        "outsider": ("globex", Role.ADMIN),
    }
    for username, (slug, role) in expected.items():
        assert Membership.objects.get(user__username=username, organization__slug=slug).role == role
        response = client.post(
            "/accounts/login/", {"username": username, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, username
        client.logout()
    assert set(
        Membership.objects.filter(organization__slug="globex").values_list(
            "user__username", flat=True
        )
    ) == {"outsider", "exec", "cxlead"}
    assert not Membership.objects.filter(
        user__username="outsider", organization__slug="northwind"
    ).exists()
    depth = 0
    unit = OrgUnit.objects.get(organization__slug="northwind", name="Support Desk")
    while unit.parent_id:
        depth += 1
        unit = unit.parent
    assert depth >= 3
