"""Writes of journeys: audiences, journeys and everything on a journey's board.

Every board write locks the journey row first (one lock order everywhere), bumps the
journey's `revision` and stamps the rows it touches with it, so that the editor's
"changes since" poll sees every change exactly once and in commit order.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BigIntegerField, Case, F, Q, Value, When
from django.utils import timezone

from cxalign.orgs.concurrency import object_update
from cxalign.orgs.models import Organization
from journeys.models import Audience, Journey, PainPoint, Stage, Touchpoint, channel_from_name

GAP = 1024  # positions leave room, so that a move writes one row, not the whole column


class BoardChanged(Exception):
    """The board changed under the writer (a stale order or anchor); answered as 409."""


def _clean_text(data: dict, *names: str) -> dict:
    for name in names:
        if isinstance(data.get(name), str):
            data[name] = data[name].strip()
    return data


def journey_bump(*, journey_id: int) -> int:
    """Lock the journey, advance its revision and return the new one."""
    current = (
        Journey.objects.select_for_update().filter(pk=journey_id).values_list("revision", flat=True)
    ).first()
    if current is None:
        raise Journey.DoesNotExist("This journey no longer exists.")
    Journey.objects.filter(pk=journey_id).update(revision=F("revision") + 1)
    return current + 1


PRESENCE_SECONDS = 12


def presence_touch(*, journey_id: int, member_id: int, name: str) -> list[dict]:
    """Note that someone has the map open; return who has had it open in the last seconds.

    Kept in the cache (no database write per poll). Two polls racing may drop one entry for
    one poll interval, which the next poll repairs.
    """
    key = f"journeys:presence:{journey_id}"
    now = time.time()
    people = {k: v for k, v in (cache.get(key) or {}).items() if now - v[1] < PRESENCE_SECONDS}
    people[str(member_id)] = (name, now)
    cache.set(key, people, PRESENCE_SECONDS * 5)
    return [
        {"id": int(k), "name": v[0]} for k, v in sorted(people.items(), key=lambda kv: kv[1][0])
    ]


# Audiences ------------------------------------------------------------------------------


def _audience_unique(*, organization_id: int, data: dict, pk: int | None = None) -> None:
    others = Audience.objects.filter(organization_id=organization_id).exclude(pk=pk)
    errors = {}
    if data.get("name") and others.filter(name__iexact=data["name"]).exists():
        errors["name"] = f"An audience called “{data['name']}” already exists."
    if data.get("segment_key") and others.filter(segment_key=data["segment_key"]).exists():
        errors["segment_key"] = "Another audience already uses this segment key."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def audience_create(*, organization: Organization, **data) -> Audience:
    _clean_text(data, "name", "segment_key")
    _audience_unique(organization_id=organization.id, data=data)
    audience = Audience(organization=organization, **data)
    audience.full_clean()
    audience.save()
    return audience


@transaction.atomic
def audience_update(*, audience: Audience, data: dict, version: int) -> Audience:
    _clean_text(data, "name", "segment_key")
    _audience_unique(organization_id=audience.organization_id, data=data, pk=audience.pk)
    return object_update(instance=audience, data=data, version=version)


@transaction.atomic
def audience_delete(*, audience: Audience) -> None:
    count = audience.journeys.count()
    if count:
        raise ValidationError(
            f"“{audience.name}” still has {count} journey(s); move or delete them first."
        )
    audience.delete()


# Journeys -------------------------------------------------------------------------------


@transaction.atomic
def journey_create(
    *,
    organization: Organization,
    audience: Audience,
    name: str,
    description: str = "",
    status: str = Journey.Status.CURRENT,
    template_key: str = "",
) -> Journey:
    if audience.organization_id != organization.id:
        raise ValidationError({"audience": "Choose an audience of this organization."})
    _unique_name(audience=audience, name=name or "")
    journey = Journey(
        organization=organization,
        audience=audience,
        name=(name or "").strip(),
        description=description or "",
        status=status,
        template_key=template_key,
    )
    journey.full_clean()
    journey.save()
    return journey


@transaction.atomic
def journey_update(*, journey: Journey, data: dict, version: int) -> Journey:
    _clean_text(data, "name")
    audience = data.get("audience", journey.audience)
    name = data.get("name", journey.name)
    if (
        Journey.objects.filter(audience=audience, name__iexact=name or "")
        .exclude(pk=journey.pk)
        .exists()
    ):
        raise ValidationError({"name": f"“{audience.name}” already has a journey called “{name}”."})
    rev = journey_bump(journey_id=journey.pk)
    journey.revision = rev
    return object_update(instance=journey, data=data, version=version)


@transaction.atomic
def journey_delete(*, journey: Journey) -> None:
    journey.delete()


# Stages ---------------------------------------------------------------------------------


def _end_position(queryset) -> int:
    last = queryset.order_by("-position").values_list("position", flat=True).first()
    return (last or 0) + GAP


@transaction.atomic
def stage_create(*, journey: Journey, after: Stage | None = None, **data) -> Stage:
    rev = journey_bump(journey_id=journey.pk)
    _clean_text(data, "name")
    siblings = Stage.objects.filter(journey=journey)
    if after is not None:
        if after.journey_id != journey.pk or after.deleted_at is not None:
            raise BoardChanged("The stage you added after is gone; the board was refreshed.")
        stage = Stage(organization_id=journey.organization_id, journey=journey, rev=rev, **data)
        stage.full_clean()
        ids = list(siblings.order_by("position", "id").values_list("id", flat=True))
        stage.position = 0
        stage.save()
        ids.insert(ids.index(after.pk) + 1, stage.pk)
        _renumber(Stage, ids, rev=rev)  # stamped: other editors must see the new order
        stage.refresh_from_db(fields=["position"])
        return stage
    stage = Stage(
        organization_id=journey.organization_id,
        journey=journey,
        position=_end_position(siblings),
        rev=rev,
        **data,
    )
    stage.full_clean()
    stage.save()
    return stage


@transaction.atomic
def stage_update(*, stage: Stage, data: dict, version: int) -> Stage:
    _clean_text(data, "name")
    data["rev"] = journey_bump(journey_id=stage.journey_id)
    return object_update(instance=stage, data=data, version=version)


@transaction.atomic
def stage_delete(*, stage: Stage) -> Stage:
    """Soft-delete the stage with its cards; `stage_restore` brings them all back."""
    rev = journey_bump(journey_id=stage.journey_id)
    now = timezone.now()
    Touchpoint.objects.filter(stage=stage).update(deleted_at=now, rev=rev)
    PainPoint.objects.filter(stage=stage).update(deleted_at=now, rev=rev)
    stage.deleted_at, stage.rev = now, rev
    stage.save(update_fields=["deleted_at", "rev", "updated_at"])
    return stage


@transaction.atomic
def stage_restore(*, stage: Stage) -> Stage:
    if stage.deleted_at is None:
        return stage
    rev = journey_bump(journey_id=stage.journey_id)
    when = stage.deleted_at
    Touchpoint.all_objects.filter(stage=stage, deleted_at=when).update(deleted_at=None, rev=rev)
    PainPoint.all_objects.filter(stage=stage, deleted_at=when).update(deleted_at=None, rev=rev)
    stage.deleted_at, stage.rev = None, rev
    stage.save(update_fields=["deleted_at", "rev", "updated_at"])
    return stage


def _renumber(model, ids: list[int], *, rev: int | None) -> None:
    """Give `ids` positions GAP, 2*GAP, ... in one UPDATE."""
    if not ids:
        return
    update = {
        "position": Case(
            *[When(pk=pk, then=Value((i + 1) * GAP)) for i, pk in enumerate(ids)],
            default=F("position"),
            output_field=BigIntegerField(),
        )
    }
    if rev is not None:
        update["rev"] = Value(rev)
    model.all_objects.filter(pk__in=ids).update(**update)


@transaction.atomic
def stages_reorder(*, journey: Journey, order: list[int]) -> int:
    """Put the journey's stages in `order` (every stage, once); returns the new revision."""
    rev = journey_bump(journey_id=journey.pk)
    current = set(Stage.objects.filter(journey=journey).values_list("id", flat=True))
    if len(order) != len(set(order)):
        raise ValidationError({"order": "Each stage may appear only once."})
    if set(order) != current:
        raise BoardChanged(
            "The stages changed since you loaded the map (someone added, removed or moved one). "
            "The board was refreshed; drag again."
        )
    _renumber(Stage, order, rev=rev)
    return rev


