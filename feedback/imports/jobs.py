"""Running imports: upload, check (preview), commit, cancel and the job that does the work.

An upload is stored and recognised at once; the check and the import run in a Celery task
(`feedback.tasks.import_batch_run`) that calls `import_batch_process` with the batch id: it
re-fetches the batch, claims it with a conditional update and runs the engine
(`feedback.imports.pipeline`) inside one transaction, so a second delivery finds it claimed or
done and a killed run leaves nothing half written. `feedback.services` re-exports the entry
points, so pages, the API and the commands call one module for every write of the app.
"""

from __future__ import annotations

import logging
import shutil
import uuid
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone

from cxalign.background import enqueue_on_commit
from cxalign.celery import MAX_ATTEMPTS
from cxalign.orgs.models import Membership, Organization
from cxalign.progress import TTL_S, progress_clear, progress_get, progress_set, throttled
from cxalign.tabular.read import FileProblem
from feedback.imports import pipeline
from feedback.imports.files import FileInfo, info_from_json, info_to_json, inspect_file
from feedback.imports.known import known_for
from feedback.imports.mapping import guess_mapping, mapping_problems
from feedback.imports.rows import Context
from feedback.imports.tagging import Tagger
from feedback.imports.writers import writer_for
from feedback.models import Customer, ImportBatch, Response, Source, ThemeRule
from journeys.models import Touchpoint

log = logging.getLogger(__name__)
Status = ImportBatch.Status
GAVE_UP = (f"The work stopped {MAX_ATTEMPTS} times before it finished (the file may be too large "
           "to read here); nothing was imported. Split the file and import the parts.")  # fmt: skip


# ---------------------------------------------------------------- progress and cancel flags
# An import writes inside one transaction, so its progress is invisible in the database until
# it commits. Progress and cancel requests therefore travel through the cache (Redis in the
# services mode, shared by web and workers; process memory in the embedded mode, where tasks
# run in the web process).


PROGRESS = "feedback:import"  # the batch's live counts: cxalign.progress under this kind


def _cancel_key(batch_id: int) -> str:
    return f"feedback:import:{batch_id}:cancel"


def import_progress(batch: ImportBatch) -> dict:
    """Live counts of a running import (or the stored ones of a finished one)."""
    if batch.is_active:
        # Nothing counted yet: zeros, not the counts of the check that came before.
        live = progress_get(PROGRESS, batch.id)
        return live or {"rows_read": 0, "written": 0, "rejected": 0, "fraction": 0.0}
    done = batch.status in {Status.PREVIEWED, Status.SUCCEEDED, Status.REJECTED}
    return {
        "rows_read": batch.rows_read,
        "written": batch.rows_written,
        "rejected": batch.rows_rejected,
        "fraction": 1.0 if done else 0.0,
    }


# ---------------------------------------------------------------- sources of uploads


def source_get_or_create(*, organization: Organization, name: str) -> Source:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"source": "Name the source (e.g. Qualtrics NPS survey)."})
    source, _ = Source.objects.get_or_create(organization=organization, name=name)
    return source


def source_resolve(
    *, organization: Organization, kind: str, source: Source | None = None, name: str = ""
) -> Source | None:
    """The source of an upload: the one chosen, else the one named (created if new); a
    customer file has none. The page, the API and the commands all resolve it here."""
    if kind != ImportBatch.Kind.FEEDBACK:
        return None
    if source is not None:
        return source
    return source_get_or_create(organization=organization, name=name)


# ---------------------------------------------------------------- imports


def _upload_limit_message(size: int) -> str:
    limit = settings.UPLOAD_MAX_BYTES
    return (
        f"The file is {size / 1024 / 1024:.1f} MB; the limit is {limit / 1024 / 1024:.0f} MB. "
        "Split it, or import it with the import_feedback command."
    )


def _touchpoints(organization: Organization) -> dict[str, int]:
    """Touchpoint names of the organization's journeys (lower case) -> id."""
    # Names may repeat across journeys: the oldest touchpoint of that name wins.
    rows = Touchpoint.objects.for_org(organization).order_by("-id").values_list("name", "id")
    return {name.strip().lower(): pk for name, pk in rows}


