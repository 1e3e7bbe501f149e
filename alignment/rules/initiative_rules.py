"""Rules about initiatives: the seeds' cautionary tales of one unit's action hurting the
customer or another unit.

Initiatives that were stopped do not count; proposed, active and done ones do.
"""

from collections import defaultdict

from django.db.models import Prefetch

from alignment.rules.base import Finding, RuleContext, Subject, rule
from alignment.rules.common import (
    CX_KPIS,
    cached,
    cycle_goals,
    goal_wants,
    nps_fell,
    person,
    touchpoint_figures,
    unit_leader,
    unit_name,
    unit_subject,
)
from journeys.models import Touchpoint
from strategy.models import Initiative, KPIEffect

# How many goal titles a flag's evidence names (its ids list every goal).
EVIDENCE_TITLES = 10


def cycle_initiatives(ctx: RuleContext) -> list[Initiative]:
    """The cycle's initiatives with their effects (and KPIs) and touchpoints: three queries."""

    def load():
        qs = Initiative.objects.for_org(ctx.organization).filter(cycle=ctx.cycle)
        qs = qs.exclude(status=Initiative.Status.STOPPED)
        qs = qs.prefetch_related(
            "owner__user",
            "org_unit",
            Prefetch("effects", KPIEffect.objects.order_by("id")),
            "effects__kpi",
            Prefetch("touchpoints", Touchpoint.objects.only("id", "name", "journey_id")),
        )
        return list(qs.order_by("id"))

    return cached(ctx, "initiatives", load)


def _owner(ctx: RuleContext, initiative: Initiative) -> tuple[int | None, str]:
    """The initiative's owner, else its unit's leader."""
    if initiative.owner_id:
        return initiative.owner_id, person(initiative.owner)
    return unit_leader(ctx, initiative.org_unit_id)


def _subject(ctx: RuleContext, initiative: Initiative) -> Subject:
    url = ctx.url("strategy:initiative_detail", initiative.id)
    return Subject("initiative", initiative.id, initiative.name, url)


def _kpi_subject(ctx: RuleContext, kpi) -> Subject:
    return Subject("kpi", kpi.id, kpi.name, ctx.url("kpis:kpi_edit", kpi.id))


def _label(initiative: Initiative) -> str:
    return f"Initiative “{initiative.name}” ({initiative.org_unit.name})"


def _effect_evidence(effect: KPIEffect) -> dict:
    return {
        "effect_id": effect.id,
        "kpi": effect.kpi.key,
        "direction": effect.direction,
        "kpi_direction": effect.kpi.direction,
        "amount": float(effect.amount) if effect.amount is not None else None,
        "unit": effect.kpi.unit,
        "intended": effect.intended,
        "note": effect.note,
    }


@rule("initiative_hurts_cx_kpi")
def initiative_hurts_cx_kpi(ctx: RuleContext) -> list[Finding]:
    """An initiative expects to move a CX KPI (NPS, CSAT, CES, churn, CLV, onboarding success,
    customer asset value) the wrong way for that KPI's direction. Severity high; magnitude is
    the expected amount in the KPI's unit (1 when no amount is given)."""
    findings = []
    for initiative in cycle_initiatives(ctx):
        owner_id, owner = _owner(ctx, initiative)
        for effect in initiative.effects.all():
            kpi = effect.kpi
            if kpi.key not in CX_KPIS or effect.direction == kpi.direction:
                continue
            amount = f" by {effect.amount:g} {kpi.unit}" if effect.amount is not None else ""
            findings.append(
                Finding(
                    rule="initiative_hurts_cx_kpi",
                    severity="high",
                    title=f"{_label(initiative)} is expected to move {kpi.name} "
                    f"{effect.direction}{amount}: the wrong way for customers",
                    subjects=[_subject(ctx, initiative), _kpi_subject(ctx, kpi)],
                    evidence=_effect_evidence(effect),
                    owner_id=owner_id,
                    owner_label=owner,
                    unit_id=initiative.org_unit_id,
                    magnitude=float(effect.amount) if effect.amount is not None else 1.0,
                )
            )
    return findings


def _goals_by_kpi_and_unit(ctx: RuleContext) -> dict[tuple[int, int], list]:
    """{(kpi id, unit id): [goals]} of the cycle's KPI goals that belong to a unit."""
    index: dict[tuple[int, int], list] = defaultdict(list)
    for goal in cycle_goals(ctx):
        if goal.kpi_id and goal.org_unit_id:
            index[(goal.kpi_id, goal.org_unit_id)].append(goal)
    return index


