"""Rules about audiences, journeys and touchpoints: who is unmapped, what nobody addresses,
what the company asks the customer twice. Archived journeys do not count."""

from collections import defaultdict

from django.db.models import Count, Q

from alignment.rules.base import Finding, RuleContext, Subject, rule
from alignment.rules.common import (
    answered,
    cx_sponsor,
    nps_fell,
    touchpoint_figures,
    unit_leader,
)
from journeys.models import Audience, Journey, Stage, Touchpoint
from journeys.selectors import journey_signals

ARCHIVED = Journey.Status.ARCHIVED


@rule("touchpoint_unaddressed")
def touchpoint_unaddressed(ctx: RuleContext) -> list[Finding]:
    """A touchpoint whose current NPS is below zero or fell significantly, and that no goal or
    initiative of the cycle is linked to. Severity high when both (negative and falling),
    medium otherwise; magnitude is the NPS below zero plus the points fallen (when significant).
    Response touchpoint names that match no journey are the data-quality figures' business."""
    by_id = touchpoint_figures(ctx)
    hot = {}
    for tp_id, (_name, figures) in by_id.items():
        nps = (figures.get("current") or {}).get("nps")
        negative, fell = nps is not None and nps < 0, nps_fell(figures)
        if negative or fell:
            hot[tp_id] = (figures, negative, fell)
    if not hot:
        return []
    rows = Touchpoint.objects.for_org(ctx.organization).filter(id__in=list(hot))
    rows = rows.exclude(journey__status=ARCHIVED).values(
        "id", "name", "journey_id", "journey__name", "owner_id", "owner__name"
    )
    linked = answered(ctx, Touchpoint, list(hot))
    findings = []
    for row in rows.order_by("id"):
        if row["id"] not in linked:
            findings.append(_unaddressed(ctx, row, *hot[row["id"]]))
    return findings


def _unaddressed(ctx: RuleContext, row: dict, figures: dict, negative: bool, fell: bool):
    current = (figures.get("current") or {}).get("nps")
    change = figures.get("change_points")
    why = []
    if negative:
        why.append(f"NPS {current:.0f}")
    if fell:
        why.append(f"down {abs(change):.1f} points")
    owner_id, owner = unit_leader(ctx, row["owner_id"])
    magnitude = (max(0.0, -current) if negative else 0.0) + (-change if fell else 0.0)
    return Finding(
        rule="touchpoint_unaddressed",
        severity="high" if negative and fell else "medium",
        title=f"Touchpoint “{row['name']}” ({row['journey__name']}) is hurting customers "
        f"({', '.join(why)}) and no goal or initiative addresses it",
        subjects=[
            Subject(
                "touchpoint", row["id"], row["name"], ctx.url("journeys:board", row["journey_id"])
            )
        ],
        evidence={
            "current_nps": current,
            "previous_nps": (figures.get("previous") or {}).get("nps"),
            "responses": (figures.get("current") or {}).get("responses"),
            "change_points": change,
            "change_z": figures.get("change_z"),
            "significant": figures.get("significant"),
            "owner_unit": row["owner__name"],
        },
        owner_id=owner_id,
        owner_label=owner,
        unit_id=row["owner_id"],
        magnitude=magnitude,
    )


@rule("audience_without_journey")
def audience_without_journey(ctx: RuleContext) -> list[Finding]:
    """A priority audience with no journey mapped (archived journeys do not count). Severity
    high for a rank-1 audience, medium otherwise; magnitude is 1 / rank (higher priority,
    worse)."""
    live = Count("journeys", filter=~Q(journeys__status=ARCHIVED))
    qs = Audience.objects.for_org(ctx.organization).annotate(live=live).filter(live=0)
    sponsor_id, sponsor = cx_sponsor(ctx)
    findings = []
    for audience in qs.order_by("kind", "rank", "name"):
        findings.append(
            Finding(
                rule="audience_without_journey",
                severity="high" if audience.rank == 1 else "medium",
                title=f"Priority audience “{audience.name}” (rank {audience.rank}, "
                f"{audience.get_kind_display().lower()}) has no journey mapped",
                subjects=[
                    Subject(
                        "audience",
                        audience.id,
                        audience.name,
                        ctx.url("journeys:audience_edit", audience.id),
                    )
                ],
                evidence={
                    "rank": audience.rank,
                    "kind": audience.kind,
                    "segment_key": audience.segment_key,
                },
                owner_id=sponsor_id,
                owner_label=sponsor,
                magnitude=1 / audience.rank,
            )
        )
    return findings


@rule("data_asked_twice")
def data_asked_twice(ctx: RuleContext) -> list[Finding]:
    """A journey asks the customer for the same data at more than one touchpoint (the journeys
    app's silo signal, `journey_signals`). One flag per journey and field. Severity low;
    magnitude is the number of touchpoints asking it."""
    journeys = Journey.objects.for_org(ctx.organization).exclude(status=ARCHIVED)
    journeys = {j.id: j for j in journeys.only("id", "name")}
    stages, touchpoints = defaultdict(list), defaultdict(list)
    for stage in Stage.objects.filter(journey_id__in=list(journeys)).only("id", "name", "journey"):
        stages[stage.journey_id].append(stage)
    tps = Touchpoint.objects.filter(journey_id__in=list(journeys), stage__deleted_at__isnull=True)
    fields = ("id", "name", "journey", "stage", "owner", "moment_that_matters", "data_fields")
    for tp in tps.only(*fields).order_by("id"):
        touchpoints[tp.journey_id].append(tp)
    no_links = {"goals": {}, "initiatives": {}}  # only the duplicate-data signal is read
    findings = []
    for journey_id, tps_of_journey in touchpoints.items():
        signals = journey_signals(
            stages=stages[journey_id], touchpoints=tps_of_journey, links=no_links
        )
        for dup in signals["duplicate_data"]:
            findings.append(_asked_twice(ctx, journeys[journey_id], dup))
    return findings


def _asked_twice(ctx: RuleContext, journey: Journey, dup: dict) -> Finding:
    refs = dup["touchpoints"]
    where = ", ".join(f"{r['name']} ({r['stage']})" for r in refs)
    url = ctx.url("journeys:board", journey.id)
    return Finding(
        rule="data_asked_twice",
        severity="low",
        title=f"Journey “{journey.name}” asks for “{dup['field']}” at {len(refs)} touchpoints: "
        f"{where}",
        subjects=[
            Subject("journey", journey.id, journey.name, url),
            Subject("data", dup["field"], dup["field"], url),
        ],
        evidence={"field": dup["field"], "touchpoints": refs},
        magnitude=float(len(refs)),
    )