# Touchpoints ----------------------------------------------------------------------------


def _anchor_position(*, stage: Stage, after_id: int | None, moving_id: int | None):
    """(lower, upper) positions around the slot just after `after_id` (None: the top)."""
    siblings = Touchpoint.objects.filter(stage=stage)
    if moving_id is not None:
        siblings = siblings.exclude(pk=moving_id)
    if after_id is None:
        lower = None
        upper = siblings.order_by("position", "id").values_list("position", flat=True).first()
        return lower, upper
    anchor = siblings.filter(pk=after_id).values_list("position", flat=True).first()
    if anchor is None:
        raise BoardChanged(
            "The card you dropped next to has moved or was deleted by someone else. "
            "The board was refreshed; drop the card again."
        )
    upper = (
        siblings.filter(Q(position__gt=anchor) | Q(position=anchor, id__gt=after_id))
        .order_by("position", "id")
        .values_list("position", flat=True)
        .first()
    )
    return anchor, upper


def _slot(
    *, stage: Stage, after_id: int | None, moving_id: int | None, rev: int
) -> tuple[int, bool]:
    """A position for a card just after `after_id`; renumbers the column only when full."""
    lower, upper = _anchor_position(stage=stage, after_id=after_id, moving_id=moving_id)
    if lower is None and upper is None:
        return GAP, False
    if lower is None:
        return upper - GAP, False
    if upper is None:
        return lower + GAP, False
    if upper - lower >= 2:
        return (lower + upper) // 2, False
    # No room: renumber the column once (one SELECT, one UPDATE), then take the new slot.
    ids = list(
        Touchpoint.objects.filter(stage=stage)
        .exclude(pk=moving_id)
        .order_by("position", "id")
        .values_list("id", flat=True)
    )
    _renumber(Touchpoint, ids, rev=rev)
    index = ids.index(after_id) + 1
    return index * GAP + GAP // 2, True


