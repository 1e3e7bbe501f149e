"""Writes on many rows at once: follow-ups assigned or moved on, comments tagged in triage.

All or nothing: every id must name a row of the organization that the action applies to, or
nothing is written (an id of another organization is refused and never touched).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from cxalign.orgs.models import Membership, Organization
from cxalign.orgs.params import parse_id
from cxalign.orgs.roles import Role, role_at_least
from feedback.models import FollowUp, Response, Theme
from kpis.metrics import PASSIVE_MIN

BULK_MAX = 500
UNCHANGED = object()  # `owner=UNCHANGED`: a status change leaves the owners as they are


def ids_parse(values: Iterable) -> list[int]:
    """The ids a form sent (each read by the one id parser), distinct, in order."""
    ids: dict[int, None] = {}  # distinct, in the order sent
    for value in values:
        number = parse_id(value)
        if number is None:
            raise ValidationError(f"“{str(value)[:40]}” is not an id of a row.")
        ids[number] = None
    if not ids:
        raise ValidationError("Select at least one row first.")
    if len(ids) > BULK_MAX:
        raise ValidationError(f"Select at most {BULK_MAX} rows at a time; {len(ids)} were sent.")
    return list(ids)


def _refuse_missing(wanted: list[int], found: set[int], what: str) -> None:
    missing = [i for i in wanted if i not in found]
    if missing:
        shown = ", ".join(str(i) for i in missing[:5]) + (" …" if len(missing) > 5 else "")
        raise ValidationError(
            f"Nothing was changed: {len(missing)} of the selected rows ({shown}) are not "
            f"{what} of this organization."
        )


@transaction.atomic
def followups_bulk_update(
    *,
    organization: Organization,
    by: Membership,
    response_ids: list[int],
    owner: Membership | None | object = UNCHANGED,
    status: str | None = None,
) -> int:
    """Assign (owner, None for nobody) and/or set the status of the follow-ups of detractors'
    responses, opening the missing follow-ups; all or nothing. Returns how many changed."""
    if not role_at_least(by.role, Role.MEMBER) or by.organization_id != organization.id:
        raise PermissionDenied("Viewers cannot change follow-ups.")
    if status is not None and status not in FollowUp.Status.values:
        raise ValidationError({"status": f"“{status}” is not a follow-up status."})
    if owner is not UNCHANGED and owner is not None and owner.organization_id != organization.id:
        raise ValidationError({"owner": "Choose someone of this organization."})
    found = set(
        Response.objects.for_org(organization)
        .detractors()
        .filter(id__in=response_ids)
        .select_for_update()  # two people opening the same follow-up wait for each other
        .values_list("id", flat=True)
    )
    _refuse_missing(response_ids, found, f"detractors' responses (NPS 0–{PASSIVE_MIN - 1})")
    existing = list(
        FollowUp.objects.select_for_update()
        .filter(organization=organization, response_id__in=response_ids)
        .order_by("id")
    )
    now = timezone.now()
    for followup in existing:
        if owner is not UNCHANGED:
            followup.owner = owner
        if status is not None:
            followup.status = status
        followup.updated_at = now
        # A write naming the older version (the one-row form) now meets a conflict.
        followup.version += 1
    fields = ["updated_at", "version"] + (["owner"] if owner is not UNCHANGED else [])
    fields += ["status"] if status is not None else []
    bulk_update_with_history(existing, FollowUp, fields, default_user=by.user)
    have = {f.response_id for f in existing}
    new = [
        FollowUp(
            organization=organization,
            response_id=response_id,
            owner=None if owner is UNCHANGED else owner,
            status=status or FollowUp.Status.OPEN,
        )
        for response_id in response_ids
        if response_id not in have
    ]
    bulk_create_with_history(new, FollowUp, default_user=by.user)
    return len(existing) + len(new)


def followups_bulk_message(count: int, *, owner=UNCHANGED, status: str | None = None) -> str:
    """What happened, in a sentence: "12 follow-ups assigned to Sam"."""
    noun = "follow-up" if count == 1 else "follow-ups"
    parts = []
    if owner is not UNCHANGED:
        parts.append(f"assigned to {owner.display_name}" if owner else "unassigned")
    if status is not None:
        parts.append(f"marked {FollowUp.Status(status).label.lower()}")
    return f"{count} {noun} {' and '.join(parts) or 'saved'}."


@transaction.atomic
def responses_bulk_tag(
    *, organization: Organization, by: Membership, response_ids: list[int], theme: Theme
) -> int:
    """Tag several comments with a theme by hand (triage); kept when the rules re-tag.
    All or nothing. Returns how many comments newly carry the theme."""
    if not role_at_least(by.role, Role.MEMBER) or by.organization_id != organization.id:
        raise PermissionDenied("Viewers cannot tag comments.")
    if theme.organization_id != organization.id:
        raise ValidationError({"theme": "Choose a theme of this organization."})
    rows = list(
        Response.objects.for_org(organization)
        .select_for_update()
        .filter(id__in=response_ids)
        .only("id", "theme_ids", "manual_theme_ids")
        .order_by("id")
    )
    _refuse_missing(response_ids, {r.id for r in rows}, "responses")
    changed = [r for r in rows if theme.id not in r.manual_theme_ids]
    for row in changed:
        row.theme_ids = sorted({*row.theme_ids, theme.id})
        row.manual_theme_ids = sorted({*row.manual_theme_ids, theme.id})
    Response.objects.bulk_update(changed, ["theme_ids", "manual_theme_ids"], batch_size=250)
    return len(changed)
