"""Writes of the feedback app: imports, themes and tagging, follow-ups."""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F
from django.db.models.expressions import RawSQL
from django.utils import timezone

from cxalign.background import enqueue_on_commit
from cxalign.orgs.concurrency import object_update
from cxalign.orgs.models import Membership, Organization
from cxalign.orgs.roles import Role, role_at_least
from feedback.imports import pipeline
from feedback.imports.files import FileInfo, FileProblem, info_from_json, info_to_json, inspect_file
from feedback.imports.mapping import guess_mapping, mapping_problems
from feedback.imports.rows import Context
from feedback.imports.tagging import Tagger
from feedback.imports.writers import writer_for
from feedback.models import FollowUp, ImportBatch, Response, Source, Theme, ThemeRule
from feedback.themeids import remove_sql, to_json
from journeys.models import Touchpoint
from kpis.metrics import PASSIVE_MIN, score_class
from strategy.models import Goal, Initiative
from strategy.rules import goal_can_edit

log = logging.getLogger(__name__)
Status = ImportBatch.Status
PROGRESS_TTL = 24 * 3600


# ---------------------------------------------------------------- progress and cancel flags
# An import writes inside one transaction, so its progress is invisible in the database until
# it commits. Progress and cancel requests therefore travel through the cache (Redis in the
# services mode, shared by web and workers; process memory in the embedded mode, where tasks
# run in the web process).


def _progress_key(batch_id: int) -> str:
    return f"feedback:import:{batch_id}:progress"


def _cancel_key(batch_id: int) -> str:
    return f"feedback:import:{batch_id}:cancel"


def import_progress(batch: ImportBatch) -> dict:
    """Live counts of a running import (or the stored ones of a finished one)."""
    if batch.is_active:
        # Nothing counted yet: zeros, not the counts of the check that came before.
        live = cache.get(_progress_key(batch.id))
        return live or {"rows_read": 0, "written": 0, "rejected": 0, "fraction": 0.0}
    done = batch.status in {Status.PREVIEWED, Status.SUCCEEDED, Status.REJECTED}
    return {
        "rows_read": batch.rows_read,
        "written": batch.rows_written,
        "rejected": batch.rows_rejected,
        "fraction": 1.0 if done else 0.0,
    }


# ---------------------------------------------------------------- sources


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


def source_update(*, source: Source, data: dict, version: int) -> Source:
    return object_update(instance=source, data=data, version=version)


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


def responses_link_touchpoint(*, touchpoint: Touchpoint) -> int:
    """Link the organization's responses that name this touchpoint and have none (one UPDATE).

    A response whose touchpoint name matched no journey at import keeps the name; this runs
    when a touchpoint of that name is made or renamed, so the two meet whatever came first.
    """
    name = (touchpoint.name or "").strip()
    if not name:
        return 0
    return Response.objects.filter(
        organization_id=touchpoint.organization_id,
        touchpoint__isnull=True,
        touchpoint_name__iexact=name,
    ).update(touchpoint=touchpoint)


def _tagger(organization: Organization) -> Tagger:
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
    batch = ImportBatch(
        organization=organization,
        created_by=created_by,
        kind=kind,
        source=source if kind == ImportBatch.Kind.FEEDBACK else None,
        file_name=Path(uploaded_file.name).name[:255],
        file_size=uploaded_file.size,
    )
    batch.file.save(batch.file_name, uploaded_file, save=False)
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
    *, batch: ImportBatch, mapping: dict[str, str], dayfirst: bool = False
) -> ImportBatch:
    """Save the column mapping and check the whole file in the background (writes nothing)."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status not in {Status.UPLOADED, Status.PREVIEWED, Status.FAILED}:
        raise ValidationError(
            f"This import is {batch.get_status_display().lower()}; it cannot be checked again."
        )
    batch.column_mapping = _check_mapping(batch, mapping)
    batch.options = {**batch.options, "dayfirst": bool(dayfirst)}
    batch.status = Status.PREVIEWING
    batch.dry_run = True
    batch.message = ""
    batch.save()
    cache.delete(_cancel_key(batch.id))
    _enqueue(batch)
    return batch


@transaction.atomic
def import_batch_commit(*, batch: ImportBatch, all_or_nothing: bool = False) -> ImportBatch:
    """Import the checked file in the background: skip bad rows, or all or nothing."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status not in {Status.PREVIEWED, Status.UPLOADED}:
        raise ValidationError(
            f"This import is {batch.get_status_display().lower()}; it cannot start again."
        )
    batch.column_mapping = _check_mapping(batch, batch.column_mapping)
    batch.options = {**batch.options, "all_or_nothing": bool(all_or_nothing)}
    batch.status = Status.QUEUED
    batch.dry_run = False
    batch.message = ""
    batch.save()
    cache.delete(_cancel_key(batch.id))
    _enqueue(batch)
    return batch


