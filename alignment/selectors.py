"""Reads of the alignment engine's stored results: pages and the API never compute figures."""

from django.utils import timezone

from alignment.models import Flag, Run
from cxalign.orgs.models import Organization
from strategy.models import Cycle


def cycle_current(*, organization: Organization, today=None) -> Cycle | None:
    """The cycle the engine works for: the one being prepared (between its inputs-due date and
    its start), else the active one holding today, else the next open one, else the latest."""
    today = today or timezone.localdate()
    cycles = list(Cycle.objects.for_org(organization).order_by("starts_on", "id"))
    preparing = [c for c in cycles if c.status != Cycle.Status.CLOSED
                 and c.inputs_due_on <= today <= c.starts_on]  # fmt: skip
    running = [c for c in cycles if c.status != Cycle.Status.CLOSED
               and c.starts_on <= today <= c.ends_on]  # fmt: skip
    upcoming = [c for c in cycles if c.status != Cycle.Status.CLOSED and c.starts_on > today]
    for group in (preparing, running, upcoming):
        if group:
            return group[0]
    return cycles[-1] if cycles else None


def run_latest(*, organization: Organization, cycle: Cycle | None) -> Run | None:
    """The latest finished run of the cycle: what every page and export reads."""
    if cycle is None:
        return None
    return (
        Run.objects.for_org(organization)
        .finished()
        .filter(cycle=cycle)
        .select_related("cycle", "requested_by__user")
        .order_by("-finished_at", "-id")
        .first()
    )


def run_active(*, organization: Organization, cycle: Cycle | None) -> Run | None:
    if cycle is None:
        return None
    return Run.objects.for_org(organization).active().filter(cycle=cycle).first()


def run_summary(run: Run) -> dict:
    """The provenance every figure carries: which run, when, over what."""
    return {
        "id": run.id,
        "cycle": {"id": run.cycle_id, "name": run.cycle.name},
        "status": run.status,
        "trigger": run.trigger,
        "requested_by": run.requested_by.display_name if run.requested_by else None,
        "created_at": run.created_at.isoformat(),
        "started_at": run.started_at.isoformat() if run.started_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "seconds": run.seconds,
        "settings": run.settings,
        "inputs": run.inputs,
    }


def links_document(run: Run) -> dict:
    """The links document of the API: the run's provenance and its stored figures."""
    return {"run": run_summary(run), **run.results}


def flag_list(*, organization: Organization):
    return Flag.objects.for_org(organization).select_related(
        "owner__user", "unit", "cycle", "acknowledged_by__user"
    )