def _check_stage(*, stage: Stage, journey_id: int) -> None:
    if stage.journey_id != journey_id:
        raise ValidationError({"stage": "A card can only move between stages of its own journey."})
    if stage.deleted_at is not None:
        raise BoardChanged("That stage was deleted by someone else; the board was refreshed.")


@transaction.atomic
def touchpoint_create(
    *, stage: Stage, after_id: int | None = None, goals=None, initiatives=None, **data
) -> Touchpoint:
    rev = journey_bump(journey_id=stage.journey_id)
    stage = Stage.all_objects.get(pk=stage.pk)
    _check_stage(stage=stage, journey_id=stage.journey_id)
    _clean_text(data, "name", "customer_action")
    if not data.get("channel"):
        data["channel"] = channel_from_name(data.get("name", ""))
    if after_id is None:  # a new card goes to the end of its column
        position = _end_position(Touchpoint.objects.filter(stage=stage))
    else:
        position, _ = _slot(stage=stage, after_id=after_id, moving_id=None, rev=rev)
    touchpoint = Touchpoint(
        organization_id=stage.organization_id,
        journey_id=stage.journey_id,
        stage=stage,
        position=position,
        rev=rev,
        **data,
    )
    touchpoint.full_clean()
    touchpoint.save()
    _set_links(touchpoint, goals=goals, initiatives=initiatives)
    return touchpoint


def _set_links(touchpoint: Touchpoint, *, goals=None, initiatives=None) -> None:
    for name, values in (("goals", goals), ("initiatives", initiatives)):
        if values is None or not hasattr(touchpoint, name):
            continue
        bad = [v for v in values if v.organization_id != touchpoint.organization_id]
        if bad:
            raise ValidationError({name: "Choose items of this organization."})
        getattr(touchpoint, name).set(values)


@transaction.atomic
def touchpoint_update(
    *, touchpoint: Touchpoint, data: dict, version: int, goals=None, initiatives=None
) -> Touchpoint:
    """Edit a card's content (not its place: that is `touchpoint_move`)."""
    if "stage" in data or "position" in data:
        raise ValidationError({"stage": "Move a card with the move action, not by editing it."})
    _clean_text(data, "name", "customer_action")
    data["rev"] = journey_bump(journey_id=touchpoint.journey_id)
    touchpoint = object_update(instance=touchpoint, data=data, version=version)
    _set_links(touchpoint, goals=goals, initiatives=initiatives)
    return touchpoint