def _enqueue(batch: ImportBatch) -> None:
    from feedback.tasks import import_batch_run

    # In the embedded web server this runs in a thread, so the page shows its progress.
    enqueue_on_commit(import_batch_run, batch.id)


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
    cache.set(_cancel_key(batch.id), True, PROGRESS_TTL)
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
    return pipeline.Job(
        path=_batch_path(batch),
        info=info,
        kind=batch.kind,
        mapping=batch.column_mapping,
        organization_id=batch.organization_id,
        source_id=batch.source_id,
        batch_id=batch.id,
        context=context,
        tagger=_tagger(batch.organization) if feedback else None,
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
    dry_run = batch.dry_run
    if not _claim(batch.id, dry_run):
        return "skipped"
    report = _report_path(batch)
    last = {"t": 0.0}

    def on_progress(result: pipeline.Result, bytes_read: int) -> None:
        now = time.monotonic()
        if now - last["t"] < 0.3:
            return
        last["t"] = now
        fraction = min(bytes_read / batch.file_size, 0.99) if batch.file_size else 0.0
        if not dry_run and batch.rows_read:
            # The check counted the rows: go by them, not by how far the reader has read ahead.
            fraction = min(result.rows_read / batch.rows_read, 0.99)
        cache.set(
            _progress_key(batch.id),
            {
                "rows_read": result.rows_read,
                "written": 0 if dry_run else result.new + result.updated,
                "rejected": result.rejected,
                "fraction": fraction,
            },
            PROGRESS_TTL,
        )

    def should_cancel() -> bool:
        return bool(cache.get(_cancel_key(batch.id)))

    all_or_nothing = bool(batch.options.get("all_or_nothing")) and not dry_run
    try:
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
                all_or_nothing=all_or_nothing,
                on_progress=on_progress,
                should_cancel=should_cancel,
            )
            _finish(locked, result, Status.PREVIEWED if dry_run else Status.SUCCEEDED, report)
            if not dry_run and batch.source_id:
                Source.objects.filter(id=batch.source_id).update(
                    column_mapping=batch.column_mapping, updated_at=timezone.now()
                )
            status = locked.status
    except pipeline.AllOrNothingRejected as exc:
        result = exc.args[0]
        _finish_outside(
            batch.id,
            result,
            Status.REJECTED,
            report,
            f"{result.rejected} row(s) had errors, so nothing was imported (all or nothing). "
            "Fix them, or import again skipping bad rows.",
        )
        status = Status.REJECTED
    except pipeline.ImportCancelled as exc:
        _finish_outside(batch.id, None, Status.CANCELLED, None, str(exc))
        status = Status.CANCELLED
    except FileProblem as exc:
        _finish_outside(batch.id, None, Status.FAILED, None, str(exc))
        status = Status.FAILED
    except (OperationalError, InterfaceError):
        # Transient (connection lost, deadlock): the task retries; the batch stays claimable.
        raise
    except Exception as exc:
        log.exception("Import %s failed", batch.id)
        _finish_outside(batch.id, None, Status.FAILED, None, f"The import failed: {exc}")
        raise
    finally:
        cache.delete(_progress_key(batch.id))
    return status


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


