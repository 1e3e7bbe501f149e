"""The engine's one entry point: read, compute, and return the links document of a run."""

import time
import zoneinfo
from collections.abc import Callable

from django.db import transaction
from django.db.models import Count, Max

from alignment.engine import figures as fig
from alignment.engine import reads
from alignment.engine.periods import Window
from cxalign.orgs.models import Organization
from feedback.models import Customer, ImportBatch, Response, Theme

Progress = Callable[[float, str], None]


def settings_used(organization: Organization) -> dict:
    """The organization's settings as a run reads them (stored with the run)."""
    return {
        "time_zone": organization.time_zone,
        "churn_horizon_days": organization.churn_horizon_days,
        "checkin_cadence_days": organization.checkin_cadence_days,
        "followup_sla_hours": organization.followup_sla_hours,
        "rising_theme_ratio": organization.rising_theme_ratio,
        "rising_theme_min_responses": organization.rising_theme_min_responses,
        "detractor_move_share": organization.detractor_move_share,
    }


def compute(
    *, organization: Organization, window: Window, progress: Progress | None = None
) -> tuple[dict, dict]:
    """(document, timings): every figure of part B for the organization over the window."""
    report = progress or (lambda fraction, step: None)
    with transaction.atomic():
        reads.session_tune()
        return _compute(organization, window, report)


def _compute(organization: Organization, window: Window, report: Progress) -> tuple[dict, dict]:
    scope = reads.Scope(organization.id, window, zoneinfo.ZoneInfo(organization.time_zone))
    timings: dict[str, float] = {}

    def timed(name, func, *args):
        started = time.perf_counter()
        result = func(*args)
        timings[name] = time.perf_counter() - started
        return result

    report(0.05, "Counting responses per segment and touchpoint")
    segment_rows, touchpoint_rows = timed("responses", reads.response_counts, scope)
    report(0.35, "Counting themes")
    theme_rows = timed("themes", reads.theme_counts, scope)
    report(0.6, "Reading each customer's latest answer")
    customers = timed("customers", reads.customer_latest, scope)
    onboarding_rows = timed("onboarding", reads.onboarding_counts, scope)
    report(0.75, "Relating NPS to churn and customer value")
    started = time.perf_counter()
    document = assemble(organization, window, segment_rows, touchpoint_rows, theme_rows,
                        customers, onboarding_rows)  # fmt: skip
    timings["figures"] = time.perf_counter() - started
    return document, timings


def assemble(organization, window, segment_rows, touchpoint_rows, theme_rows, customers,
             onboarding_rows) -> dict:  # fmt: skip
    """The links document from the reads (pure apart from the theme names)."""
    nps = fig.nps_block(segment_rows)
    links = fig.links_block(customers)
    onboarding = fig.onboarding_rates(onboarding_rows)
    for name, entry in links.items():
        for period in fig.PERIODS:
            entry[period]["onboarding_success_rate"] = onboarding.get(name, {}).get(period)
    quality = fig.data_quality(segment_rows, customers)
    totals = {period: quality[period]["responses"] for period in fig.PERIODS}
    theme_names = dict(Theme.objects.for_org(organization).values_list("id", "name"))
    return {
        "periods": {"previous": window.previous.as_dict(), "current": window.current.as_dict()},
        "nps": nps,
        "links": links,
        "touchpoints": fig.touchpoint_block(touchpoint_rows),
        "themes": fig.theme_block(
            theme_rows,
            theme_names,
            totals,
            organization.rising_theme_ratio,
            organization.rising_theme_min_responses,
        ),
        "value_of_moving": fig.value_of_moving(links, organization.detractor_move_share),
        "kpis": fig.kpi_values(nps, links, onboarding, fig.csat_ces_counts(segment_rows)),
        "data_quality": quality,
    }


def inputs_of(organization: Organization) -> dict:
    """What a run is computed from: row counts, the latest response and the latest imports."""
    responses = Response.objects.for_org(organization).aggregate(n=Count("id"), last=Max("id"))
    batches = list(
        ImportBatch.objects.for_org(organization)
        .filter(status=ImportBatch.Status.SUCCEEDED)
        .order_by("-finished_at", "-id")
        .values("id", "kind", "file_name", "finished_at")[:5]
    )
    for batch in batches:
        batch["finished_at"] = batch["finished_at"].isoformat() if batch["finished_at"] else None
    return {
        "responses_total": responses["n"],
        "latest_response_id": responses["last"],
        "customers_total": Customer.objects.for_org(organization).count(),
        "latest_imports": batches,
    }
