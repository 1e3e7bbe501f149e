"""Missed check-ins: who owes which check-in, and who hears about it.

The weekly job mails each goal owner the check-ins they owe, and each leader (up the
`Membership.reports_to` line) the ones in their reporting line overdue by more than two weeks.
The dashboard and the manager view read the same list through `checkins_owed`.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cxalign.orgs.models import Membership, Organization
from strategy.models import Cycle, Goal
from strategy.rules import line_above

# A leader hears of a missed check-in once it is overdue by more than this.
ESCALATE_AFTER_DAYS = 14
# One mailing per organization and ISO week, even when the job runs twice.
SENT_KEY = "alignment:checkin-escalation:{org}:{year}-W{week:02d}"


@dataclass
class Owed:
    """One check-in a goal's owner owes."""

    goal: Goal
    days_since: int
    overdue_days: int
    url: str
    leaders: list[int] = field(default_factory=list)  # the owner's reporting line, nearest first

    @property
    def escalated(self) -> bool:
        return self.overdue_days > ESCALATE_AFTER_DAYS

    @property
    def last_checkin_on(self) -> datetime.date | None:
        return timezone.localdate(self.goal.last_checkin_at) if self.goal.last_checkin_at else None


def owed_filter(organization: Organization, now: datetime.datetime) -> Q:
    """Active goals of cycles under way with no check-in within the organization's cadence
    (never checked in: counted from the cycle's start or the goal's creation, the later)."""
    today = timezone.localdate(now)
    limit = now - datetime.timedelta(days=organization.checkin_cadence_days)
    limit_day = today - datetime.timedelta(days=organization.checkin_cadence_days)
    return (
        Q(
            status=Goal.Status.ACTIVE,
            owner__isnull=False,
            owner__is_active=True,
            cycle__starts_on__lte=today,
            cycle__ends_on__gte=today,
        )
        & ~Q(cycle__status=Cycle.Status.CLOSED)
        & (
            Q(last_checkin_at__lt=limit)
            | Q(last_checkin_at__isnull=True, cycle__starts_on__lt=limit_day, created_at__lt=limit)
        )
    )


def checkins_owed(
    *,
    organization: Organization,
    now: datetime.datetime | None = None,
    owner_ids=None,
    cycle: Cycle | None = None,
) -> list[Owed]:
    """Every check-in owed in the organization (or by `owner_ids`, in `cycle`), most overdue
    first; each knows its owner's reporting line. Two queries whatever the size."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    cadence = organization.checkin_cadence_days
    goals = (
        Goal.objects.for_org(organization)
        .filter(owed_filter(organization, now))
        .select_related("owner__user", "org_unit", "cycle", "parent")
    )
    if owner_ids is not None:
        goals = goals.filter(owner_id__in=list(owner_ids))
    if cycle is not None:
        goals = goals.filter(cycle=cycle)
    boss_of = dict(
        Membership.objects.for_org(organization)
        .filter(reports_to__isnull=False)
        .values_list("id", "reports_to_id")
    )
    owed = []
    for goal in goals:
        if goal.last_checkin_at is not None:
            days = (now - goal.last_checkin_at).days
        else:
            days = (today - max(goal.cycle.starts_on, timezone.localdate(goal.created_at))).days
        url = reverse("strategy:goal_detail", args=[organization.slug, goal.id]) + "#checkin"
        owed.append(
            Owed(goal, days, days - cadence, url, leaders=line_above(goal.owner_id, boss_of))
        )
    owed.sort(key=lambda o: (-o.overdue_days, o.goal.key, o.goal.id))
    return owed


def escalation_plan(*, organization: Organization, now=None) -> dict[int, dict]:
    """Per recipient (membership id): the check-ins they owe and the ones overdue by more
    than two weeks in their reporting line."""
    plan: dict[int, dict] = {}

    def entry(member_id: int) -> dict:
        return plan.setdefault(member_id, {"owe": [], "team": []})

    for item in checkins_owed(organization=organization, now=now):
        entry(item.goal.owner_id)["owe"].append(item)
        if item.escalated:
            for leader_id in item.leaders:
                entry(leader_id)["team"].append(item)
    return plan


def escalation_send(*, organization: Organization, now=None, force: bool = False) -> dict:
    """Mail the plan (one message per person); at most once per organization and ISO week."""
    now = now or timezone.now()
    year, week, _ = timezone.localdate(now).isocalendar()
    key = SENT_KEY.format(org=organization.id, year=year, week=week)
    if not force and not cache.add(key, now.isoformat(), timeout=8 * 86400):
        return {"organization": organization.slug, "skipped": "already sent this week"}
    try:
        return _send(organization, now)
    except Exception:
        cache.delete(key)  # a retry of the job must be able to send this week's mail
        raise


def _send(organization: Organization, now) -> dict:
    plan = escalation_plan(organization=organization, now=now)
    people = Membership.objects.for_org(organization).select_related("user").in_bulk(list(plan))
    messages, no_email = [], []
    for member_id, entry in plan.items():
        person = people.get(member_id)
        if person is None or not person.is_active:
            continue
        if not person.user.email:
            no_email.append(person.display_name)
            continue
        messages.append(_message(organization, person, entry))
    with mail.get_connection() as connection:
        sent = connection.send_messages(messages) or 0
    return {"organization": organization.slug, "sent": sent, "no_email": no_email}


def _message(organization: Organization, person: Membership, entry: dict):
    context = {
        "organization": organization,
        "person": person,
        "owe": entry["owe"],
        "team": entry["team"],
        "escalate_after": ESCALATE_AFTER_DAYS,
        "site": getattr(settings, "SITE_URL", ""),
    }
    parts = []
    if entry["owe"]:
        parts.append(f"{len(entry['owe'])} check-in{'s' if len(entry['owe']) != 1 else ''} you owe")
    if entry["team"]:
        parts.append(f"{len(entry['team'])} overdue in your team")
    subject = f"[{organization.name}] " + " and ".join(parts)
    body = render_to_string("alignment/manager/escalation_email.txt", context)
    return mail.EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[person.user.email],
    )


def escalation_send_all(*, now=None) -> list[dict]:
    """The weekly job: every organization."""
    return [escalation_send(organization=o, now=now) for o in Organization.objects.order_by("id")]
