"""The engine's one entry point: read, compute, and return the links document of a run."""

import time
import zoneinfo
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from django.db import connection, transaction
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


def _customers(scope: reads.Scope) -> tuple[dict, dict]:
    """The period's customer rows and their links figures, computed in the read's thread while
    the other reads run in the database."""
    frame = reads.customer_latest(scope)
    return frame, fig.links_of_period(frame)


READS = (("customers", _customers), ("responses", reads.response_counts),
         ("onboarding", reads.onboarding_counts))  # fmt: skip


def compute(
    *, organization: Organization, window: Window, progress: Progress | None = None
) -> tuple[dict, dict]:
    """(document, timings): every figure of part B for the organization over the window."""
    report = progress or (lambda fraction, step: None)
    jobs = _read_jobs(organization, window)
    report(0.05, "Reading responses, themes and customers")
    if parallel_reads_possible():
        done = _read_parallel(jobs)
    else:
        with transaction.atomic():
            reads.session_tune()
            done = _read_serial(jobs, report)
    report(0.75, "Relating NPS to churn and customer value")
    started = time.perf_counter()
    results = {name: reads.both_periods(*(done[f"{name}_{p}"][0] for p in reads.PERIODS))
               for name, _ in READS if name != "customers"}  # fmt: skip
    customers = {p: done[f"customers_{p}"][0][0] for p in reads.PERIODS}
    links = fig.links_block({p: done[f"customers_{p}"][0][1] for p in reads.PERIODS})
    timings = {key: seconds for key, (_, seconds) in done.items()}
    segment_rows, touchpoint_rows, theme_rows = results["responses"]
    document = assemble(organization, window, segment_rows, touchpoint_rows, theme_rows,
                        customers, links, results["onboarding"])  # fmt: skip
    timings["figures"] = time.perf_counter() - started
    return document, timings


def compute_with_inputs(
    *, organization: Organization, window: Window, progress: Progress | None = None
) -> tuple[dict, dict, dict]:
    """(document, timings, inputs): `compute` and `inputs_of`, the latter on its own connection
    while the reads run when they run in parallel (it counts every response of the
    organization: a scan of its own)."""
    if not parallel_reads_possible():
        document, timings = compute(organization=organization, window=window, progress=progress)
        return document, timings, inputs_of(organization)
    with ThreadPoolExecutor(max_workers=1) as pool:
        counted = pool.submit(_read_in_thread, "inputs", inputs_of, organization)
        document, timings = compute(organization=organization, window=window, progress=progress)
        _, inputs, timings["inputs"] = counted.result()
    return document, timings, inputs


def parallel_reads_possible() -> bool:
    """PostgreSQL outside a transaction: each read on its own connection, both cores busy.
    (Inside a transaction other connections would not see its rows.)"""
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def _read_jobs(organization: Organization, window: Window) -> list[tuple]:
    """(name_period, read, scope) for every read and period, the longest first."""
    tz = zoneinfo.ZoneInfo(organization.time_zone)
    return [(f"{name}_{period}", func, reads.Scope(organization.id, window, tz, period))
            for name, func in READS for period in reads.PERIODS]  # fmt: skip


def _timed_read(name: str, func, scope) -> tuple[str, object, float]:
    started = time.perf_counter()
    return name, func(scope), time.perf_counter() - started


def _read_serial(jobs: list[tuple], report: Progress) -> dict[str, tuple]:
    """{name_period: (result, seconds)}, one read after the other on this connection."""
    done = {}
    for index, (name, func, scope) in enumerate(jobs):
        report(0.05 + 0.7 * index / len(jobs), f"Reading {name.replace('_', ' of the ')} period")
        _, result, seconds = _timed_read(name, func, scope)
        done[name] = (result, seconds)
    return done


def _read_in_thread(name: str, func, scope) -> tuple[str, object, float]:
    """`func(scope)` in a transaction on this thread's own connection, closed after."""
    try:
        with transaction.atomic():
            reads.session_tune()
            return _timed_read(name, func, scope)
    finally:
        connection.close()  # the thread's own connection


def _read_parallel(jobs: list[tuple]) -> dict[str, tuple]:
    """{name_period: (result, seconds)}, every read on its own connection at once."""
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        finished = list(pool.map(lambda job: _read_in_thread(*job), jobs))
    return {name: (result, seconds) for name, result, seconds in finished}


def assemble(organization, window, segment_rows, touchpoint_rows, theme_rows, customers, links,
             onboarding_rows) -> dict:  # fmt: skip
    """The links document from the reads (pure apart from the theme names)."""
    nps = fig.nps_block(segment_rows)
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
