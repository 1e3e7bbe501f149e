"""Writes of the alignment engine: requesting, computing and publishing recompute runs."""

import datetime
import logging
import time
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone

from alignment.engine import compute as engine
from alignment.engine.periods import Window, window_for
from alignment.models import Run
from cxalign.background import call_on_commit
from cxalign.celery import MAX_ATTEMPTS
from cxalign.gcpause import gc_paused
from cxalign.orgs.models import Membership, Organization
from cxalign.orgs.stamps import stamp_forget
from kpis.models import KPI, Measurement
from strategy.models import Cycle

log = logging.getLogger(__name__)
TRANSIENT = (OperationalError, InterfaceError)
FIGURE_KPIS = ("nps", "churn_rate", "clv", "onboarding_success_rate", "csat", "ces")


def run_window(run: Run) -> Window:
    return window_for(
        inputs_due_on=run.cycle.inputs_due_on,
        horizon_days=run.settings.get("churn_horizon_days", run.organization.churn_horizon_days),
        current=(run.current_first, run.current_last),
        previous=(run.previous_first, run.previous_last),
    )


def _stale_runs_fail(*, organization: Organization, cycle: Cycle) -> None:
    """A run left active past twice the task time limit died with its worker: free the cycle."""
    limit = datetime.timedelta(seconds=2 * settings.CELERY_TASK_TIME_LIMIT)
    Run.objects.for_org(organization).active().filter(
        cycle=cycle, created_at__lt=timezone.now() - limit
    ).update(status=Run.Status.FAILED, message="Stopped responding; a new run was allowed.")


def run_request(
    *,
    organization: Organization,
    cycle: Cycle,
    trigger: str = Run.Trigger.PERSON,
    member: Membership | None = None,
    current: tuple[datetime.date, datetime.date] | None = None,
    previous: tuple[datetime.date, datetime.date] | None = None,
    enqueue: bool = True,
) -> Run:
    """Queue a recompute of the cycle; refuses while one is queued or running."""
    if cycle.organization_id != organization.id:
        raise ValidationError({"cycle": "Choose a planning cycle of this organization."})
    window = window_for(
        inputs_due_on=cycle.inputs_due_on,
        horizon_days=organization.churn_horizon_days,
        current=current,
        previous=previous,
    )
    _stale_runs_fail(organization=organization, cycle=cycle)
    try:
        with transaction.atomic():
            run = Run.objects.create(
                organization=organization,
                cycle=cycle,
                trigger=trigger,
                requested_by=member,
                current_first=window.current.first_day,
                current_last=window.current.last_day,
                previous_first=window.previous.first_day,
                previous_last=window.previous.last_day,
                settings=engine.settings_used(organization),
                step="Waiting for a worker",
            )
    except IntegrityError as exc:
        active = Run.objects.for_org(organization).active().filter(cycle=cycle).first()
        number = f" (run {active.id})" if active else ""
        raise ValidationError(
            f"A recompute of {cycle.name} is already running{number}; wait for it to finish."
        ) from exc
    if enqueue:
        from alignment.tasks import recompute_chain

        call_on_commit(lambda: recompute_chain(run.id), f"recompute run {run.id}")
    return run


def runs_resume() -> int:
    """Queue again the runs still marked active (a stopped server's): each claims its run
    again and computes it from the start."""
    from alignment.tasks import recompute_chain

    # A command's run (manage.py recompute) computes in the command's own process.
    runs = Run.objects.active().exclude(trigger=Run.Trigger.COMMAND)
    ids = list(runs.values_list("id", flat=True))
    for run_id in ids:
        call_on_commit(lambda run_id=run_id: recompute_chain(run_id), f"recompute run {run_id}")
    return len(ids)


def _progress(run_id: int):
    def report(fraction: float, step: str) -> None:
        Run.objects.filter(id=run_id).update(progress=fraction, step=step)

    return report


def run_claim(*, run_id: int) -> Run | None:
    """Mark the run as computing (again, after a lost worker); None when it is finished."""
    claimed = Run.objects.filter(
        id=run_id, status__in=Run.ACTIVE, attempts__lt=MAX_ATTEMPTS
    ).update(
        status=Run.Status.RUNNING,
        started_at=timezone.now(),
        step="Starting",
        attempts=F("attempts") + 1,
    )
    if not claimed:
        Run.objects.filter(id=run_id, status__in=Run.ACTIVE).update(
            status=Run.Status.FAILED,
            message=f"Stopped after {MAX_ATTEMPTS} attempts: each ended the process computing it.",
        )
        return None
    return Run.objects.select_related("organization", "cycle").get(id=run_id)


@gc_paused()
def run_compute(*, run_id: int) -> bool:
    """Step 1: compute every figure into the run's row (invisible until published)."""
    run = run_claim(run_id=run_id)
    if run is None:
        return False
    try:
        document, timings, inputs = engine.compute_with_inputs(
            organization=run.organization, window=run_window(run), progress=_progress(run.id)
        )
    except TRANSIENT:
        raise  # the task retries; the run stays claimed
    except Exception as exc:
        _run_fail(run, exc)
        raise
    Run.objects.filter(id=run.id, status=Run.Status.RUNNING).update(
        results=document, timings=timings, inputs=inputs, progress=0.85, step="Raising flags"
    )
    return True


