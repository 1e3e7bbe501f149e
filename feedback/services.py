"""Writes of the feedback app: sources, themes and tagging, follow-ups.

Running imports (upload, check, commit, cancel, the job itself) is in
`feedback/imports/jobs.py`; its entry points are re-exported here, so pages, the API, commands
and tasks find every write of the app in this one module.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.expressions import RawSQL

from cxalign.orgs.concurrency import object_update
from cxalign.orgs.models import Membership, Organization
from cxalign.orgs.roles import Role, role_at_least
from feedback.imports.jobs import (  # noqa: F401 -- re-exported: the app's import writes
    import_batch_cancel,
    import_batch_commit,
    import_batch_preview,
    import_batch_process,
    import_batch_upload,
    import_file,
    import_progress,
    organization_tagger,
    source_get_or_create,
    source_resolve,
)
from feedback.imports.tagging import Tagger
from feedback.models import FollowUp, Response, Source, Theme, ThemeRule
from feedback.themeids import remove_sql, theme_ids_write
from journeys.models import Touchpoint
from kpis.metrics import PASSIVE_MIN, score_class
from strategy.models import Goal, Initiative
from strategy.rules import goal_can_edit

# ---------------------------------------------------------------- sources


def source_update(*, source: Source, data: dict, version: int) -> Source:
    return object_update(instance=source, data=data, version=version)


# ---------------------------------------------------------------- responses and touchpoints


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
    tagger = organization_tagger(organization)
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
            theme_ids_write(changes)
    return {"tags": tagged}


def themes_retag_process(*, organization_id: int) -> dict:
    """The re-tag task's work: re-fetch the organization and re-tag it (nothing if it is gone).

    There is nothing to claim: a second delivery, or two re-tags at once, write the same
    themes from the same rules."""
    organization = Organization.objects.filter(id=organization_id).first()
    if organization is None:
        return {"tags": 0}
    return themes_retag(organization=organization)


def _themes_found(tagger: Tagger, comments: list[str]) -> list[set[int]]:
    found: list[set[int]] = [set() for _ in comments]
    if tagger.empty:
        return found
    rows, themes = tagger.tag(comments)
    for row, theme in zip(rows.tolist(), themes.tolist(), strict=True):
        found[row].add(theme)
    return found


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
