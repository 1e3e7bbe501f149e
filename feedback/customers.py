"""Reads of the customers page: whitelisted sorts and the figures per segment."""

from __future__ import annotations

import datetime
import zoneinfo

from django.db.models import BigIntegerField, Count, F, Q, QuerySet, Sum
from django.db.models.functions import Cast, Round
from django.utils import timezone

from cxalign.orgs.models import Organization
from feedback import selectors
from kpis import metrics

# key -> (column heading, field). A request names a key (with "-" for descending), never a field.
CUSTOMER_SORTS = {
    "customer": ("Customer", "customer_id"),
    "segment": ("Segment", "segment"),
    "since": ("Since", "start_date"),
    "revenue": ("Revenue", "revenue"),
    "clv": ("CLV", "clv"),
    "churned": ("Churned", "churned_on"),
}
DEFAULT_SORT = "customer"
DESCENDING_FIRST = {"revenue", "clv"}  # the biggest customers first on the first click


def sort_key(raw: str | None) -> str | None:
    """`raw` when it names a sort (e.g. "-clv"), else None."""
    raw = raw or ""
    return raw if raw.removeprefix("-") in CUSTOMER_SORTS else None


def sort_headers(current: str) -> list[dict]:
    """Column headings of the table: the sort each one asks for, and which one is in use."""
    headers = []
    for key, (label, _) in CUSTOMER_SORTS.items():
        first = f"-{key}" if key in DESCENDING_FIRST else key
        other = key if first.startswith("-") else f"-{key}"
        active = current.removeprefix("-") == key
        headers.append(
            {
                "key": key,
                "label": label,
                "sort": (other if current == first else first) if active else first,
                "active": active,
                "arrow": ("↓" if current.startswith("-") else "↑") if active else "",
            }
        )
    return headers


def customer_page_list(*, organization: Organization, q: str = "", sort: str = "") -> QuerySet:
    """The customers (search `q`), sorted by a whitelisted key; empty values always last."""
    key = sort_key(sort) or DEFAULT_SORT
    field = F(CUSTOMER_SORTS[key.removeprefix("-")][1])
    order = field.desc(nulls_last=True) if key.startswith("-") else field.asc(nulls_last=True)
    qs = selectors.customer_list(organization=organization, q=q)
    return qs.order_by(order, "customer_id")


def today_of(organization: Organization) -> datetime.date:
    return timezone.now().astimezone(zoneinfo.ZoneInfo(organization.time_zone)).date()


def segment_totals(customers: QuerySet, *, today: datetime.date) -> dict:
    """Per segment and over all: customers, churned (on or before `today`; a later date is a
    notice, not yet a loss), churn rate and mean CLV — one query, figures unrounded."""
    rows = list(
        customers.order_by()
        .values("segment")
        .annotate(
            customers=Count("id"),
            churned=Count("id", filter=Q(churned_on__lte=today)),
            with_clv=Count("clv"),
            # Whole cents summed as integers: exact on PostgreSQL and SQLite alike.
            clv_cents=Sum(Cast(Round(F("clv") * 100), BigIntegerField())),
        )
        .order_by("segment")
    )
    total = {"segment": None, "customers": 0, "churned": 0, "with_clv": 0, "clv_cents": 0}
    for row in rows:
        row["clv_cents"] = int(row["clv_cents"] or 0)
        for name in ("customers", "churned", "with_clv", "clv_cents"):
            total[name] += row[name]
    return {"segments": [_figures(r) for r in rows], "total": _figures(total)}


def _figures(row: dict) -> dict:
    return {
        **row,
        "churn_rate": metrics.churn_rate(row["churned"], row["customers"]),
        "mean_clv": metrics.cents_mean(row["clv_cents"], row["with_clv"]),
    }