@rule("initiative_hurts_other_unit")
def initiative_hurts_other_unit(ctx: RuleContext) -> list[Finding]:
    """An initiative expects to move a KPI that another unit's goals target, against those
    goals' direction (the effect's affected unit when it names one, else every other unit).
    One flag per initiative, KPI and hurt unit. Severity high; magnitude is the number of that
    unit's goals it works against."""
    index = _goals_by_kpi_and_unit(ctx)
    units_by_kpi: dict[int, set[int]] = defaultdict(set)
    against: dict[tuple[int, int, int], list] = defaultdict(list)  # goals not wanting `sign`
    for (kpi_id, unit_id), goals in index.items():
        units_by_kpi[kpi_id].add(unit_id)
        for goal in goals:
            against[(kpi_id, unit_id, -goal_wants(goal))].append(goal)
    findings = []
    for initiative in cycle_initiatives(ctx):
        for effect in initiative.effects.all():
            sign = 1 if effect.direction == KPIEffect.Direction.UP else -1
            others = units_by_kpi[effect.kpi_id] - {initiative.org_unit_id}
            if effect.affected_unit_id:
                others &= {effect.affected_unit_id}
            for unit_id in sorted(others):
                hurt = against.get((effect.kpi_id, unit_id, sign))
                if hurt:
                    findings.append(_other_unit_finding(ctx, initiative, effect, unit_id, hurt))
    return findings


def _other_unit_finding(ctx, initiative, effect, unit_id: int, hurt: list) -> Finding:
    owner_id, owner = _owner(ctx, initiative)
    other = unit_name(ctx, unit_id)
    kpi = effect.kpi
    return Finding(
        rule="initiative_hurts_other_unit",
        severity="high",
        title=f"{_label(initiative)} is expected to move {kpi.name} {effect.direction}, "
        f"against {len(hurt)} goal(s) of {other}",
        subjects=[
            _subject(ctx, initiative),
            _kpi_subject(ctx, kpi),
            unit_subject(ctx, unit_id, other),
        ],
        evidence={
            **_effect_evidence(effect),
            "hurt_unit_id": unit_id,
            "hurt_goal_ids": [g.id for g in hurt],
            "hurt_goal_count": len(hurt),
            # The first few by name (the ids list them all; a flag's evidence stays small).
            "hurt_goals": [g.title for g in hurt[:EVIDENCE_TITLES]],
        },
        owner_id=owner_id,
        owner_label=owner,
        unit_id=initiative.org_unit_id,
        magnitude=float(len(hurt)),
    )


@rule("initiative_touchpoint_worsened")
def initiative_touchpoint_worsened(ctx: RuleContext) -> list[Finding]:
    """A touchpoint an initiative touches lost NPS significantly between the previous and the
    current period, and the initiative had started by the end of the current period. Severity
    high; magnitude is the points fallen."""
    by_id = touchpoint_figures(ctx)
    last_day = ((ctx.figures.get("periods") or {}).get("current") or {}).get("last_day")
    findings = []
    for initiative in cycle_initiatives(ctx):
        started = initiative.starts_on
        if started is not None and last_day and started.isoformat() > last_day:
            continue
        for tp in initiative.touchpoints.all():
            name, figures = by_id.get(tp.id, (None, {}))
            if not nps_fell(figures):
                continue
            findings.append(_worsened_finding(ctx, initiative, tp, figures))
    return findings


def _worsened_finding(ctx, initiative, tp, figures: dict) -> Finding:
    owner_id, owner = _owner(ctx, initiative)
    change = figures["change_points"]
    return Finding(
        rule="initiative_touchpoint_worsened",
        severity="high",
        title=f"{_label(initiative)} touches “{tp.name}”, whose NPS fell "
        f"{abs(change):.1f} points since it started",
        subjects=[
            _subject(ctx, initiative),
            Subject("touchpoint", tp.id, tp.name, ctx.url("journeys:board", tp.journey_id)),
        ],
        evidence={
            "touchpoint_id": tp.id,
            "starts_on": initiative.starts_on.isoformat() if initiative.starts_on else None,
            "previous_nps": (figures.get("previous") or {}).get("nps"),
            "current_nps": (figures.get("current") or {}).get("nps"),
            "change_points": change,
            "change_z": figures.get("change_z"),
            "significant": figures.get("significant"),
        },
        owner_id=owner_id,
        owner_label=owner,
        unit_id=initiative.org_unit_id,
        magnitude=-change,
    )
