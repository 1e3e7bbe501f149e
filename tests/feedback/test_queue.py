"""The follow-up queue at scale (feedback/queue.py): filters and whitelisted sorts, the service
level, the overdue count per owner, money in the organization's currency."""

from decimal import Decimal

import numpy as np
import pytest
from django.utils import timezone

from cxalign.orgs.roles import Role
from feedback import queue
from feedback.models import Customer, FollowUp
from tests.factories import MembershipFactory
from tests.feedback.responses import detractors, url

pytestmark = pytest.mark.django_db


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


def test_followup_clv_shows_in_the_organizations_currency(client, member, org):
    detractors(org, 1, start=12)
    org.currency = "USD"
    org.save()
    client.force_login(member.user)
    assert "CLV $12,000.00" in client.get(url(org)).content.decode()
    assert Decimal("12000") == Customer.objects.get().clv
