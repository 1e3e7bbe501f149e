"""The shared bases every app's pages and endpoints are declared on: one helper fetches an
object for a member, one builds an organization's URLs, one calls a service."""

import ast
from pathlib import Path

import pytest
from django.http import Http404
from django.urls import reverse

from cxalign.orgs.models import OrgUnit
from cxalign.orgs.tenancy import org_object_get, org_url

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_org_object_is_found_only_in_its_own_organization(org, other_org):
    mine = OrgUnit.objects.create(organization=org, name="Care")
    theirs = OrgUnit.objects.create(organization=other_org, name="Theirs")
    assert org_object_get(OrgUnit, mine.pk, organization=org) == mine
    assert org_object_get(OrgUnit, str(mine.pk), organization=org) == mine
    with pytest.raises(Http404):
        org_object_get(OrgUnit, theirs.pk, organization=org)


@pytest.mark.parametrize("bad", ["²", "１２", "-1", "0", "", "abc", str(2**63), 2**63, -5, None])
def test_a_bad_id_is_a_404_not_a_500(org, bad):
    with pytest.raises(Http404):
        org_object_get(OrgUnit, bad, organization=org)


def test_org_object_takes_a_narrowed_queryset_and_filters(org):
    unit = OrgUnit.objects.create(organization=org, name="Care")
    narrowed = OrgUnit.objects.select_related("parent")
    assert org_object_get(narrowed, unit.pk, organization=org, name="Care") == unit
    with pytest.raises(Http404):
        org_object_get(narrowed, unit.pk, organization=org, name="Other")


def test_org_url_by_position_and_by_name(org):
    assert org_url(org, "orgs:units") == reverse("orgs:units", args=[org.slug])
    assert org_url(org, "kpis:kpi_edit", 7) == reverse("kpis:kpi_edit", args=[org.slug, 7])
    by_name = org_url(org, "orgs:history", app_label="kpis", model_name="kpi", pk=3)
    assert by_name == f"/o/{org.slug}/history/kpis/kpi/3/"


NOT_YET: set[str] = set()  # every view module fetches through get_org_object


def _view_modules():
    for app in ("cxalign/orgs", "kpis", "strategy", "journeys", "feedback", "alignment"):
        for path in sorted((ROOT / app).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if ("views" in path.name or "/api/" in rel) and rel not in NOT_YET:
                yield rel


@pytest.mark.parametrize("module", list(_view_modules()))
def test_views_fetch_objects_through_the_one_helper(module):
    """No page or endpoint writes its own scoped `get_object_or_404`."""
    tree = ast.parse((ROOT / module).read_text())
    calls = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", getattr(node.func, "attr", "")) == "get_object_or_404"
    ]
    assert calls == [], f"{module}: use self.get_org_object(Model, pk) (lines {calls})"


def test_a_page_reads_the_users_memberships_once_for_tenancy_and_the_switcher(
    client, org, other_org
):
    """The membership check and the organization switcher share one query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import MembershipFactory

    member = MembershipFactory(organization=org, role="viewer")
    MembershipFactory(organization=other_org, user=member.user, role="viewer")
    client.force_login(member.user)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("orgs:people", args=[org.slug]))
    assert page.status_code == 200
    assert other_org.name in page.content.decode()  # the switcher lists both
    reads = [q["sql"] for q in queries if 'FROM "orgs_membership"' in q["sql"]]
    mine = f'"orgs_membership"."user_id" = {member.user.pk}'
    assert len([sql for sql in reads if mine in sql]) == 1
    gone = client.get(reverse("orgs:people", args=["no-such-org"]))
    assert gone.status_code == 404