def organization_tagger(organization: Organization) -> Tagger:
    """The organization's theme rules, compiled once for a run (imports and re-tagging)."""
    rules = ThemeRule.objects.for_org(organization).values_list("theme_id", "pattern")
    return Tagger.build(list(rules))


@transaction.atomic
def import_batch_upload(
    *,
    organization: Organization,
    created_by: Membership | None,
    uploaded_file: UploadedFile,
    kind: str = ImportBatch.Kind.FEEDBACK,
    source: Source | None = None,
) -> ImportBatch:
    """Store an uploaded file, recognise it and guess its column mapping (nothing imported yet)."""
    if uploaded_file.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError({"file": _upload_limit_message(uploaded_file.size)})
    if kind == ImportBatch.Kind.FEEDBACK and source is None:
        raise ValidationError({"source": "Choose the source this feedback comes from."})
    name = Path(uploaded_file.name).name
    batch = ImportBatch(
        organization=organization,
        created_by=created_by,
        kind=kind,
        source=source if kind == ImportBatch.Kind.FEEDBACK else None,
        file_name=name[:255],  # shown; the stored file gets a name of its own (any length)
        file_size=uploaded_file.size,
    )
    batch.file.save(uuid.uuid4().hex + Path(name).suffix.lower()[:10], uploaded_file, save=False)
    try:
        info = inspect_file(batch.file.path, max_bytes=settings.UPLOAD_MAX_BYTES)
    except FileProblem as exc:
        batch.file.delete(save=False)
        raise ValidationError({"file": str(exc)}) from exc
    _apply_info(batch, info)
    batch.save()
    return batch


def _apply_info(batch: ImportBatch, info: FileInfo) -> None:
    batch.file_format = info.label
    batch.headers = info.headers
    batch.sample_rows = info.sample
    batch.options = {**batch.options, "file": info_to_json(info)}
    remembered = batch.source.column_mapping if batch.source_id else {}
    batch.column_mapping = guess_mapping(
        info.headers, descriptions=info.descriptions, remembered=remembered, kind=batch.kind
    )
    if batch.source_id and batch.source.kind == Source.Kind.GENERIC and info.flavor != "generic":
        batch.source.kind = info.flavor
        batch.source.save(update_fields=["kind", "updated_at"])


def _check_mapping(batch: ImportBatch, mapping: dict[str, str]) -> dict[str, str]:
    mapping = {k: v for k, v in mapping.items() if v}
    problems = mapping_problems(mapping, batch.headers, kind=batch.kind)
    if problems:
        raise ValidationError({"column_mapping": problems})
    return mapping


@transaction.atomic
def import_batch_preview(
    *, batch: ImportBatch, mapping: dict[str, str], dayfirst: bool = False, encoding: str = ""
) -> ImportBatch:
    """Save the column mapping and check the whole file in the background (writes nothing).

    `encoding`, when it differs from the one the CSV was read in, reads it again in that one.
    """
    batch = _locked(batch, {Status.UPLOADED, Status.PREVIEWED, Status.FAILED}, "be checked again")
    if encoding and encoding != batch.options.get("file", {}).get("encoding", encoding):
        mapping = _reencode(batch, encoding, mapping)
    batch.column_mapping = _check_mapping(batch, mapping)
    return _enqueue(batch, Status.PREVIEWING, dayfirst=bool(dayfirst))


def _reencode(batch: ImportBatch, encoding: str, mapping: dict[str, str]) -> dict[str, str]:
    """Read the CSV again in the encoding a person chose; the mapping follows the columns."""
    try:
        info = inspect_file(_batch_path(batch), max_bytes=settings.UPLOAD_MAX_BYTES,
                            encoding=encoding)  # fmt: skip
    except FileProblem as exc:
        raise ValidationError({"encoding": str(exc)}) from exc
    position = {header: i for i, header in enumerate(batch.headers)}
    moved = {}
    for name, column in mapping.items():
        i = position.get(column)
        moved[name] = info.headers[i] if i is not None and i < len(info.headers) else column
    batch.file_format = info.label
    batch.headers = info.headers
    batch.sample_rows = info.sample
    batch.options = {**batch.options, "file": info_to_json(info)}
    return moved


