"""Reads of the detractor follow-up queue at scale: filters, whitelisted sorts, the service level.

A detractor waits from the moment its response reached CX Align (or from when its follow-up was
opened, if that is earlier: a follow-up opened by hand or by the demo before an import rewrote
the response). It is overdue when it is still open `Organization.followup_sla_hours` later.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce, Least

from cxalign.orgs.models import Membership, Organization
from feedback import selectors
from feedback.models import FollowUp, Response

# key -> (label, ordering). Only these keys sort the queue: a request names a key, never a field.
QUEUE_SORTS = {
    "newest": ("Newest response", ("-responded_at", "-id")),
    "oldest": ("Oldest response", ("responded_at", "id")),
    "waiting": ("Waiting longest", ("raised_at", "id")),
    "clv": ("Highest CLV", (F("customer_clv").desc(nulls_last=True), "-id")),
    "clv_low": ("Lowest CLV", (F("customer_clv").asc(nulls_last=True), "id")),
    "owner": (
        "Owner A–Z",
        (F("followup__owner__user__username").asc(nulls_first=True), "-responded_at", "-id"),
    ),
}
DEFAULT_SORT = "newest"
AGES = {"overdue": "Overdue", "due": "Not yet due"}
STATUSES = [*FollowUp.Status.choices, ("all", "All")]
# Still waiting for someone to call: no follow-up yet, or one that is open.
OPEN = Q(followup__isnull=True) | Q(followup__status=FollowUp.Status.OPEN)


@dataclass(frozen=True)
class QueueQuery:
    """What the queue shows: every field already checked (whitelisted or parsed)."""

    status: str = FollowUp.Status.OPEN
    segment: str = ""
    owner: int | None = None
    unowned: bool = False
    customer: str = ""
    clv_min: Decimal | None = None
    age: str = ""
    sort: str = DEFAULT_SORT


def raised_at():
    """When the detractor started waiting (see the module docstring)."""
    return Least(Coalesce("followup__created_at", "created_at"), "created_at")


def sla_cutoff(*, organization: Organization, now: datetime.datetime) -> datetime.datetime:
    """Detractors raised before this instant and still open are past the service level."""
    return now - datetime.timedelta(hours=organization.followup_sla_hours)


def due_at(raised: datetime.datetime, *, organization: Organization) -> datetime.datetime:
    return raised + datetime.timedelta(hours=organization.followup_sla_hours)


def queue_list(
    *, organization: Organization, query: QueueQuery, now: datetime.datetime
) -> QuerySet:
    """The queue's rows (responses with their follow-up, CLV and `raised_at`), filtered, sorted."""
    qs = selectors.followup_queue(
        organization=organization, status=query.status, owner_id=query.owner
    ).annotate(raised_at=raised_at())
    if query.unowned:
        qs = qs.filter(Q(followup__isnull=True) | Q(followup__owner__isnull=True))
    if query.segment:
        qs = qs.filter(segment=query.segment)
    if query.customer:
        qs = qs.filter(customer_id=query.customer)
    if query.clv_min is not None:
        qs = qs.filter(customer_clv__gte=query.clv_min)
    if query.age:
        cutoff = sla_cutoff(organization=organization, now=now)
        late = Q(raised_at__lt=cutoff) if query.age == "overdue" else Q(raised_at__gte=cutoff)
        qs = qs.filter(OPEN, late)
    return qs.order_by(*QUEUE_SORTS[query.sort][1])


def overdue(*, organization: Organization, now: datetime.datetime) -> QuerySet:
    """Open detractors past the service level, annotated with `raised_at`: the one definition
    the queue's counts and the engine's `followup_backlog` flag share."""
    return (
        Response.objects.for_org(organization)
        .detractors()
        .filter(OPEN)
        .annotate(raised_at=raised_at())
        .filter(raised_at__lt=sla_cutoff(organization=organization, now=now))
    )


def overdue_by_owner(*, organization: Organization, now: datetime.datetime) -> list[dict]:
    """Open detractors past the service level, counted per owner (None: nobody yet) — one query."""
    rows = (
        overdue(organization=organization, now=now)
        .values(
            "followup__owner",
            "followup__owner__user__username",
            "followup__owner__user__first_name",
            "followup__owner__user__last_name",
        )
        .annotate(overdue=Count("id"))
        .order_by("-overdue", "followup__owner__user__username")
    )
    return [
        {
            "owner_id": row["followup__owner"],
            "name": _name(row) if row["followup__owner"] else "Nobody yet",
            "overdue": row["overdue"],
        }
        for row in rows
    ]


def _name(row: dict) -> str:
    first = row["followup__owner__user__first_name"]
    last = row["followup__owner__user__last_name"]
    return f"{first} {last}".strip() or row["followup__owner__user__username"]


def owner_choices(*, organization: Organization) -> list[tuple[str, str]]:
    """Active members who can own a follow-up, as (id, name) choices."""
    members = (
        Membership.objects.filter(organization=organization, is_active=True)
        .select_related("user")
        .order_by("user__username")
    )
    return [(str(m.pk), m.display_name) for m in members]


def mark_service_level(rows, *, organization: Organization, now: datetime.datetime) -> None:
    """Give each shown row `is_open`, `due_at` and `overdue` (a page of rows: no query)."""
    for row in rows:
        followup = getattr(row, "followup", None)
        row.is_open = followup is None or followup.status == FollowUp.Status.OPEN
        row.due_at = due_at(row.raised_at, organization=organization)
        row.overdue = row.is_open and row.due_at < now
