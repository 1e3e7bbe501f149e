"""Writes on many follow-ups or comments at once (feedback/bulk.py), through the bulk pages."""

import pytest

from cxalign.orgs.roles import Role
from feedback import bulk, services
from feedback.models import FollowUp, Response
from tests.factories import MembershipFactory
from tests.feedback.responses import comments, detractors, notes, url

pytestmark = pytest.mark.django_db


def post_bulk(client, org, ids, **data):
    return client.post(url(org, "bulk/"), {"ids": [str(i) for i in ids], **data}, follow=True)


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_member_assigns_twelve_followups_to_sam(client, member, org):
    sam = MembershipFactory(
        organization=org, role=Role.MEMBER, user__first_name="Sam", user__last_name=""
    )
    rows = detractors(org, 12)
    existing = FollowUp.objects.create(organization=org, response=rows[0], status="contacted")
    client.force_login(member.user)
    response = post_bulk(client, org, [r.id for r in rows], action="assign", owner=sam.pk)
    assert "12 follow-ups assigned to Sam." in messages_of(response)
    followups = FollowUp.objects.filter(response__in=rows)
    assert followups.count() == 12
    assert set(followups.values_list("owner", flat=True)) == {sam.pk}
    existing.refresh_from_db()
    assert (existing.status, existing.version) == ("contacted", 2)  # status kept, version moved
    assert existing.history.count() == 2
    assert FollowUp.history.filter(history_user=member.user).count() == 12


def test_member_sets_status_of_several_and_the_one_row_form_then_conflicts(client, member, org):
    rows = detractors(org, 3)
    client.force_login(member.user)
    client.post(url(org, f"{rows[0].pk}/"), {"status": "open", "note": "first"})
    response = post_bulk(client, org, [r.id for r in rows], action="status", status="resolved")
    assert "3 follow-ups marked resolved." in messages_of(response)
    assert set(FollowUp.objects.values_list("status", flat=True)) == {"resolved"}
    stale = client.post(
        url(org, f"{rows[0].pk}/"), {"status": "open", "note": "stale", "version": 1}, follow=True
    )
    assert "changed by someone else" in stale.content.decode()
    assert FollowUp.objects.get(response=rows[0]).status == "resolved"


def test_unassign_leaves_the_status(client, member, org):
    rows = detractors(org, 2)
    FollowUp.objects.create(organization=org, response=rows[0], owner=member, status="contacted")
    client.force_login(member.user)
    response = post_bulk(client, org, [r.id for r in rows], action="assign", owner="none")
    assert "2 follow-ups unassigned." in messages_of(response)
    assert list(FollowUp.objects.order_by("id").values_list("owner", "status")) == [
        (None, "contacted"),
        (None, "open"),
    ]


def test_viewer_cannot_bulk_change(client, viewer, member, org):
    rows = detractors(org, 2)
    client.force_login(viewer.user)
    response = client.post(url(org, "bulk/"), {"ids": [rows[0].id], "action": "status",
                                               "status": "resolved"})  # fmt: skip
    assert response.status_code == 403
    assert not FollowUp.objects.exists()
    with pytest.raises(bulk.PermissionDenied):
        bulk.followups_bulk_update(
            organization=org, by=viewer, response_ids=[rows[0].id], status="resolved"
        )


def test_ids_of_another_organization_are_refused_and_never_touched(client, member, org, other_org):
    mine = detractors(org, 2)
    theirs = detractors(other_org, 1, start=50)
    FollowUp.objects.create(organization=other_org, response=theirs[0], status="open")
    client.force_login(member.user)
    ids = [mine[0].id, theirs[0].id, mine[1].id]
    response = post_bulk(client, org, ids, action="status", status="resolved")
    assert "Nothing was changed: 1 of the selected rows" in messages_of(response)
    assert not FollowUp.objects.filter(organization=org).exists()
    assert FollowUp.objects.get(response=theirs[0]).status == "open"