@transaction.atomic
def import_batch_commit(*, batch: ImportBatch, all_or_nothing: bool = False) -> ImportBatch:
    """Import the checked file in the background: skip bad rows, or all or nothing."""
    batch = _locked(batch, {Status.PREVIEWED, Status.UPLOADED}, "start again")
    batch.column_mapping = _check_mapping(batch, batch.column_mapping)
    return _enqueue(batch, Status.QUEUED, all_or_nothing=bool(all_or_nothing))


def _locked(batch: ImportBatch, statuses: set[str], action: str) -> ImportBatch:
    """The batch locked for this change, if its status allows `action`."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status not in statuses:
        raise ValidationError(
            f"This import is {batch.get_status_display().lower()}; it cannot {action}."
        )
    return batch


def _enqueue(batch: ImportBatch, status: str, **options) -> ImportBatch:
    """Queue the check (PREVIEWING) or the import (QUEUED) of the batch, after commit."""
    from feedback.tasks import import_batch_run

    batch.options = {**batch.options, **options}
    batch.status = status
    batch.dry_run = status == Status.PREVIEWING
    batch.message = ""
    batch.attempts = 0  # each step (check, import) has MAX_ATTEMPTS of its own
    batch.save()
    cache.delete(_cancel_key(batch.id))
    # In the embedded web server this runs in a thread, so the page shows its progress.
    enqueue_on_commit(import_batch_run, batch.id)
    return batch


def imports_resume() -> int:
    """Queue again the checks and imports still marked active (a stopped server's); returns how
    many. Each run re-claims its batch and starts over, as after a lost worker."""
    from feedback.tasks import import_batch_run

    # A command's import of a local file (no upload) runs in the command's own process.
    active = ImportBatch.objects.filter(status__in=ImportBatch.ACTIVE).exclude(file="")
    ids = list(active.values_list("id", flat=True))
    for batch_id in ids:
        enqueue_on_commit(import_batch_run, batch_id)
    return len(ids)


def import_batch_cancel(*, batch: ImportBatch) -> str:
    """Stop an import: a waiting one at once, a running one at its next chunk (nothing written)."""
    if batch.is_finished:
        raise ValidationError("This import has finished; there is nothing to cancel.")
    stopped = ImportBatch.objects.filter(
        pk=batch.pk, status__in=[Status.QUEUED, Status.UPLOADED, Status.PREVIEWED]
    ).update(
        status=Status.CANCELLED, finished_at=timezone.now(), message="Cancelled before it started."
    )
    if stopped:
        return "cancelled"
    cache.set(_cancel_key(batch.id), True, TTL_S)
    return "cancelling"


def _claim(batch_id: int, dry_run: bool) -> bool:
    """Take the batch for this run: a conditional update, so two deliveries cannot both start.

    A commit stays RUNNING while it works; a retry after a killed worker claims it again
    (nothing of the killed run was committed, so starting over neither loses nor doubles rows).
    """
    statuses = [Status.PREVIEWING] if dry_run else [Status.QUEUED, Status.RUNNING]
    new_status = Status.PREVIEWING if dry_run else Status.RUNNING
    return bool(
        ImportBatch.objects.filter(id=batch_id, status__in=statuses, dry_run=dry_run).update(
            status=new_status, attempts=F("attempts") + 1, started_at=timezone.now()
        )
    )


def _batch_path(batch: ImportBatch) -> Path:
    if batch.file:
        return Path(batch.file.path)
    return Path(batch.options["local_path"])


def _report_path(batch: ImportBatch) -> Path:
    return Path(settings.MEDIA_ROOT) / "feedback" / "errors" / f"import-{batch.id}-errors.csv"


def _job(batch: ImportBatch) -> pipeline.Job:
    info = info_from_json(batch.options["file"])
    context = Context(dayfirst=bool(batch.options.get("dayfirst")))
    feedback = batch.kind == ImportBatch.Kind.FEEDBACK
    if feedback and batch.column_mapping.get("touchpoint"):
        context.touchpoints = _touchpoints(batch.organization)
    context.known = known_for(
        organization_id=batch.organization_id, kind=batch.kind, mapping=batch.column_mapping
    )
    return pipeline.Job(
        path=_batch_path(batch),
        info=info,
        kind=batch.kind,
        mapping=batch.column_mapping,
        organization_id=batch.organization_id,
        source_id=batch.source_id,
        batch_id=batch.id,
        context=context,
        tagger=organization_tagger(batch.organization) if feedback else None,
    )


def _spec_scope(batch: ImportBatch):
    if batch.kind == ImportBatch.Kind.FEEDBACK:
        return pipeline.RESPONSE_SPEC, batch.source_id
    return pipeline.CUSTOMER_SPEC, batch.organization_id


def import_batch_process(*, batch_id: int) -> str:
    """Run a claimed import (or its dry run) to the end; safe to call twice. Returns the status."""
    batch = ImportBatch.objects.select_related("organization", "source").filter(id=batch_id).first()
    if batch is None or batch.is_finished:
        return "skipped"
    if batch.attempts >= MAX_ATTEMPTS:
        _finish_outside(batch.id, None, Status.FAILED, None, GAVE_UP)
        return Status.FAILED
    if not _claim(batch.id, batch.dry_run):
        return "skipped"
    report = _report_path(batch)
    try:
        status = _run(batch, report)
        if status == Status.SUCCEEDED:
            _tidy_after(batch.id)
        return status
    except pipeline.AllOrNothingRejected as exc:
        result = exc.args[0]
        message = (
            f"{result.rejected} row(s) had errors, so nothing was imported (all or nothing). "
            "Fix them, or import again skipping bad rows."
        )
        _finish_outside(batch.id, result, Status.REJECTED, report, message)
        return Status.REJECTED
    except pipeline.ImportCancelled as exc:
        _finish_outside(batch.id, None, Status.CANCELLED, None, str(exc))
        return Status.CANCELLED
    except FileProblem as exc:
        _finish_outside(batch.id, None, Status.FAILED, None, str(exc))
        return Status.FAILED
    except (OperationalError, InterfaceError):
        # Transient (connection lost, deadlock): the task retries; the batch stays claimable.
        raise
    except Exception as exc:
        log.exception("Import %s failed", batch.id)
        _finish_outside(batch.id, None, Status.FAILED, None, f"The import failed: {exc}")
        raise
    finally:
        progress_clear(PROGRESS, batch.id)


TIDY_ROWS = 10_000  # rows written from which an import vacuums and analyses its table


def _tidy_after(batch_id: int) -> None:
    row = ImportBatch.objects.filter(id=batch_id).values("kind", "rows_new", "rows_updated").get()
    if row["rows_new"] + row["rows_updated"] >= TIDY_ROWS:
        tables_tidy(kind=row["kind"])


def tables_tidy(*, kind: str) -> None:
    """PostgreSQL, outside a transaction: VACUUM (ANALYZE) the table a large import wrote, so
    the recompute it queues reads with fresh statistics and a visibility map its index-only
    scans can trust (autovacuum would get there, a minute or more later)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    model = Customer if kind == ImportBatch.Kind.CUSTOMERS else Response
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}")