# ---------------------------------------------------------------- themes and tagging


ANSWER_LINKS = ("goals", "initiatives")


def _split_links(data: dict) -> tuple[dict, dict]:
    """A theme's fields and its links (goals, initiatives: what answers it), apart."""
    links = {name: data[name] for name in ANSWER_LINKS if name in data}
    return {k: v for k, v in data.items() if k not in links}, links


def _set_links(theme: Theme, links: dict) -> None:
    """Link the theme to goals and initiatives of its own organization only."""
    for name, objects in links.items():
        objects = list(objects or [])
        if any(o.organization_id != theme.organization_id for o in objects):
            raise ValidationError({name: "Choose goals and initiatives of this organization."})
        getattr(theme, name).set(objects)


def theme_create(*, organization: Organization, data: dict, patterns: list[str] = ()) -> Theme:
    fields, links = _split_links(data)
    with transaction.atomic():
        theme = Theme(organization=organization, **fields)
        theme.full_clean()
        theme.save()
        _set_links(theme, links)
        for pattern in patterns:
            rule_add(theme=theme, pattern=pattern)
    return theme


@transaction.atomic
def theme_update(*, theme: Theme, data: dict, version: int) -> Theme:
    fields, links = _split_links(data)
    theme = object_update(instance=theme, data=fields, version=version)
    _set_links(theme, links)
    return theme


def theme_link(*, theme: Theme, goal: Goal | None = None, initiative: Initiative | None = None):
    """Link one goal or initiative to the theme (a suggestion a person accepted)."""
    for name, target in (("goals", goal), ("initiatives", initiative)):
        if target is None:
            continue
        if target.organization_id != theme.organization_id:
            raise ValidationError({name: "Choose goals and initiatives of this organization."})
        getattr(theme, name).add(target)


def answers_can_edit(*, target: Goal | Initiative, member: Membership) -> bool:
    """Who picks the themes a goal or initiative answers: CX leads and up, the people who may
    edit the goal (strategy's rule), and an initiative's owner (a manager or up)."""
    if role_at_least(member.role, Role.CX_LEAD):
        return True
    if isinstance(target, Goal):
        return goal_can_edit(goal=target, member=member)
    return target.owner_id == member.id and role_at_least(member.role, Role.MANAGER)


@transaction.atomic
def answers_set(*, target: Goal | Initiative, themes: list[Theme], by: Membership) -> None:
    """Set the themes a goal or initiative answers (replacing its earlier choice)."""
    if not answers_can_edit(target=target, member=by):
        raise PermissionDenied(
            "CX leads, the goal's owner and the managers who write it pick the themes it answers."
        )
    if any(t.organization_id != target.organization_id for t in themes):
        raise ValidationError({"themes": "Choose themes of this organization."})
    target.themes.set(themes)


@transaction.atomic
def theme_delete(*, theme: Theme) -> None:
    """Delete the theme and take it off every response that carries it."""
    Response.objects.filter(organization_id=theme.organization_id, theme_ids__has=theme.id).update(
        theme_ids=RawSQL(remove_sql("theme_ids"), [theme.id]),  # noqa: S611 -- constant SQL
        manual_theme_ids=RawSQL(remove_sql("manual_theme_ids"), [theme.id]),  # noqa: S611
    )
    theme.delete()


def rule_add(*, theme: Theme, pattern: str) -> ThemeRule:
    rule = ThemeRule(organization_id=theme.organization_id, theme=theme, pattern=pattern)
    rule.full_clean(exclude=["theme"])
    if ThemeRule.objects.filter(theme=theme, pattern=rule.pattern).exists():
        raise ValidationError({"pattern": f"'{rule.pattern}' is already a rule of this theme."})
    rule.save()
    return rule


def rule_delete(*, rule: ThemeRule) -> None:
    rule.delete()