@transaction.atomic
def touchpoint_move(*, touchpoint: Touchpoint, stage: Stage, after_id: int | None) -> Touchpoint:
    """Put a card just after `after_id` in `stage` (None: at the top); one row is written."""
    if after_id is not None and after_id == touchpoint.pk:
        raise ValidationError({"after": "A card cannot be placed after itself."})
    _check_stage(stage=stage, journey_id=touchpoint.journey_id)
    rev = journey_bump(journey_id=touchpoint.journey_id)
    position, _ = _slot(stage=stage, after_id=after_id, moving_id=touchpoint.pk, rev=rev)
    moved_stage = touchpoint.stage_id != stage.pk
    touchpoint.stage, touchpoint.position, touchpoint.rev = stage, position, rev
    touchpoint.save(update_fields=["stage", "position", "rev", "updated_at"])
    if moved_stage:
        PainPoint.all_objects.filter(touchpoint=touchpoint).update(stage=stage, rev=rev)
    return touchpoint


@transaction.atomic
def touchpoint_delete(*, touchpoint: Touchpoint) -> Touchpoint:
    rev = journey_bump(journey_id=touchpoint.journey_id)
    now = timezone.now()
    PainPoint.objects.filter(touchpoint=touchpoint).update(deleted_at=now, rev=rev)
    touchpoint.deleted_at, touchpoint.rev = now, rev
    touchpoint.save(update_fields=["deleted_at", "rev", "updated_at"])
    return touchpoint


@transaction.atomic
def touchpoint_restore(*, touchpoint: Touchpoint) -> Touchpoint:
    if touchpoint.deleted_at is None:
        return touchpoint
    rev = journey_bump(journey_id=touchpoint.journey_id)
    stage = Stage.all_objects.get(pk=touchpoint.stage_id)
    if stage.deleted_at is not None:
        raise ValidationError(
            {"stage": f"Its stage “{stage.name}” was deleted; restore the stage first."}
        )
    when = touchpoint.deleted_at
    PainPoint.all_objects.filter(touchpoint=touchpoint, deleted_at=when).update(
        deleted_at=None, rev=rev
    )
    touchpoint.deleted_at, touchpoint.rev = None, rev
    touchpoint.save(update_fields=["deleted_at", "rev", "updated_at"])
    return touchpoint


# Pain points and opportunities ----------------------------------------------------------


@transaction.atomic
def painpoint_create(*, stage: Stage, touchpoint: Touchpoint | None = None, **data) -> PainPoint:
    rev = journey_bump(journey_id=stage.journey_id)
    stage = Stage.all_objects.get(pk=stage.pk)
    if stage.deleted_at is not None:
        raise BoardChanged("That stage was deleted by someone else; the board was refreshed.")
    _clean_text(data, "text")
    pain = PainPoint(
        organization_id=stage.organization_id,
        journey_id=stage.journey_id,
        stage=stage,
        touchpoint=touchpoint,
        rev=rev,
        **data,
    )
    pain.full_clean()
    pain.save()
    return pain


@transaction.atomic
def painpoint_update(*, pain: PainPoint, data: dict, version: int) -> PainPoint:
    _clean_text(data, "text")
    if "touchpoint" in data and data["touchpoint"] is not None and "stage" not in data:
        data["stage"] = data["touchpoint"].stage
    data["rev"] = journey_bump(journey_id=pain.journey_id)
    return object_update(instance=pain, data=data, version=version)


@transaction.atomic
def painpoint_delete(*, pain: PainPoint) -> PainPoint:
    pain.deleted_at, pain.rev = timezone.now(), journey_bump(journey_id=pain.journey_id)
    pain.save(update_fields=["deleted_at", "rev", "updated_at"])
    return pain


@transaction.atomic
def painpoint_restore(*, pain: PainPoint) -> PainPoint:
    if pain.deleted_at is None:
        return pain
    rev = journey_bump(journey_id=pain.journey_id)
    if Stage.all_objects.filter(pk=pain.stage_id, deleted_at__isnull=False).exists():
        raise ValidationError({"stage": "Its stage was deleted; restore the stage first."})
    if (
        pain.touchpoint_id
        and Touchpoint.all_objects.filter(pk=pain.touchpoint_id, deleted_at__isnull=False).exists()
    ):
        raise ValidationError({"touchpoint": "Its touchpoint was deleted; restore it first."})
    pain.deleted_at, pain.rev = None, rev
    pain.save(update_fields=["deleted_at", "rev", "updated_at"])
    return pain