def _run(batch: ImportBatch, report: Path) -> str:
    """The claimed batch's run, in one transaction: everything or (on any error) nothing."""
    dry_run = batch.dry_run
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(id=batch.id)
        if locked.status not in {Status.RUNNING, Status.PREVIEWING}:
            return "skipped"
        spec, scope = _spec_scope(batch)
        result = pipeline.run(
            _job(batch),
            writer=writer_for(spec, scope),
            dry_run=dry_run,
            report_path=report,
            all_or_nothing=bool(batch.options.get("all_or_nothing")) and not dry_run,
            on_progress=_progress_reporter(batch),
            should_cancel=lambda: bool(cache.get(_cancel_key(batch.id))),
        )
        _finish(locked, result, Status.PREVIEWED if dry_run else Status.SUCCEEDED, report)
        if not dry_run and batch.source_id:
            Source.objects.filter(id=batch.source_id).update(
                column_mapping=batch.column_mapping, updated_at=timezone.now()
            )
        return locked.status


def _progress_reporter(batch: ImportBatch):
    """A callback that puts the run's counts in the cache (the page polls them)."""

    def on_progress(result: pipeline.Result, bytes_read: int) -> None:
        fraction = min(bytes_read / batch.file_size, 0.99) if batch.file_size else 0.0
        if not batch.dry_run and batch.rows_read:
            # The check counted the rows: go by them, not by how far the reader has read ahead.
            fraction = min(result.rows_read / batch.rows_read, 0.99)
        progress = {
            "rows_read": result.rows_read,
            "written": 0 if batch.dry_run else result.new + result.updated,
            "rejected": result.rejected,
            "fraction": fraction,
        }
        progress_set(PROGRESS, batch.id, progress)

    return throttled(on_progress)


