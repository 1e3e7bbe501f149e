"""The follow-up queue at scale: filters and whitelisted sorts, the service level, the overdue
count per owner, and bulk assign / status changes (all or nothing, within one organization)."""

import datetime
from decimal import Decimal

import numpy as np
import pytest
from django.utils import timezone

from cxalign.orgs.roles import Role
from feedback import bulk, queue
from feedback.models import Customer, FollowUp, Response, Source
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def url(org, rest=""):
    return f"/o/{org.slug}/feedback/followups/{rest}"


def detractors(org, n, *, start=0, segment="smb", nps=3, ago_hours=0):
    """n detractors' responses of customers C<i> (CLV 1000·i), imported `ago_hours` ago."""
    source, _ = Source.objects.get_or_create(organization=org, name="S")
    rows = Response.objects.bulk_create(
        [
            Response(
                organization=org,
                source=source,
                key=f"r{i}",
                response_id=f"r{i}",
                customer_id=f"C{i}",
                segment=segment,
                nps=nps,
                comment=f"comment {i}",
                responded_at=timezone.now() - datetime.timedelta(days=i % 30),
            )
            for i in range(start, start + n)
        ]
    )
    Customer.objects.bulk_create(
        [
            Customer(organization=org, customer_id=f"C{i}", segment=segment, clv=1000 * i)
            for i in range(start, start + n)
        ]
    )
    if ago_hours:
        Response.objects.filter(id__in=[r.id for r in rows]).update(
            created_at=timezone.now() - datetime.timedelta(hours=ago_hours)
        )
    return list(Response.objects.filter(id__in=[r.id for r in rows]).order_by("id"))


def shown(client, org, query=""):
    """Response ids of the queue page, in the order shown."""
    response = client.get(url(org, "?" + query))
    assert response.status_code == 200
    return [r.id for r in response.context["page"].object_list], response


# ---------------------------------------------------------------- reading the queue


def test_queue_sorts_by_clv_and_filters_by_segment_and_clv(client, member, org):
    low = detractors(org, 3, start=1, segment="smb")
    high = detractors(org, 2, start=10, segment="key")
    client.force_login(member.user)
    ids, _ = shown(client, org, "sort=clv")
    assert ids == [r.id for r in sorted(low + high, key=lambda r: -int(r.customer_id[1:]))]
    ids, _ = shown(client, org, "sort=clv_low")
    assert ids[0] == low[0].id
    assert set(shown(client, org, "segment=key")[0]) == {r.id for r in high}
    assert set(shown(client, org, "clv_min=2500")[0]) == {low[2].id, *(r.id for r in high)}
    assert shown(client, org, "customer=C2")[0] == [low[1].id]


def test_queue_filters_by_owner_and_nobody(client, member, org):
    rows = detractors(org, 3)
    FollowUp.objects.create(organization=org, response=rows[0], owner=member)
    client.force_login(member.user)
    assert shown(client, org, f"owner={member.pk}")[0] == [rows[0].id]
    assert set(shown(client, org, "owner=none")[0]) == {rows[1].id, rows[2].id}


def test_overdue_is_open_and_waiting_past_the_organizations_service_level(client, member, org):
    org.followup_sla_hours = 24
    org.save()
    late = detractors(org, 2, ago_hours=30)
    fresh = detractors(org, 1, start=5, ago_hours=2)
    contacted = detractors(org, 1, start=9, ago_hours=100)
    FollowUp.objects.create(organization=org, response=contacted[0], status="contacted")
    client.force_login(member.user)
    ids, response = shown(client, org, "age=overdue&status=all")
    assert set(ids) == {r.id for r in late}
    assert set(shown(client, org, "age=due")[0]) == {fresh[0].id}
    marks = {r.id: r.overdue for r in shown(client, org, "status=all")[1].context["page"]}
    assert marks == {late[0].id: True, late[1].id: True, fresh[0].id: False, contacted[0].id: False}
    body = response.content.decode()
    assert "Overdue 6" in body and "Past the service level (24 h)" in body


def test_overdue_count_per_owner_matches_an_independent_count(client, member, org):
    sam = MembershipFactory(organization=org, role=Role.MEMBER, user__first_name="Sam")
    rows = detractors(org, 12, ago_hours=72) + detractors(org, 3, start=20, ago_hours=1)
    owners = [sam, member, None]
    for i, row in enumerate(rows):
        FollowUp.objects.create(organization=org, response=row, owner=owners[i % 3])
    FollowUp.objects.filter(response=rows[0]).update(status="resolved")  # not open: not late
    now = timezone.now()
    counts = {
        o["owner_id"]: o["overdue"] for o in queue.overdue_by_owner(organization=org, now=now)
    }
    owner_ids = np.array([(owners[i % 3].pk if owners[i % 3] else 0) for i in range(len(rows))])
    late = np.array([i < 12 and i != 0 for i in range(len(rows))])
    expected = {k or None: int(((owner_ids == k) & late).sum()) for k in np.unique(owner_ids)}
    assert counts == expected == {sam.pk: 3, member.pk: 4, None: 4}


@pytest.mark.parametrize(
    ("query", "ignored"),
    [
        ("sort=customer_clv", "sort"),
        ("sort=-responded_at", "sort"),
        ("owner=²", "owner"),
        ("owner=999999999999999999999", "owner"),
        ("clv_min=lots", "CLV at least"),
        ("segment=nope", "segment"),
        ("age=ancient", "age"),
        ("per=100000", "per"),
        ("page=x", None),
    ],
)
def test_bad_parameters_are_ignored_with_a_message_never_a_500(client, member, org, query, ignored):
    detractors(org, 3)
    client.force_login(member.user)
    response = client.get(url(org, "?" + query), follow=True)
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 3
    notes = " ".join(str(m) for m in response.context["messages"])
    if ignored:
        assert f"Ignored “{ignored}”" in notes


def test_queue_page_queries_do_not_grow(client, member, org, django_assert_max_num_queries):
    client.force_login(member.user)
    client.get(f"/o/{org.slug}/?overview=1")  # the first page also records the org as last used
    rows = detractors(org, 3, ago_hours=60)
    FollowUp.objects.create(organization=org, response=rows[0], owner=member)
    with django_assert_max_num_queries(12):
        assert client.get(url(org, "?sort=clv&age=overdue")).status_code == 200
    more = detractors(org, 300, start=3, ago_hours=60)
    for row in more[:40]:
        FollowUp.objects.create(organization=org, response=row, owner=member)
    MembershipFactory.create_batch(5, organization=org)
    with django_assert_max_num_queries(12):
        response = client.get(url(org, "?sort=clv&age=overdue&per=200"))
    assert len(response.context["page"].object_list) == 200


# ---------------------------------------------------------------- bulk actions


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


def test_followup_clv_shows_in_the_organizations_currency(client, member, org):
    detractors(org, 1, start=12)
    org.currency = "USD"
    org.save()
    client.force_login(member.user)
    assert "CLV $12,000.00" in client.get(url(org)).content.decode()
    assert Decimal("12000") == Customer.objects.get().clv