# Copies, templates and imports ----------------------------------------------------------


def _unique_name(*, audience: Audience, name: str) -> None:
    if Journey.objects.filter(audience=audience, name__iexact=name.strip()).exists():
        raise ValidationError(
            {"name": f"“{audience.name}” already has a journey called “{name.strip()}”."}
        )


@transaction.atomic
def journey_build(*, journey: Journey, stages: list[dict]) -> dict:
    """Create stages, touchpoints and pain points from plain specs in a few bulk INSERTs.

    A stage spec has the stage's fields plus `pain_points` and `touchpoints` (lists of specs);
    a touchpoint spec has its fields plus `pain_points`, `goals` and `initiatives` (ids).
    Copies, templates, CSV imports and the demo build journeys through it.
    """
    stage_rows = _stages_build(journey, stages)
    tp_rows, tp_specs = _touchpoints_build(journey, stage_rows, stages)
    pain_rows = _pains_build(journey, stage_rows, stages, tp_rows, tp_specs)
    _links_build(tp_rows, tp_specs)
    return {"stages": len(stage_rows), "touchpoints": len(tp_rows), "pain_points": len(pain_rows)}


def _stages_build(journey: Journey, stages: list[dict]) -> list[Stage]:
    rows = [
        Stage(
            organization_id=journey.organization_id,
            journey=journey,
            position=(i + 1) * GAP,
            **{k: v for k, v in spec.items() if k not in {"touchpoints", "pain_points"}},
        )
        for i, spec in enumerate(stages)
    ]
    for row in rows:
        row.full_clean(exclude=["journey", "organization"])
    Stage.objects.bulk_create(rows)
    return rows


def _touchpoints_build(journey: Journey, stage_rows: list[Stage], stages: list[dict]):
    rows, specs = [], []
    for stage, spec in zip(stage_rows, stages, strict=True):
        for j, tp in enumerate(spec.get("touchpoints", [])):
            row = Touchpoint(
                organization_id=journey.organization_id,
                journey=journey,
                stage=stage,
                position=(j + 1) * GAP,
                **{k: v for k, v in tp.items() if k not in LINK_KEYS},
            )
            row.full_clean(exclude=["journey", "organization", "stage", "owner"])
            rows.append(row)
            specs.append(tp)
    Touchpoint.objects.bulk_create(rows)
    return rows, specs


def _pains_build(journey, stage_rows, stages, tp_rows, tp_specs) -> list[PainPoint]:
    """The stages' pain points first, then the touchpoints' (the order they always had)."""
    owners = [(stage, None, spec) for stage, spec in zip(stage_rows, stages, strict=True)]
    owners += [(row.stage, row, spec) for row, spec in zip(tp_rows, tp_specs, strict=True)]
    rows = [
        PainPoint(
            organization_id=journey.organization_id,
            journey=journey,
            stage=stage,
            touchpoint=touchpoint,
            **pain,
        )
        for stage, touchpoint, spec in owners
        for pain in spec.get("pain_points", [])
    ]
    for row in rows:
        row.full_clean(exclude=["journey", "organization", "stage", "touchpoint"])
    PainPoint.objects.bulk_create(rows)
    return rows


def _links_build(tp_rows: list[Touchpoint], tp_specs: list[dict]) -> None:
    for name in ("goals", "initiatives"):
        if not hasattr(Touchpoint, name):
            continue
        through = getattr(Touchpoint, name).through
        column = f"{getattr(Touchpoint, name).field.m2m_reverse_field_name()}_id"
        links = [
            through(touchpoint_id=row.pk, **{column: value})
            for row, spec in zip(tp_rows, tp_specs, strict=True)
            for value in spec.get(name, [])
        ]
        through.objects.bulk_create(links, ignore_conflicts=True)


LINK_KEYS = {"pain_points", "goals", "initiatives"}