def _finish(
    batch: ImportBatch, result, status: str, report: Path | None, message: str = ""
) -> None:
    batch.status = status
    batch.finished_at = timezone.now()
    batch.message = message
    if result is not None:
        batch.rows_read = result.rows_read
        batch.rows_rejected = result.rejected
        batch.errors = result.errors
        written = status in {Status.SUCCEEDED, Status.PREVIEWED}
        batch.rows_new = result.new if written else 0
        batch.rows_updated = result.updated if written else 0
        batch.rows_unchanged = result.unchanged if written else 0
        batch.duration_s = round(result.seconds, 3)
        batch.options = {
            **batch.options,
            "unknown_touchpoints": result.unknown_touchpoints_summary(),
            "unknown_values": result.unknown_values,
        }
        if report is not None and result.error_count:
            batch.error_report.name = str(report.relative_to(settings.MEDIA_ROOT))
        else:
            batch.error_report = ""
            if report is not None:
                report.unlink(missing_ok=True)
    batch.save()


def _finish_outside(batch_id, result, status, report, message) -> None:
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(id=batch_id)
        _finish(batch, result, status, report, message)


def import_file(
    *,
    organization: Organization,
    path: str | Path,
    kind: str = ImportBatch.Kind.FEEDBACK,
    source_name: str = "",
    mapping: dict[str, str] | None = None,
    dry_run: bool = False,
    all_or_nothing: bool = False,
    dayfirst: bool = False,
    created_by: Membership | None = None,
    keep_copy: bool = False,
) -> ImportBatch:
    """Import a local file inline (commands, demo, bench): same engine as the page's task.

    Raises FileProblem when the file itself is unusable and ValidationError for a bad mapping.
    """
    path = Path(path)
    if not path.exists():
        raise FileProblem(f"There is no file at {path}.")
    info = inspect_file(path, max_bytes=settings.UPLOAD_MAX_BYTES)
    source = source_resolve(organization=organization, kind=kind, name=source_name)
    batch = ImportBatch(
        organization=organization,
        created_by=created_by,
        kind=kind,
        source=source,
        file_name=path.name,
        file_size=path.stat().st_size,
        options={"local_path": str(path.resolve())},
        dry_run=dry_run,
    )
    _apply_info(batch, info)
    if keep_copy:
        target = Path(settings.MEDIA_ROOT) / "feedback" / "imports" / "local" / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        batch.file.name = str(target.relative_to(settings.MEDIA_ROOT))
    # A field mapped to "" (e.g. --map touchpoint=) is left out of the import.
    batch.column_mapping = _check_mapping(batch, {**batch.column_mapping, **(mapping or {})})
    batch.options = {**batch.options, "dayfirst": dayfirst, "all_or_nothing": all_or_nothing}
    batch.status = Status.PREVIEWING if dry_run else Status.QUEUED
    batch.save()
    import_batch_process(batch_id=batch.id)
    batch.refresh_from_db()
    return batch