def themes_retag(*, organization: Organization, chunk_size: int = 50_000) -> dict:
    """Tag every comment of the organization again with the current rules (manual tags stay).

    Reads the responses in id order, a chunk at a time, and writes only the rows whose themes
    change; the same rules give the same result twice.
    """
    tagger = _tagger(organization)
    tagged = 0
    last_id = 0
    responses = Response.objects.for_org(organization).order_by("id")
    with transaction.atomic():
        while True:
            rows = list(
                responses.filter(id__gt=last_id).values_list(
                    "id", "comment", "theme_ids", "manual_theme_ids"
                )[:chunk_size]
            )
            if not rows:
                break
            last_id = rows[-1][0]
            found = _themes_found(tagger, [comment for _, comment, _, _ in rows])
            changes = []
            for (pk, _, current, manual), themes in zip(rows, found, strict=True):
                wanted = sorted(themes | set(manual))
                tagged += len(themes)
                if wanted != current:
                    changes.append((pk, wanted))
            _write_themes(changes)
    return {"tags": tagged}


def _themes_found(tagger: Tagger, comments: list[str]) -> list[set[int]]:
    found: list[set[int]] = [set() for _ in comments]
    if tagger.empty:
        return found
    rows, themes = tagger.tag(comments)
    for row, theme in zip(rows.tolist(), themes.tolist(), strict=True):
        found[row].add(theme)
    return found


def _write_themes(changes: list[tuple[int, list[int]]]) -> None:
    if not changes:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from psycopg2.extras import execute_values

            execute_values(
                cursor.cursor,
                "UPDATE feedback_response r SET theme_ids = v.t FROM (VALUES %s) AS v(id, t) "
                "WHERE r.id = v.id",
                changes,
                template="(%s, %s::integer[])",
                page_size=5000,
            )
        else:
            cursor.executemany(
                "UPDATE feedback_response SET theme_ids = %s WHERE id = %s",
                [(to_json(ids), pk) for pk, ids in changes],
            )


def themes_retag_start(*, organization: Organization) -> None:
    from feedback.tasks import themes_retag_run

    themes_retag_run.delay_on_commit(organization.id)


@transaction.atomic
def response_tag(*, response: Response, theme: Theme) -> Response:
    """Tag a response by hand (triage); kept when the rules re-tag."""
    if theme.organization_id != response.organization_id:
        raise ValidationError({"theme": "Choose a theme of this organization."})
    row = Response.objects.select_for_update().get(pk=response.pk)
    row.theme_ids = sorted({*row.theme_ids, theme.id})
    row.manual_theme_ids = sorted({*row.manual_theme_ids, theme.id})
    row.save(update_fields=["theme_ids", "manual_theme_ids"])
    return row


@transaction.atomic
def response_untag(*, response: Response, theme: Theme) -> Response:
    """Take a theme off a response (the rules may find it again when they re-tag)."""
    row = Response.objects.select_for_update().get(pk=response.pk)
    row.theme_ids = [t for t in row.theme_ids if t != theme.id]
    row.manual_theme_ids = [t for t in row.manual_theme_ids if t != theme.id]
    row.save(update_fields=["theme_ids", "manual_theme_ids"])
    return row


# ---------------------------------------------------------------- follow-ups


@transaction.atomic
def followup_save(
    *,
    response: Response,
    by: Membership,
    owner: Membership | None,
    status: str,
    note: str,
    version: int | None = None,
) -> FollowUp:
    """Assign, progress or note the follow-up of a detractor's response."""
    if not role_at_least(by.role, Role.MEMBER):
        raise PermissionDenied("Viewers cannot change follow-ups.")
    if score_class(response.nps) != "detractor":
        raise ValidationError(f"Only detractors (NPS 0–{PASSIVE_MIN - 1}) are followed up.")
    if owner is not None and owner.organization_id != response.organization_id:
        raise ValidationError({"owner": "Choose someone of this organization."})
    data = {"owner": owner, "status": status, "note": note}
    existing = FollowUp.objects.filter(response=response).first()
    if existing is None:
        followup = FollowUp(organization_id=response.organization_id, response=response, **data)
        followup.full_clean()
        followup.save()
        return followup
    if version is None:
        version = existing.version
    return object_update(instance=existing, data=data, version=version)