@gc_paused()
def run_publish(*, run_id: int) -> Run | None:
    """Step 2: raise the flags, write the KPI measurements and show the run, all at once."""
    run = Run.objects.select_related("organization", "cycle").filter(id=run_id).first()
    if run is None or run.status != Run.Status.RUNNING or not run.results:
        return run
    try:
        with transaction.atomic():
            started = time.perf_counter()
            counts = _flags_raise(run)
            measurements_write(run=run)
            timings = {**run.timings, "flags": time.perf_counter() - started}
            finished = Run.objects.filter(id=run.id, status=Run.Status.RUNNING).update(
                status=Run.Status.SUCCEEDED,
                progress=1.0,
                step="Finished",
                finished_at=timezone.now(),
                timings=timings,
                flags_open=counts["open"],
                flags_new=counts["new"],
                flags_resolved=counts["resolved"],
            )
            if not finished:
                transaction.set_rollback(True)
            stamp_forget(run.organization_id)  # the dashboard shows the new run from now
    except TRANSIENT:
        raise
    except Exception as exc:
        _run_fail(run, exc)
        raise
    runs_prune(organization=run.organization, cycle=run.cycle)
    run.refresh_from_db()
    return run


def _flags_raise(run: Run) -> dict:
    from alignment.flags import flags_sync
    from alignment.rules import RuleContext, evaluate

    now = timezone.now()
    ctx = RuleContext(
        organization=run.organization,
        cycle=run.cycle,
        figures=run.results,
        today=timezone.localdate(now),
        now=now,
    )
    findings = evaluate(ctx)
    return flags_sync(organization=run.organization, cycle=run.cycle, run=run, findings=findings)


def _run_fail(run: Run, exc: Exception) -> None:
    log.exception("Recompute run %s failed", run.id)
    Run.objects.filter(id=run.id).update(
        status=Run.Status.FAILED,
        finished_at=timezone.now(),
        step="Failed",
        message=f"The recompute stopped: {exc.__class__.__name__}: {exc}"[:2000],
    )


def measurements_write(*, run: Run) -> int:
    """The run's measured KPI values (company and per segment) into the KPI catalogue."""
    organization = run.organization
    kpis = {k.key: k for k in KPI.objects.for_org(organization).filter(key__in=FIGURE_KPIS)}
    rows = []
    for key, per_segment in run.results.get("kpis", {}).items():
        kpi = kpis.get(key)
        if kpi is None:
            continue
        for name, per in per_segment.items():
            value = per.get("current")
            if value is None or name == "(no segment)":
                continue
            rows.append(
                Measurement(
                    organization=organization,
                    kpi=kpi,
                    measured_on=run.current_last,
                    segment="" if name == "all" else name[:120],
                    value=Decimal(repr(value)).quantize(Decimal("0.0001")),
                    note=f"Measured by recompute run {run.id}",
                    source=Measurement.Source.ENGINE,
                )
            )
    Measurement.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["kpi", "measured_on", "segment"],
        update_fields=["value", "note", "source"],
    )
    return len(rows)


def runs_prune(*, organization: Organization, cycle: Cycle) -> int:
    """Keep the organization's last `runs_kept` finished runs of the cycle."""
    keep = max(1, organization.runs_kept)
    finished = (
        Run.objects.for_org(organization).filter(cycle=cycle).exclude(Q(status__in=Run.ACTIVE))
    )
    old = list(finished.order_by("-created_at", "-id").values_list("id", flat=True)[keep:])
    if old:
        Run.objects.filter(id__in=old).delete()
    return len(old)


def runs_request_due(*, today: datetime.date) -> int:
    """Queue a scheduled run for every cycle between its inputs-due date and its start."""
    due = Cycle.objects.exclude(status=Cycle.Status.CLOSED).filter(
        inputs_due_on__lte=today, starts_on__gte=today
    )
    queued = 0
    for cycle in due.select_related("organization"):
        try:
            run_request(organization=cycle.organization, cycle=cycle, trigger=Run.Trigger.SCHEDULE)
        except ValidationError:
            continue  # one is running already; it reads the same data
        queued += 1
    return queued


def run_request_after_import(*, organization: Organization) -> Run | None:
    """After an import: queue a run of the current cycle unless one is already waiting."""
    from alignment.selectors import cycle_current

    cycle = cycle_current(organization=organization)
    if cycle is None:
        return None
    if Run.objects.for_org(organization).filter(cycle=cycle, status=Run.Status.QUEUED).exists():
        return None  # debounced: the queued run will read this import too
    return run_request(organization=organization, cycle=cycle, trigger=Run.Trigger.IMPORT)
