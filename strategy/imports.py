"""Cascade imports in the background: upload, check, apply.

The page stores the upload and answers at once. A Celery task (`strategy.tasks.goal_import_run`)
calls `goal_import_process` with the job's id: it reads and checks every row
(`spreadsheet.read_rows`, then `spreadsheet.goals_import` as a dry run) and stores the preview;
once a person confirms it, the same task applies the file all or nothing in one transaction that
locks the job, so a second delivery finds it done and a killed run leaves nothing half written.
The page polls the live progress (`cxalign.progress`).
"""

from __future__ import annotations

import datetime
import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone

from cxalign.background import enqueue_on_commit
from cxalign.celery import MAX_ATTEMPTS
from cxalign.orgs.models import Membership, Organization
from cxalign.progress import progress_clear, progress_get, progress_set, throttled
from cxalign.tabular.read import FileProblem, check_xlsx
from strategy import spreadsheet
from strategy.models import Cycle, GoalImport

log = logging.getLogger(__name__)
Status = GoalImport.Status
PROGRESS = "strategy:goal-import"
MAX_BYTES = 20 * 1024 * 1024  # a cascade of MAX_ROWS goals is a few megabytes
EXTENSIONS = (".csv", ".txt", ".xlsx", ".xlsm")
NOT_READY = {
    Status.CHECKING: "is still being checked",
    Status.APPLYING: "is being imported",
    Status.SUCCEEDED: "was imported already",
    Status.FAILED: "could not be imported",
}
PREVIEW_ROWS = 500  # rows of the preview table shown on the page (all are checked)
ERROR_ROWS = 200  # bad rows listed on the page (all are counted)
KEEP = 20  # finished uploads kept per organization
STALE_AFTER = datetime.timedelta(seconds=2 * settings.CELERY_TASK_TIME_LIMIT)
GAVE_UP = (f"Nothing was imported: the work stopped {MAX_ATTEMPTS} times before it finished "
           "(the file may be too large to read here). Split it, or export the sheet as CSV.")  # fmt: skip


@transaction.atomic
def goal_import_upload(
    *,
    organization: Organization,
    cycle: Cycle,
    created_by: Membership | None,
    uploaded_file: UploadedFile,
) -> GoalImport:
    """Store the file and queue its check (nothing is written to the cascade yet)."""
    full_name = Path(uploaded_file.name or "").name
    if not full_name.lower().endswith(EXTENSIONS):
        raise ValidationError({"file": "Upload a .csv or .xlsx file."})
    suffix = Path(full_name).suffix
    # Shown on the page (its end kept); the stored file gets a short name of its own.
    name = full_name if len(full_name) <= 255 else full_name[: 255 - len(suffix)] + suffix
    if uploaded_file.size > MAX_BYTES:
        raise ValidationError(
            {"file": f"The file is {uploaded_file.size / 2**20:.1f} MB; a cascade file may be "
                     f"at most {MAX_BYTES // 2**20} MB. Split it or remove unused columns."}
        )  # fmt: skip
    if name.lower().endswith((".xlsx", ".xlsm")):
        _refuse_bomb(uploaded_file)
    if cycle.organization_id != organization.id:
        raise ValidationError({"cycle": "Choose one of your organization's planning cycles."})
    job = GoalImport(organization=organization, cycle=cycle, created_by=created_by, file_name=name)
    job.file.save(uuid.uuid4().hex + Path(full_name).suffix.lower(), uploaded_file, save=False)
    job.save()
    _prune(organization)
    _enqueue(job)
    return job


def _prune(organization: Organization) -> None:
    """Keep the organization's KEEP newest uploads; older ones go with their files."""
    old = GoalImport.objects.for_org(organization).exclude(status__in=GoalImport.ACTIVE)
    for job in old.order_by("-created_at", "-id")[KEEP:]:
        job.file.delete(save=False)
        job.delete()


def _refuse_bomb(uploaded_file: UploadedFile) -> None:
    """A workbook that would unpack too big is refused at once: its zip directory is read,
    nothing is unpacked (the background check reads the cells with the same limits)."""
    try:
        check_xlsx(uploaded_file)
    except FileProblem as exc:
        raise ValidationError({"file": str(exc)}) from exc
    finally:
        uploaded_file.seek(0)


@transaction.atomic
def goal_import_apply(*, job: GoalImport) -> GoalImport:
    """Queue the import of a file checked with no bad row (all or nothing). A conditional
    update: a second click finds it importing already, without waiting on the first."""
    started = GoalImport.objects.filter(pk=job.pk, status=Status.CHECKED, rejected=0).update(
        status=Status.APPLYING, message="", attempts=0, updated_at=timezone.now()
    )
    job.refresh_from_db()
    if not started:
        reason = "has bad rows" if job.rejected else NOT_READY[job.status]
        raise ValidationError(f"This file {reason}; it cannot be imported (again).")
    _enqueue(job)
    return job


def _enqueue(job: GoalImport) -> None:
    from strategy.tasks import goal_import_run

    # In the embedded web server this runs in a thread, so the page shows its progress.
    enqueue_on_commit(goal_import_run, job.id)


