"""Issue #12, item 11 (cxalign/orgs/redirects.py): `next=` stays on this site."""

import pytest

from feedback.models import Response, Source

pytestmark = pytest.mark.django_db


@pytest.fixture
def detractor(org):
    source = Source.objects.create(organization=org, name="S")
    return Response.objects.create(organization=org, source=source, key="R1", nps=2, comment="bad")


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "https:evil"])
def test_followup_next_never_leaves_the_site(client, member, org, detractor, target):
    client.force_login(member.user)
    response = client.post(
        f"/o/{org.slug}/feedback/followups/{detractor.pk}/", {"status": "open", "next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/o/{org.slug}/feedback/followups/"


def test_triage_next_never_leaves_the_site(client, member, org, detractor):
    client.force_login(member.user)
    response = client.post(
        f"/o/{org.slug}/feedback/triage/{detractor.pk}/tag/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == f"/o/{org.slug}/feedback/triage/"


def test_triage_next_keeps_a_local_page(client, member, org, detractor):
    client.force_login(member.user)
    local = f"/o/{org.slug}/feedback/triage/?page=2"
    response = client.post(f"/o/{org.slug}/feedback/triage/{detractor.pk}/tag/", {"next": local})
    assert response["Location"] == local