@transaction.atomic
def journey_copy(*, journey: Journey, name: str, audience: Audience | None = None) -> Journey:
    """A new journey with the same stages, touchpoints, pain points and links."""
    audience = audience or journey.audience
    _unique_name(audience=audience, name=name or "")
    copy = journey_create(
        organization=journey.organization,
        audience=audience,
        name=name,
        description=journey.description,
        status=Journey.Status.DRAFT,
        template_key=journey.template_key,
    )
    from journeys import selectors

    stages = list(Stage.objects.filter(journey=journey).order_by("position", "id"))
    touchpoints = list(selectors.touchpoint_queryset(prefetch_links=False).filter(journey=journey))
    links = selectors.links_map(journey=journey)
    pains = list(PainPoint.objects.filter(journey=journey).order_by("id"))
    specs = []
    for stage in stages:
        tps = [t for t in touchpoints if t.stage_id == stage.pk]
        specs.append(
            {
                "name": stage.name,
                "phase": stage.phase,
                "customer_goal": stage.customer_goal,
                "customer_actions": stage.customer_actions,
                "emotion": stage.emotion,
                "emotion_note": stage.emotion_note,
                "pain_points": [
                    _pain_spec(p) for p in pains if p.stage_id == stage.pk and not p.touchpoint_id
                ],
                "touchpoints": [
                    {
                        "name": t.name,
                        "channel": t.channel,
                        "owner_id": t.owner_id,
                        "moment_that_matters": t.moment_that_matters,
                        "customer_action": t.customer_action,
                        "data_fields": list(t.data_fields or []),
                        "notes": t.notes,
                        "pain_points": [_pain_spec(p) for p in pains if p.touchpoint_id == t.pk],
                        "goals": links["goals"].get(t.pk, []),
                        "initiatives": links["initiatives"].get(t.pk, []),
                    }
                    for t in tps
                ],
            }
        )
    journey_build(journey=copy, stages=specs)
    return copy


def _pain_spec(pain: PainPoint) -> dict:
    return {"kind": pain.kind, "text": pain.text, "detail": pain.detail, "severity": pain.severity}


@transaction.atomic
def journey_from_template(
    *, organization: Organization, audience: Audience, template: str, name: str = ""
) -> Journey:
    from journeys.blueprints import BLUEPRINTS

    blueprint = BLUEPRINTS.get(template)
    if blueprint is None:
        raise ValidationError({"template": "Choose one of the offered templates."})
    name = (name or blueprint["name"]).strip()
    _unique_name(audience=audience, name=name)
    journey = journey_create(
        organization=organization,
        audience=audience,
        name=name,
        description=blueprint["description"],
        status=Journey.Status.DRAFT,
        template_key=template,
    )
    specs = [
        {
            "name": stage_name,
            "phase": phase,
            "customer_goal": goal,
            "emotion": emotion,
            "touchpoints": [
                {
                    "name": tp_name,
                    "channel": channel,
                    "moment_that_matters": mtm,
                    "data_fields": fields,
                }
                for tp_name, channel, mtm, fields in tps
            ],
        }
        for stage_name, phase, goal, emotion, tps in blueprint["stages"]
    ]
    journey_build(journey=journey, stages=specs)
    return journey


@transaction.atomic
def journey_import_csv(
    *,
    organization: Organization,
    audience: Audience,
    name: str,
    content: bytes | str,
    dry_run: bool = False,
) -> dict:
    """Check a CSV of stages and touchpoints; unless `dry_run`, create the journey from it.

    All or nothing: a file with any bad row writes nothing and names every bad row.
    """
    from journeys.csvio import parse_journey_csv

    if audience.organization_id != organization.id:
        raise ValidationError({"audience": "Choose an audience of this organization."})
    result = parse_journey_csv(content, organization=organization)
    name = (name or "").strip()
    if not name:
        result["errors"].insert(0, {"row": None, "messages": ["Give the new journey a name."]})
    elif Journey.objects.filter(audience=audience, name__iexact=name).exists():
        result["errors"].insert(
            0,
            {
                "row": None,
                "messages": [f"“{audience.name}” already has a journey called “{name}”."],
            },
        )
    result["journey"] = None
    if result["errors"] or dry_run:
        return result
    journey = journey_create(
        organization=organization,
        audience=audience,
        name=name,
        status=Journey.Status.DRAFT,
        template_key="csv",
    )
    journey_build(journey=journey, stages=result["stages"])
    result["journey"] = journey
    return result
