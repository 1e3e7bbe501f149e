"""Missed check-ins: owners are told what they owe, leaders what is long overdue below them."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from alignment.escalation import checkins_owed, escalation_plan, escalation_send
from alignment.tasks_escalation import checkins_escalate
from cxalign.orgs.models import Organization
from cxalign.orgs.roles import Role
from strategy.models import Goal
from tests.factories import CycleFactory, GoalFactory, MembershipFactory


def _days_ago(days: int):
    return timezone.now() - datetime.timedelta(days=days)


def _company(org):
    """CEO <- VP <- manager; the manager owns three goals of a cycle under way."""
    today = timezone.localdate()
    cycle = CycleFactory(
        organization=org,
        name="Now",
        starts_on=today - datetime.timedelta(days=120),
        ends_on=today + datetime.timedelta(days=200),
    )
    ceo = MembershipFactory(organization=org, role=Role.EXECUTIVE, user__first_name="Ceo")
    vp = MembershipFactory(
        organization=org, role=Role.MANAGER, reports_to=ceo, user__first_name="Vp"
    )
    boss = MembershipFactory(
        organization=org, role=Role.MANAGER, reports_to=vp, user__first_name="Mia"
    )
    fresh = GoalFactory(cycle=cycle, owner=boss, title="Fresh goal", last_checkin_at=_days_ago(3))
    late = GoalFactory(
        cycle=cycle, owner=boss, title="Ten days late", last_checkin_at=_days_ago(40)
    )
    very = GoalFactory(
        cycle=cycle, owner=boss, title="Twenty days late", last_checkin_at=_days_ago(50)
    )
    never = GoalFactory(cycle=cycle, owner=boss, title="Never checked in")
    Goal.objects.filter(pk=never.pk).update(created_at=_days_ago(200))
    GoalFactory(cycle=cycle, owner=boss, title="Achieved", status="achieved",
                last_checkin_at=_days_ago(90))  # fmt: skip
    closed = CycleFactory(organization=org, name="Old", status="closed",
                          starts_on=today - datetime.timedelta(days=300),
                          ends_on=today + datetime.timedelta(days=5))  # fmt: skip
    GoalFactory(cycle=closed, owner=boss, title="Closed cycle", last_checkin_at=_days_ago(90))
    return {"cycle": cycle, "ceo": ceo, "vp": vp, "boss": boss, "fresh": fresh, "late": late,
            "very": very, "never": never}  # fmt: skip


@pytest.mark.django_db
def test_owed_lists_stale_active_goals_of_cycles_under_way(org):
    c = _company(org)
    owed = checkins_owed(organization=org)
    assert [o.goal.title for o in owed] == ["Never checked in", "Twenty days late", "Ten days late"]
    by_title = {o.goal.title: o for o in owed}
    assert by_title["Ten days late"].overdue_days == 10
    assert not by_title["Ten days late"].escalated
    assert (
        by_title["Twenty days late"].overdue_days == 20 and by_title["Twenty days late"].escalated
    )
    # never checked in: counted from the cycle's start (120 days ago), cadence 30
    assert by_title["Never checked in"].overdue_days == 90
    assert by_title["Ten days late"].leaders == [c["vp"].id, c["ceo"].id]
    assert by_title["Ten days late"].url == f"/o/{org.slug}/strategy/goals/{c['late'].id}/#checkin"


@pytest.mark.django_db
def test_cadence_is_the_organizations(org):
    _company(org)
    org.checkin_cadence_days = 45
    org.save()
    assert [o.goal.title for o in checkins_owed(organization=org)] == [
        "Never checked in", "Twenty days late"]  # fmt: skip


@pytest.mark.django_db
def test_plan_sends_leaders_only_the_long_overdue(org):
    c = _company(org)
    plan = escalation_plan(organization=org)
    assert {o.goal.title for o in plan[c["boss"].id]["owe"]} == {
        "Never checked in", "Twenty days late", "Ten days late"}  # fmt: skip
    for leader in ("vp", "ceo"):
        assert [o.goal.title for o in plan[c[leader].id]["team"]] == [
            "Never checked in", "Twenty days late"]  # fmt: skip
        assert plan[c[leader].id]["owe"] == []


@pytest.mark.django_db
def test_mails_go_out_once_a_week(org):
    c = _company(org)
    result = escalation_send(organization=org)
    assert result["sent"] == 3
    by_to = {m.to[0]: m for m in mail.outbox}
    owner_mail = by_to[c["boss"].user.email]
    assert "3 check-ins you owe" in owner_mail.subject
    assert "Ten days late" in owner_mail.body and "Fresh goal" not in owner_mail.body
    assert f"/o/{org.slug}/strategy/goals/{c['late'].id}/#checkin" in owner_mail.body
    vp_mail = by_to[c["vp"].user.email]
    assert "2 overdue in your team" in vp_mail.subject
    assert "Twenty days late" in vp_mail.body and "Ten days late" not in vp_mail.body
    assert "Mia" in vp_mail.body
    # The job runs again the same week: nobody is mailed twice.
    assert escalation_send(organization=org)["skipped"] == "already sent this week"
    assert len(mail.outbox) == 3


@pytest.mark.django_db
def test_nobody_owes_nothing_is_sent(org):
    assert escalation_send(organization=org)["sent"] == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_owed_list_query_count_does_not_grow(org, django_assert_max_num_queries):
    c = _company(org)
    with django_assert_max_num_queries(2):
        checkins_owed(organization=org)
    for i in range(60):
        GoalFactory(cycle=c["cycle"], owner=c["boss"], last_checkin_at=_days_ago(31 + i))
    with django_assert_max_num_queries(2):
        assert len(checkins_owed(organization=org)) == 63


@pytest.mark.django_db(transaction=True)
def test_weekly_task_on_a_real_worker(celery_worker):
    org = Organization.objects.create(name="Worker Co", slug="worker-co")
    c = _company(org)
    result = checkins_escalate.delay().get(timeout=60)
    assert {"organization": "worker-co", "sent": 3, "no_email": []} in result
    assert {m.to[0] for m in mail.outbox} == {
        c["boss"].user.email, c["vp"].user.email, c["ceo"].user.email}  # fmt: skip
    again = checkins_escalate.delay().get(timeout=60)
    assert {"organization": "worker-co", "skipped": "already sent this week"} in again
    assert len(mail.outbox) == 3