def goal_imports_resume() -> int:
    """Queue again the checks and imports still marked active (a stopped server's)."""
    from strategy.tasks import goal_import_run

    ids = list(GoalImport.objects.filter(status__in=GoalImport.ACTIVE).values_list("id", flat=True))
    for job_id in ids:
        enqueue_on_commit(goal_import_run, job_id)
    return len(ids)


def goal_import_progress(job: GoalImport) -> dict:
    """{"checked", "total", "fraction"} of a running job (a finished one: all done; its counts
    are in its summary)."""
    if job.is_active:
        return progress_get(PROGRESS, job.id) or {"checked": 0, "total": 0, "fraction": 0.0}
    return {"checked": None, "total": None, "fraction": 1.0}


def goal_import_process(*, job_id: int) -> str:
    """Check or apply a queued job to the end; safe to call twice. Returns the status."""
    job = GoalImport.objects.select_related("cycle").filter(id=job_id).first()
    if job is None or not job.is_active:
        return "skipped"
    if job.attempts >= MAX_ATTEMPTS:
        return _fail(job.id, GAVE_UP)
    if not _claim(job):
        return "skipped"
    try:
        return _check(job) if job.status == Status.CHECKING else _apply(job)
    except ValidationError as exc:
        return _fail(job.id, "Nothing was imported: " + " ".join(exc.messages))
    except (OperationalError, InterfaceError):
        raise  # transient: the task retries; the job stays claimable
    except Exception:
        log.exception("Cascade import %s failed", job.id)
        _fail(job.id, "Nothing was imported: the import stopped on an unexpected error, which "
                      "is logged. Try again; if it fails again, tell your administrator.")  # fmt: skip
        raise
    finally:
        progress_clear(PROGRESS, job.id)


def goal_import_stale_fail(*, job: GoalImport) -> GoalImport:
    """A job active far longer than any run takes lost its worker (or its message): fail it
    with a reason, so its page stops waiting (called by the page)."""
    if job.is_active and job.updated_at < timezone.now() - STALE_AFTER:
        _fail(job.id, "Nothing was imported: the work stopped responding. Upload the file again.")
        job.refresh_from_db()
    return job


def _claim(job: GoalImport) -> bool:
    """A conditional update: a job another run has finished meanwhile is not run again."""
    claimed = GoalImport.objects.filter(id=job.id, status=job.status)
    return bool(claimed.update(attempts=F("attempts") + 1, updated_at=timezone.now()))


def _summary(job: GoalImport, *, dry_run: bool) -> dict:
    """Read the stored file and check (or apply) every row, reporting progress as it goes."""

    def report(checked: int, total: int) -> None:
        values = {"checked": checked, "total": total, "fraction": min(checked / total, 0.99)}
        progress_set(PROGRESS, job.id, values)

    every_so_often = throttled(report)

    def on_progress(checked: int, total: int) -> None:
        (report if checked == total else every_so_often)(checked, total)  # the last one shows

    notes: list[dict] = []
    with job.file.open("rb") as handle:
        rows = spreadsheet.read_rows(handle.read(), filename=job.file_name, notes=notes)
    return spreadsheet.goals_import(cycle=job.cycle, rows=rows, dry_run=dry_run,
                                    with_rows=dry_run, notes=notes,
                                    on_progress=on_progress)  # fmt: skip


def _check(job: GoalImport) -> str:
    summary = _summary(job, dry_run=True)
    GoalImport.objects.filter(id=job.id, status=Status.CHECKING).update(
        status=Status.CHECKED,
        summary=summary,
        rejected=summary["rejected"],
        finished_at=timezone.now(),
    )
    if summary["rejected"]:
        _file_drop(job.id)  # never importable: the corrected file comes as a new upload
    return Status.CHECKED


def _apply(job: GoalImport) -> str:
    with transaction.atomic():
        locked = GoalImport.objects.select_for_update().select_related("cycle").get(id=job.id)
        if locked.status != Status.APPLYING:
            return "skipped"
        summary = _summary(locked, dry_run=False)
        if summary["errors"]:  # the cascade changed since the check: nothing was written
            locked.status = Status.FAILED
            locked.message = (
                f"Nothing was imported: {summary['rejected']:,} row(s) are wrong now (the cascade "
                "changed since the check). Upload the file again to see them."
            )
        else:
            locked.status = Status.SUCCEEDED
            locked.message = (
                f"{summary['created']:,} goal(s) created, {summary['updated']:,} updated "
                f"in {locked.cycle.name}."
            )
        locked.summary = {**locked.summary, **summary, "rows": locked.summary.get("rows", [])}
        locked.rejected = summary["rejected"]
        locked.finished_at = timezone.now()
        locked.save()
    _file_drop(job.id)
    return locked.status


def _fail(job_id: int, message: str) -> str:
    GoalImport.objects.filter(id=job_id).update(
        status=Status.FAILED, message=message, finished_at=timezone.now()
    )
    _file_drop(job_id)
    return Status.FAILED


def _file_drop(job_id: int) -> None:
    """The upload is kept only while it can still be imported."""
    job = GoalImport.objects.filter(id=job_id).only("id", "file").first()
    if job is not None and job.file:
        job.file.delete(save=False)
        GoalImport.objects.filter(id=job_id).update(file="")
