"""Reads of the feedback app: filtered responses, theme figures, queues. No writes here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)

from cxalign.orgs.models import Organization
from feedback.models import (
    Customer,
    FollowUp,
    ImportBatch,
    Response,
    Source,
    Theme,
    ThemeRule,
)
from feedback.querysets import BANDS, band_sql
from feedback.themeids import unnest_sql
from kpis import metrics

UNTAGGED_SAMPLE = 3000


@dataclass
class ResponseFilters:
    date_from: date | None = None
    date_to: date | None = None
    segment: str = ""
    touchpoint: int | None = None
    theme: int | None = None
    band: str = ""
    source: int | None = None
    q: str = ""
    customer: str = ""

    @classmethod
    def from_cleaned(cls, data: dict) -> ResponseFilters:
        """From a filter form's (or filterset's) cleaned data; absent filters are off."""
        return cls(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            segment=data.get("segment") or "",
            touchpoint=data.get("touchpoint"),
            theme=data.get("theme"),
            band=data.get("band") or "",
            q=(data.get("q") or "").strip(),
            customer=(data.get("customer") or "").strip(),
        )


def response_list(
    *, organization: Organization, filters: ResponseFilters | None = None
) -> QuerySet:
    """Responses of the organization, filtered, with their theme names in the same query."""
    qs = response_filter(Response.objects.for_org(organization), filters or ResponseFilters())
    return qs.select_related("source", "touchpoint", "followup").with_theme_names()


def response_filter(qs: QuerySet, f: ResponseFilters) -> QuerySet:
    """`qs` narrowed by the filters: the one definition of each for pages, exports and API."""
    if f.date_from:
        qs = qs.filter(responded_at__date__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(responded_at__date__lte=f.date_to)
    if f.segment:
        qs = qs.filter(segment=f.segment)
    if f.touchpoint:
        qs = qs.filter(touchpoint_id=f.touchpoint)
    if f.theme:
        qs = qs.filter(theme_ids__has=f.theme)
    if f.band:
        qs = qs.band(f.band)
    if f.source:
        qs = qs.filter(source_id=f.source)
    if f.q:
        qs = qs.filter(comment__icontains=f.q)
    if f.customer:
        qs = qs.filter(customer_id=f.customer)
    return qs


def nps_summary(qs: QuerySet) -> dict:
    """Count, NPS (unrounded) and the three bands of a response query set, in one query."""
    row = qs.order_by().aggregate(
        total=Count("id"),
        scored=Count("id", filter=Q(nps__isnull=False)),
        promoters=Count("id", filter=BANDS["promoter"]),
        passives=Count("id", filter=BANDS["passive"]),
        detractors=Count("id", filter=BANDS["detractor"]),
    )
    row["nps"] = metrics.nps(row["promoters"], row["detractors"], row["scored"] or 0)
    return row


def response_segments(*, organization: Organization) -> list[str]:
    return list(
        Response.objects.for_org(organization)
        .exclude(segment="")
        .order_by("segment")
        .values_list("segment", flat=True)
        .distinct()[:200]
    )


def segment_choices(*, organization: Organization) -> list[tuple[str, str]]:
    """Segments seen in responses, named after the priority audience whose key they match."""
    from journeys.models import Audience

    names = dict(
        Audience.objects.filter(organization=organization)
        .exclude(segment_key="")
        .values_list("segment_key", "name")
    )
    return [
        (s, f"{names[s]} ({s})" if s in names else s)
        for s in response_segments(organization=organization)
    ]


def touchpoint_choices(*, organization: Organization) -> list[tuple[int, str]]:
    from journeys.models import Touchpoint

    rows = Touchpoint.objects.filter(organization=organization).select_related("journey")
    return [
        (t.id, f"{t.name} · {t.journey.name}") for t in rows.order_by("journey__name", "name")[:500]
    ]


def theme_list(*, organization: Organization) -> QuerySet:
    return (
        Theme.objects.for_org(organization)
        .select_related("owner_unit")
        .prefetch_related(Prefetch("rules", queryset=ThemeRule.objects.order_by("pattern")))
    )


# One row per (response, theme) of the organization; the figures a theme page shows.
_BAND = band_sql("r.nps")
_THEME_FIGURES = f"""
    COUNT(*) AS volume,
    COUNT(r.nps) AS scored,
    SUM(CASE WHEN {_BAND["promoter"]} THEN 1 ELSE 0 END) AS promoters,
    SUM(CASE WHEN {_BAND["detractor"]} THEN 1 ELSE 0 END) AS detractors
