"""Celery tasks of the alignment engine: thin wrappers that re-fetch by id and call services."""

from celery import chain, current_app, shared_task
from django.utils import timezone

from alignment.tasks_escalation import checkins_escalate  # noqa: F401  (found by the worker)
from cxalign.celery import DB_TASK


@shared_task(**DB_TASK)
def recompute_compute(self, run_id: int) -> bool:
    """Step 1 of a run: compute every figure (a second delivery recomputes the same)."""
    from alignment.services import run_compute

    return run_compute(run_id=run_id)


@shared_task(**DB_TASK)
def recompute_publish(self, run_id: int) -> str | None:
    """Step 2 of a run: flags, KPI measurements, and the run becomes the one pages read."""
    from alignment.services import run_publish

    run = run_publish(run_id=run_id)
    return run.status if run else None


def recompute_chain(run_id: int):
    """One chain per run: compute, then publish. Tasks inline (the embedded mode): one after
    the other here, as Celery's eager chain waits on a flag shared by the whole process, which
    the eager tasks of other threads set (it then refuses to run: "Never call result.get()
    within a task")."""
    if current_app.conf.task_always_eager:
        if recompute_compute.apply(args=(run_id,)).successful():
            recompute_publish.apply(args=(run_id,))
        return None
    return chain(recompute_compute.si(run_id), recompute_publish.si(run_id)).apply_async()


@shared_task(**DB_TASK)
def recompute_due_cycles(self) -> int:
    """Daily: queue a run for every cycle between its inputs-due date and its start."""
    from alignment.services import runs_request_due

    return runs_request_due(today=timezone.localdate())


@shared_task(bind=True, acks_late=True, max_retries=30)
def recompute_after_import(self, organization_id: int) -> int | None:
    """After an import: a run of the current cycle, unless one is queued (debounce); while one
    computes, try again a minute later so the new rows are read."""
    from django.core.exceptions import ValidationError

    from alignment.services import run_request_after_import
    from cxalign.orgs.models import Organization

    organization = Organization.objects.filter(id=organization_id).first()
    if organization is None:
        return None
    try:
        run = run_request_after_import(organization=organization)
    except ValidationError as exc:
        raise self.retry(countdown=60, exc=exc) from exc
    return run.id if run else None
