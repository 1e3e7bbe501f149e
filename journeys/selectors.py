"""Reads of journeys: the board, what changed since a revision, silo signals, lists.

Every function here runs a fixed number of queries, whatever the size of the journey.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce

from cxalign.orgs.models import OrgUnit
from journeys.models import (
    Audience,
    Journey,
    PainPoint,
    Stage,
    Touchpoint,
    normalize_data_field,
)

LINKS = ("goals", "initiatives")


def links_enabled() -> bool:
    """True once the strategy link fields exist (they arrive with strategy's models)."""
    return all(hasattr(Touchpoint, name) for name in LINKS)


# Row shapes shared by the page, the API and the live updates ---------------------------


def stage_data(stage: Stage) -> dict:
    return {
        "id": stage.pk,
        "journey": stage.journey_id,
        "name": stage.name,
        "phase": stage.phase,
        "position": stage.position,
        "customer_goal": stage.customer_goal,
        "customer_actions": stage.customer_actions,
        "emotion": stage.emotion,
        "emotion_note": stage.emotion_note,
        "version": stage.version,
        "deleted": stage.deleted_at is not None,
    }


def _link_ids(touchpoint: Touchpoint, name: str, links: dict | None = None) -> list[int]:
    if links is not None:
        return links[name].get(touchpoint.pk, [])
    if not hasattr(touchpoint, name):
        return []
    return sorted(obj.pk for obj in getattr(touchpoint, name).all())


def links_map(**touchpoint_filter) -> dict[str, dict[int, list[int]]]:
    """{"goals": {touchpoint id: [goal ids]}, "initiatives": {...}}: one query per link.

    Reading the link tables directly is ~10x faster than prefetching managers on 500 cards.
    """
    result: dict[str, dict[int, list[int]]] = {name: defaultdict(list) for name in LINKS}
    if not links_enabled():
        return result
    where = {f"touchpoint__{key}": value for key, value in touchpoint_filter.items()}
    for name in LINKS:
        descriptor = getattr(Touchpoint, name)
        column = f"{descriptor.field.m2m_reverse_field_name()}_id"
        rows = (
            descriptor.through.objects.filter(**where)
            .order_by(column)
            .values_list("touchpoint_id", column)
        )
        for touchpoint_id, target_id in rows:
            result[name][touchpoint_id].append(target_id)
    return result


def touchpoint_data(touchpoint: Touchpoint, links: dict | None = None) -> dict:
    owner = touchpoint.owner
    return {
        "id": touchpoint.pk,
        "journey": touchpoint.journey_id,
        "stage": touchpoint.stage_id,
        "position": touchpoint.position,
        "name": touchpoint.name,
        "channel": touchpoint.channel,
        "channel_label": touchpoint.get_channel_display(),
        "owner": touchpoint.owner_id,
        "owner_name": owner.name if owner else None,
        "moment_that_matters": touchpoint.moment_that_matters,
        "customer_action": touchpoint.customer_action,
        "data_fields": list(touchpoint.data_fields or []),
        "notes": touchpoint.notes,
        "goals": _link_ids(touchpoint, "goals", links),
        "initiatives": _link_ids(touchpoint, "initiatives", links),
        "version": touchpoint.version,
        "deleted": touchpoint.deleted_at is not None,
    }


def painpoint_data(pain: PainPoint) -> dict:
    return {
        "id": pain.pk,
        "journey": pain.journey_id,
        "stage": pain.stage_id,
        "touchpoint": pain.touchpoint_id,
        "kind": pain.kind,
        "text": pain.text,
        "detail": pain.detail,
        "severity": pain.severity,
        "version": pain.version,
        "deleted": pain.deleted_at is not None,
    }


def journey_data(journey: Journey) -> dict:
    return {
        "id": journey.pk,
        "name": journey.name,
        "description": journey.description,
        "status": journey.status,
        "audience": journey.audience_id,
        "audience_name": journey.audience.name,
        "audience_kind": journey.audience.kind,
        "version": journey.version,
        "revision": journey.revision,
    }


def touchpoint_queryset(manager=None, *, prefetch_links: bool = True):
    """Touchpoints with their owner (and links), in board order: a fixed number of queries."""
    base = Touchpoint.objects if manager is None else manager  # never `or`: it would run a query
    queryset = base.select_related("owner").order_by("position", "id")
    if prefetch_links and links_enabled():
        queryset = queryset.prefetch_related(
            *[Prefetch(name, queryset=_link_model(name).objects.only("id")) for name in LINKS]
        )
    return queryset


def _link_model(name: str):
    return Touchpoint._meta.get_field(name).related_model


# The board --------------------------------------------------------------------------------


def journey_get(*, organization, pk: int) -> Journey:
    return Journey.objects.for_org(organization).select_related("audience").get(pk=pk)


def journey_board(*, journey: Journey) -> dict:
    """Everything the editor shows, as plain data (stages, cards, pain points, signals)."""
    stages = list(Stage.objects.filter(journey=journey).order_by("position", "id"))
    touchpoints = list(touchpoint_queryset(prefetch_links=False).filter(journey=journey))
    links = links_map(journey=journey)
    pains = list(PainPoint.objects.filter(journey=journey).order_by("-severity", "id"))
    return {
        "journey": journey_data(journey),
        "revision": journey.revision,
        "stages": [stage_data(s) for s in stages],
        "touchpoints": [touchpoint_data(t, links) for t in touchpoints],
        "pain_points": [painpoint_data(p) for p in pains],
        "signals": journey_signals(stages=stages, touchpoints=touchpoints, links=links),
    }


def journey_changes(*, journey: Journey, since: int) -> dict:
    """What changed on the board after revision `since`, deletions included (cheap when idle)."""
    revision = Journey.objects.filter(pk=journey.pk).values_list("revision", flat=True).first()
    result = {"revision": revision, "changed": revision != since}
    if revision == since:
        return result
    if since > revision:  # the client is ahead of us: it must reload everything
        since = 0
    fresh = journey_get(organization=journey.organization, pk=journey.pk)
    links = links_map(journey=journey, rev__gt=since)
    result.update(
        journey=journey_data(fresh),
        stages=[
            stage_data(s)
            for s in Stage.all_objects.filter(journey=journey, rev__gt=since).order_by(
                "position", "id"
            )
        ],
        touchpoints=[
            touchpoint_data(t, links)
            for t in touchpoint_queryset(Touchpoint.all_objects, prefetch_links=False).filter(
                journey=journey, rev__gt=since
            )
        ],
        pain_points=[
            painpoint_data(p)
            for p in PainPoint.all_objects.filter(journey=journey, rev__gt=since).order_by("id")
        ],
    )
    return result


# Silo signals ---------------------------------------------------------------------------
# One implementation: `touchpoint_signals` decides what a signal is. The editor and the API
# `signals/` action read `journey_signals`, the journeys overview reads `organization_signals`
# (its counts are the lengths of the same lists); `audiences_without_journey` is the fourth.

SIGNAL_KINDS = ("unowned", "duplicate_data", "unlinked_moments")


def touchpoint_signals(
    touchpoints: list[Touchpoint], *, stage_names: dict[int, str], links: dict | None = None
) -> dict:
    """Silo signals of one journey's touchpoints (already loaded: no query).

    unowned: touchpoints nobody owns; duplicate_data: a data field (normalized) asked at more
    than one touchpoint; unlinked_moments: moments that matter with no goal and no initiative.
    """
    unowned, unlinked = [], []
    asked: dict[str, list[dict]] = defaultdict(list)
    check_links = links_enabled()
    for t in touchpoints:
        ref = {"id": t.pk, "name": t.name, "stage": stage_names.get(t.stage_id, "")}
        if t.owner_id is None:
            unowned.append(ref)
        if (
            t.moment_that_matters
            and check_links
            and not _link_ids(t, "goals", links)
            and not _link_ids(t, "initiatives", links)
        ):
            unlinked.append(ref)
        for field in {normalize_data_field(f) for f in t.data_fields or []}:
            asked[field].append(ref)
    duplicates = [
        {"field": field, "touchpoints": refs}
        for field, refs in sorted(asked.items())
        if len({r["id"] for r in refs}) > 1
    ]
    return {
        "unowned": unowned,
        "duplicate_data": duplicates,
        "unlinked_moments": unlinked,
        "links_enabled": check_links,
        "count": len(unowned) + len(duplicates) + len(unlinked),
    }


def signal_counts(signals: dict) -> dict:
    """{"unowned": n, "duplicate_data": n, "unlinked_moments": n, "count": n} of a result."""
    return {**{kind: len(signals[kind]) for kind in SIGNAL_KINDS}, "count": signals["count"]}


def journey_signals(
    *, stages: list[Stage], touchpoints: list[Touchpoint], links: dict | None = None
) -> dict:
    """Silo signals of one journey, computed from rows already loaded (no query)."""
    stage_names = {s.pk: s.name for s in stages}
    return touchpoint_signals(touchpoints, stage_names=stage_names, links=links)


def journey_signals_get(*, journey: Journey) -> dict:
    """Silo signals of one journey, read from the database (four queries)."""
    stages = list(Stage.objects.filter(journey=journey).order_by("position", "id"))
    touchpoints = list(touchpoint_queryset(prefetch_links=False).filter(journey=journey))
    return journey_signals(stages=stages, touchpoints=touchpoints, links=links_map(journey=journey))


def audiences_without_journey(*, organization):
    """Silo signal: priority audiences nobody has mapped a journey for."""
    return (
        Audience.objects.for_org(organization)
        .filter(journeys__isnull=True)
        .order_by("kind", "rank", "name")
    )


def organization_signals(*, organization) -> dict:
    """Silo signals across the organization: counts per journey, and audiences with no journey.

    A fixed number of queries (audiences, touchpoints with their stage, one per link kind).
    """
    touchpoints = (
        Touchpoint.objects.for_org(organization)
        .select_related("stage")
        .only(
            "id",
            "name",
            "journey_id",
            "stage__name",
            "owner_id",
            "moment_that_matters",
            "data_fields",
        )
        .order_by("position", "id")
    )
    by_journey: dict[int, list[Touchpoint]] = defaultdict(list)
    stage_names: dict[int, str] = {}
    for t in touchpoints:
        by_journey[t.journey_id].append(t)
        stage_names[t.stage_id] = t.stage.name
    links = links_map(organization=organization)
    return {
        "audiences_without_journey": list(audiences_without_journey(organization=organization)),
        "journeys": {
            journey_id: signal_counts(
                touchpoint_signals(rows, stage_names=stage_names, links=links)
            )
            for journey_id, rows in by_journey.items()
        },
    }


# Lists ----------------------------------------------------------------------------------


def audience_list(*, organization):
    return (
        Audience.objects.for_org(organization)
        .annotate(
            journey_count=Count("journeys", distinct=True),
        )
        .order_by("kind", "rank", "name")
    )


def _count_per_journey(model, **filters):
    """A correlated COUNT: no join fan-out between stages, cards and pain points."""
    rows = (
        model.objects.filter(journey=OuterRef("pk"), **filters)
        .order_by()
        .values("journey")
        .annotate(n=Count("id"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def journey_list(*, organization, audience=None):
    """Journeys with their audience and card counts (one query)."""
    queryset = (
        Journey.objects.for_org(organization)
        .select_related("audience")
        .annotate(
            stage_count=_count_per_journey(Stage),
            touchpoint_count=_count_per_journey(Touchpoint),
            moment_count=_count_per_journey(Touchpoint, moment_that_matters=True),
            pain_count=_count_per_journey(PainPoint, kind=PainPoint.Kind.PAIN),
        )
        .order_by("audience__kind", "audience__rank", "name")
    )
    if audience is not None:
        queryset = queryset.filter(audience=audience)
    return queryset


def journey_emotions(*, organization) -> dict[int, list[int | None]]:
    """Each journey's stage emotions in order (one query), for the overview's sparklines."""
    result: dict[int, list[int | None]] = defaultdict(list)
    rows = (
        Stage.objects.for_org(organization)
        .order_by("journey_id", "position", "id")
        .values_list("journey_id", "emotion")
    )
    for journey_id, emotion in rows:
        result[journey_id].append(emotion)
    return result


def sparkline(values: list[int | None], *, width: int = 120, height: int = 28) -> dict | None:
    """SVG points of an emotion curve (-2..2) scaled into a small box; None without data."""
    if sum(v is not None for v in values) < 2:
        return None
    step = width / max(len(values) - 1, 1)
    points = [
        (round(i * step, 1), round(height / 2 - v * (height / 2 - 3) / 2, 1))
        for i, v in enumerate(values)
        if v is not None
    ]
    return {
        "points": " ".join(f"{x},{y}" for x, y in points),
        "last": points[-1],
        "width": width,
        "height": height,
    }


def unit_choices(*, organization) -> list[dict]:
    return list(OrgUnit.objects.for_org(organization).order_by("name").values("id", "name"))


def link_choices(*, organization) -> dict:
    """Goals and initiatives a touchpoint can link to (empty until strategy is installed)."""
    if not links_enabled():
        return {"goals": [], "initiatives": []}
    result = {}
    for name in LINKS:
        model = _link_model(name)
        names = {f.name for f in model._meta.fields}
        label = "title" if "title" in names else "name"
        extra = ["cycle__name"] if "cycle" in names else []
        rows = (
            model.objects.filter(organization=organization)
            .order_by(*[f"-{e}" for e in extra], label)
            .values("id", label, *extra)
        )
        result[name] = [
            {
                "id": row["id"],
                "name": row[label] + (f" · {row['cycle__name']}" if extra else ""),
            }
            for row in rows
        ]
    return result


def export_rows(*, journey: Journey) -> list[dict]:
    """One row per touchpoint (and one per empty stage), in board order, for the CSV."""
    stages = list(Stage.objects.filter(journey=journey).order_by("position", "id"))
    touchpoints = list(touchpoint_queryset(prefetch_links=False).filter(journey=journey))
    pains = list(PainPoint.objects.filter(journey=journey, touchpoint__isnull=False).order_by("id"))
    pains_by_tp = defaultdict(list)
    for p in pains:
        pains_by_tp[p.touchpoint_id].append(p)
    by_stage = defaultdict(list)
    for t in touchpoints:
        by_stage[t.stage_id].append(t)
    rows = []
    for stage in stages:
        base = {
            "stage": stage.name,
            "phase": stage.phase,
            "stage_emotion": "" if stage.emotion is None else stage.emotion,
            "customer_actions": stage.customer_actions,
        }
        cards = by_stage.get(stage.pk, [])
        if not cards:
            rows.append({**base, **dict.fromkeys(TOUCHPOINT_COLUMNS, "")})
        for t in cards:
            rows.append(
                {
                    **base,
                    "touchpoint": t.name,
                    "channel": t.channel,
                    "owner": t.owner.name if t.owner else "",
                    "moment_that_matters": "yes" if t.moment_that_matters else "no",
                    "customer_action": t.customer_action,
                    "data_fields": "; ".join(t.data_fields or []),
                    "pain_points": "; ".join(
                        p.text for p in pains_by_tp.get(t.pk, []) if p.kind == "pain"
                    ),
                    "notes": t.notes,
                }
            )
    return rows


STAGE_COLUMNS = ["stage", "phase", "stage_emotion", "customer_actions"]
TOUCHPOINT_COLUMNS = [
    "touchpoint",
    "channel",
    "owner",
    "moment_that_matters",
    "customer_action",
    "data_fields",
    "pain_points",
    "notes",
]
CSV_COLUMNS = STAGE_COLUMNS + TOUCHPOINT_COLUMNS