"""


def _rows(sql: str, params: list) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def theme_stats(*, organization: Organization) -> dict[int, dict]:
    """Per theme: volume, NPS (unrounded) of its comments, promoters/detractors — one query."""
    tags, theme = unnest_sql("r")
    rows = _rows(
        f"SELECT {theme} AS theme_id, {_THEME_FIGURES} "  # noqa: S608 -- constants only
        f"FROM feedback_response r {tags} WHERE r.organization_id = %s GROUP BY {theme}",
        [organization.id],
    )
    stats = {}
    for row in rows:
        row["nps"] = metrics.nps(row["promoters"], row["detractors"], row["scored"])
        stats[int(row["theme_id"])] = row
    return stats


def theme_trend_rows(
    *, organization: Organization, theme_ids: list[int] | None = None
) -> list[dict]:
    """Monthly volume and NPS parts per theme (for the trend chart)."""
    if connection.vendor == "postgresql":
        month = "date_trunc('month', r.responded_at AT TIME ZONE 'UTC')"
    else:
        month = "strftime('%%Y-%%m-01', r.responded_at)"
    tags, theme = unnest_sql("r")
    params: list = [organization.id]
    only = ""
    if theme_ids is not None:
        if not theme_ids:
            return []
        only = f"AND {theme} IN ({', '.join(['%s'] * len(theme_ids))})"
        params += [int(t) for t in theme_ids]
    return _rows(
        f"SELECT {theme} AS theme_id, th.name AS theme__name, {month} AS month, "  # noqa: S608
        f"{_THEME_FIGURES} FROM feedback_response r {tags} "
        f"JOIN feedback_theme th ON th.id = {theme} "
        f"WHERE r.organization_id = %s AND r.responded_at IS NOT NULL {only} "
        f"GROUP BY {theme}, th.name, {month} ORDER BY month",
        params,
    )


def untagged_list(*, organization: Organization) -> QuerySet:
    """Comments no theme caught yet, newest first (the triage queue)."""
    return (
        Response.objects.for_org(organization)
        .untagged()
        .select_related("source")
        .order_by("-responded_at", "-id")
    )


def untagged_comments_sample(*, organization: Organization) -> list[str]:
    return list(
        untagged_list(organization=organization).values_list("comment", flat=True)[:UNTAGGED_SAMPLE]
    )


def known_patterns(*, organization: Organization) -> set[str]:
    return set(ThemeRule.objects.for_org(organization).values_list("pattern", flat=True))


def followup_queue(
    *, organization: Organization, status: str = "open", owner_id: int | None = None
) -> QuerySet:
    """Detractors' responses with their follow-up; 'open' includes those nobody picked up yet."""
    customer = Customer.objects.filter(
        organization=organization, customer_id=OuterRef("customer_id")
    )
    qs = (
        Response.objects.for_org(organization)
        .detractors()
        .select_related("source", "followup__owner__user", "touchpoint")
        # What the customer is worth, so the most valuable detractors get called first.
        .annotate(customer_clv=Subquery(customer.values("clv")[:1]))
    )
    if status == "open":
        qs = qs.filter(Q(followup__isnull=True) | Q(followup__status=FollowUp.Status.OPEN))
    elif status in FollowUp.Status.values:
        qs = qs.filter(followup__status=status)
    if owner_id:
        qs = qs.filter(followup__owner_id=owner_id)
    return qs.order_by("-responded_at", "-id")


def followup_counts(*, organization: Organization) -> dict:
    qs = Response.objects.for_org(organization).detractors().order_by()
    return qs.aggregate(
        open=Count("id", filter=Q(followup__isnull=True) | Q(followup__status="open")),
        contacted=Count("id", filter=Q(followup__status="contacted")),
        resolved=Count("id", filter=Q(followup__status="resolved")),
    )


def import_list(*, organization: Organization) -> QuerySet:
    return ImportBatch.objects.for_org(organization).select_related("source", "created_by__user")


def source_list(*, organization: Organization) -> QuerySet:
    return Source.objects.for_org(organization).annotate(
        imports=Count("batches", output_field=IntegerField())
    )


def customer_list(*, organization: Organization, q: str = "") -> QuerySet:
    qs = Customer.objects.for_org(organization)
    if q:
        qs = qs.filter(Q(customer_id__icontains=q) | Q(segment__icontains=q))
    return qs.order_by("customer_id")