def test_a_promoter_in_the_selection_refuses_the_whole_action(client, member, org):
    rows = detractors(org, 2) + detractors(org, 1, start=7, nps=10)
    client.force_login(member.user)
    response = post_bulk(client, org, [r.id for r in rows], action="status", status="contacted")
    assert "are not detractors' responses" in messages_of(response)
    assert not FollowUp.objects.exists()


def test_an_owner_of_another_organization_is_refused(client, member, org, outsider):
    rows = detractors(org, 2)
    client.force_login(member.user)
    response = post_bulk(client, org, [r.id for r in rows], action="assign", owner=outsider.pk)
    assert "Nothing was changed" in messages_of(response)
    assert not FollowUp.objects.exists()
    with pytest.raises(bulk.ValidationError):
        bulk.followups_bulk_update(
            organization=org, by=member, response_ids=[rows[0].id], owner=outsider
        )
    assert not FollowUp.objects.exists()


@pytest.mark.parametrize(
    ("ids", "data", "said"),
    [
        ([], {"action": "status", "status": "resolved"}, "Select at least one row"),
        (["²"], {"action": "status", "status": "resolved"}, "is not an id"),
        (["abc", "1"], {"action": "status", "status": "resolved"}, "is not an id"),
        (["1"], {"action": "delete"}, "Nothing was changed"),
        (["1"], {"action": "status", "status": "closed"}, "Nothing was changed"),
        (["1"], {"action": "assign"}, "Choose whom to assign them to"),
    ],
)
def test_bad_bulk_requests_say_why_and_change_nothing(client, member, org, ids, data, said):
    detractors(org, 1)
    client.force_login(member.user)
    response = client.post(url(org, "bulk/"), {"ids": ids, **data}, follow=True)
    assert response.status_code == 200
    assert said in messages_of(response)
    assert not FollowUp.objects.exists()


def test_bulk_needs_post_and_a_csrf_token(member, org):
    from django.test import Client

    rows = detractors(org, 1)
    client = Client(enforce_csrf_checks=True)
    client.force_login(member.user)
    assert client.get(url(org, "bulk/")).status_code == 405
    data = {"ids": [rows[0].id], "action": "status", "status": "resolved"}
    assert client.post(url(org, "bulk/"), data).status_code == 403
    assert not FollowUp.objects.exists()


def test_too_many_ids_are_refused(member, org):
    with pytest.raises(bulk.ValidationError, match="at most"):
        bulk.ids_parse([str(i) for i in range(1, bulk.BULK_MAX + 2)])


def test_member_tags_several_comments_at_once(client, member, org):
    theme = services.theme_create(organization=org, data={"name": "Other"})
    rows = comments(org, ["a", "b", "c"])
    client.force_login(member.user)
    response = client.post(
        f"/o/{org.slug}/feedback/triage/tag/",
        {"ids": [rows[0].pk, rows[2].pk], "theme": theme.pk},
        follow=True,
    )
    assert "2 comments tagged as Other." in notes(response)
    tagged = dict(Response.objects.values_list("key", "manual_theme_ids"))
    assert tagged == {"k0": [theme.pk], "k1": [], "k2": [theme.pk]}
    assert set(Response.objects.untagged().values_list("key", flat=True)) == {"k1"}


def test_bulk_tag_refuses_other_organizations_ids_and_themes(
    client, member, viewer, org, other_org
):
    theme = services.theme_create(organization=org, data={"name": "Mine"})
    foreign_theme = services.theme_create(organization=other_org, data={"name": "Theirs"})
    mine = comments(org, ["a"])
    theirs = comments(other_org, ["b"], start=9)
    client.force_login(member.user)
    url = f"/o/{org.slug}/feedback/triage/tag/"
    response = client.post(url, {"ids": [mine[0].pk, theirs[0].pk], "theme": theme.pk}, follow=True)
    assert "Nothing was changed" in notes(response)
    response = client.post(url, {"ids": [mine[0].pk], "theme": foreign_theme.pk}, follow=True)
    assert "choose a theme of this organization" in notes(response)
    assert list(Response.objects.values_list("theme_ids", flat=True)) == [[], []]
    client.force_login(viewer.user)
    assert client.post(url, {"ids": [mine[0].pk], "theme": theme.pk}).status_code == 403
