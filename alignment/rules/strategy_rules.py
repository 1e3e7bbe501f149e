"""Rules about the goal cascade, the C-team's commitments, the governing models and decisions.

Goals that were dropped do not count anywhere; everything else of the run's cycle does.
"""

from collections import defaultdict

from django.db.models import Q

from alignment.rules.base import Finding, RuleContext, Subject, rule
from alignment.rules.common import (
    cycle_goals,
    goal_label,
    goal_subject,
    goal_wants,
    governing_models,
    member_subject,
    person,
    unit_leader,
    unit_subject,
)
from strategy.models import Commitment, Confidence, Decision, Goal, GoverningModel, Leg


@rule("orphan_goal")
def orphan_goal(ctx: RuleContext) -> list[Finding]:
    """A top-level goal whose owner is not on the C-team (or has no owner): the cascade has a
    second root nobody at the top answers for. Severity medium; magnitude is the number of goals
    hanging off it (itself included)."""
    c_team = {m.id for m in ctx.c_team}
    goals = cycle_goals(ctx)
    below: dict[int, int] = defaultdict(int)
    for goal in goals:
        if goal.parent_id:
            below[goal.parent_id] += 1
    findings = []
    for goal in goals:
        if goal.parent_id is not None or goal.owner_id in c_team:
            continue
        owner = goal.owner
        who = f"is owned by {person(owner)}, who is not on the C-team" if owner else "no owner"
        findings.append(
            Finding(
                rule="orphan_goal",
                severity="medium",
                title=f"{goal_label(goal)} has no parent and {who}",
                subjects=[goal_subject(ctx, goal)],
                evidence={
                    "goal_id": goal.id,
                    "owner_id": goal.owner_id,
                    "owner_role": owner.role if owner else None,
                    "c_team_ids": sorted(c_team),
                    "contributing_goals": below[goal.id],
                },
                owner_id=goal.owner_id,
                owner_label=person(owner) if owner else "",
                unit_id=goal.org_unit_id,
                magnitude=float(1 + below[goal.id]),
            )
        )
    return findings


def _legs(goals: list[Goal], key) -> dict[int, dict[str, int]]:
    """{key(goal): {leg: goals}} for goals whose key is set."""
    legs: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(Leg.values, 0))
    for goal in goals:
        if key(goal) is not None:
            legs[key(goal)][goal.leg] += 1
    return legs


@rule("unit_without_cx_goal")
def unit_without_cx_goal(ctx: RuleContext) -> list[Finding]:
    """A unit owning goals in the cycle, none of them on the CX leg. Severity high (the unit
    steers without the customer); magnitude is the number of its goals."""
    goals = cycle_goals(ctx)
    names = {g.org_unit_id: g.org_unit.name for g in goals if g.org_unit_id}
    findings = []
    for unit_id, legs in _legs(goals, lambda g: g.org_unit_id).items():
        if legs[Leg.CX]:
            continue
        total = sum(legs.values())
        leader_id, leader = unit_leader(ctx, unit_id)
        findings.append(
            Finding(
                rule="unit_without_cx_goal",
                severity="high",
                title=f"{names[unit_id]} owns {total} goal(s) in {ctx.cycle.name}, "
                "none on the customer-experience leg",
                subjects=[unit_subject(ctx, unit_id, names[unit_id])],
                evidence={"goals": total, "legs": legs, "cycle_id": ctx.cycle.id},
                owner_id=leader_id,
                owner_label=leader,
                unit_id=unit_id,
                magnitude=float(total),
            )
        )
    return findings


@rule("owner_without_cx_goal")
def owner_without_cx_goal(ctx: RuleContext) -> list[Finding]:
    """A person owning goals in the cycle, none on the CX leg: the third leg of stewardship is
    missing. Severity medium; magnitude is the number of their goals."""
    goals = cycle_goals(ctx)
    owners = {g.owner_id: g.owner for g in goals if g.owner_id}
    findings = []
    for owner_id, legs in _legs(goals, lambda g: g.owner_id).items():
        if legs[Leg.CX]:
            continue
        owner, total = owners[owner_id], sum(legs.values())
        findings.append(
            Finding(
                rule="owner_without_cx_goal",
                severity="medium",
                title=f"{person(owner)} owns {total} goal(s) in {ctx.cycle.name}, none on the "
                "customer-experience leg",
                subjects=[member_subject(ctx, owner_id, person(owner))],
                evidence={"goals": total, "legs": legs, "cycle_id": ctx.cycle.id},
                owner_id=owner_id,
                owner_label=person(owner),
                unit_id=owner.unit_id,
                magnitude=float(total),
            )
        )
    return findings


@rule("executive_without_cx_contribution")
def executive_without_cx_contribution(ctx: RuleContext) -> list[Finding]:
    """A C-team member with no commitment to a corporate CX goal of the cycle. Severity high;
    magnitude 2 with no commitment at all, 1 with a commitment that names no corporate CX goal."""
    rows = Commitment.objects.for_org(ctx.organization).filter(cycle=ctx.cycle)
    rows = rows.values("executive_id", "goal_id", "goal__parent_id", "goal__leg", "goal__status")
    committed, stated = set(), set()
    for row in rows:
        stated.add(row["executive_id"])
        serves_cx = row["goal_id"] and row["goal__parent_id"] is None and row["goal__leg"] == "cx"
        if serves_cx and row["goal__status"] != Goal.Status.DROPPED:
            committed.add(row["executive_id"])
    findings = []
    for member in ctx.c_team:
        if member.id in committed:
            continue
        has_statement = member.id in stated
        what = "names no corporate CX goal" if has_statement else "has made no commitment"
        findings.append(
            Finding(
                rule="executive_without_cx_contribution",
                severity="high",
                title=f"{member.display_name} (C-team) {what} to the customer-experience goal "
                f"in {ctx.cycle.name}",
                subjects=[Subject("member", member.id, member.display_name, _commitments_url(ctx))],
                evidence={"has_commitment": has_statement, "cycle_id": ctx.cycle.id},
                owner_id=member.id,
                owner_label=member.display_name,
                unit_id=member.unit_id,
                magnitude=1.0 if has_statement else 2.0,
            )
        )
    return findings


def _commitments_url(ctx: RuleContext) -> str:
    return f"{ctx.url('strategy:commitments')}?cycle={ctx.cycle.id}"


def _missing_measure(goal: Goal) -> list[str]:
    if goal.measure == Goal.Measure.NONE:
        return ["measure"]
    if goal.measure != Goal.Measure.KPI:
        return []
    missing = [] if goal.kpi_id else ["kpi"]
    missing += [f for f in ("baseline", "target") if getattr(goal, f) is None]
    return missing + ([] if (goal.measure_unit or "").strip() else ["measure_unit"])


@rule("goal_without_target")
def goal_without_target(ctx: RuleContext) -> list[Finding]:
    """A goal that is not measurable yet, or a KPI goal missing its KPI, baseline, target or
    unit. Severity low; magnitude is the number of missing parts."""
    findings = []
    for goal in cycle_goals(ctx):
        missing = _missing_measure(goal)
        if not missing:
            continue
        what = (
            "is not measurable yet"
            if missing == ["measure"]
            else "has no " + ", ".join(m.replace("_", " ") for m in missing)
        )
        findings.append(
            Finding(
                rule="goal_without_target",
                severity="low",
                title=f"{goal_label(goal)} {what}",
                subjects=[goal_subject(ctx, goal)],
                evidence={"measure": goal.measure, "missing": missing},
                owner_id=goal.owner_id,
                owner_label=person(goal.owner) if goal.owner_id else "",
                unit_id=goal.org_unit_id,
                magnitude=float(len(missing)),
            )
        )
    return findings


def _cycle_under_way(ctx: RuleContext) -> bool:
    cycle = ctx.cycle
    return cycle.status != cycle.Status.CLOSED and cycle.starts_on <= ctx.today <= cycle.ends_on


@rule("stale_checkin")
def stale_checkin(ctx: RuleContext) -> list[Finding]:
    """An active goal of a cycle under way with no check-in within the organization's cadence
    (never checked in: counted from the cycle's start or the goal's creation, the later).
    Severity medium, high once a whole cadence overdue; magnitude is days overdue."""
    if not _cycle_under_way(ctx):
        return []
    cadence = ctx.organization.checkin_cadence_days
    findings = []
    for goal in cycle_goals(ctx):
        if goal.status != Goal.Status.ACTIVE:
            continue
        if goal.last_checkin_at is not None:
            days = (ctx.now - goal.last_checkin_at).total_seconds() / 86400
        else:
            since = max(ctx.cycle.starts_on, goal.created_at.date())
            days = float((ctx.today - since).days)
        if days <= cadence:
            continue
        overdue = days - cadence
        last = goal.last_checkin_at.date().isoformat() if goal.last_checkin_at else None
        findings.append(
            Finding(
                rule="stale_checkin",
                severity="high" if overdue > cadence else "medium",
                title=f"{goal_label(goal)} has had no check-in for {int(days)} days "
                f"(every {cadence} days expected)",
                subjects=[goal_subject(ctx, goal)],
                evidence={"days_since": days, "cadence_days": cadence, "last_checkin_on": last},
                owner_id=goal.owner_id,
                owner_label=person(goal.owner) if goal.owner_id else "",
                unit_id=goal.org_unit_id,
                magnitude=overdue,
            )
        )
    return findings


@rule("goal_confidence_contradicted")
def goal_confidence_contradicted(ctx: RuleContext) -> list[Finding]:
    """The latest check-in says "on track" while the goal's KPI, as measured company-wide
    (figures["kpis"][key]["all"]), moved from the previous period to the current one against
    the goal's direction (baseline → target). Severity high; magnitude is the size of the
    move in the KPI's unit."""
    kpis = ctx.figures.get("kpis") or {}
    findings = []
    for goal in cycle_goals(ctx):
        if goal.confidence != Confidence.ON_TRACK or goal.measure != Goal.Measure.KPI:
            continue
        if goal.kpi_id is None or goal.status != Goal.Status.ACTIVE:
            continue
        values = (kpis.get(goal.kpi.key) or {}).get("all") or {}
        previous, current = values.get("previous"), values.get("current")
        if previous is None or current is None:
            continue
        change = float(current) - float(previous)
        if change * goal_wants(goal) >= 0:
            continue
        findings.append(
            Finding(
                rule="goal_confidence_contradicted",
                severity="high",
                title=f"{goal_label(goal)} is reported on track, but {goal.kpi.name} moved "
                f"away from its target ({previous:.1f} → {current:.1f} {goal.kpi.unit})",
                subjects=[goal_subject(ctx, goal)],
                evidence={
                    "kpi": goal.kpi.key,
                    "segment": "all",
                    "previous": previous,
                    "current": current,
                    "change": change,
                    "baseline": float(goal.baseline) if goal.baseline is not None else None,
                    "target": float(goal.target) if goal.target is not None else None,
                    "confidence": goal.confidence,
                },
                owner_id=goal.owner_id,
                owner_label=person(goal.owner) if goal.owner_id else "",
                unit_id=goal.org_unit_id,
                magnitude=abs(change),
            )
        )
    return findings


@rule("decision_disapproved_unmitigated")
def decision_disapproved_unmitigated(ctx: RuleContext) -> list[Finding]:
    """A decision of the cycle (or undated to a cycle but decided within it) that customers
    would disapprove, with no mitigation: overridden, or neither. Severity high; magnitude 1."""
    qs = Decision.objects.for_org(ctx.organization).filter(
        Q(cycle=ctx.cycle)
        | Q(cycle__isnull=True, decided_on__range=(ctx.cycle.starts_on, ctx.cycle.ends_on)),
        customer_view=Decision.CustomerView.DISAPPROVE,
    )
    findings = []
    for decision in qs.select_related("decided_by__user", "override_by__user").order_by("id"):
        if (decision.mitigation or "").strip():
            continue
        how = "overridden without a mitigation" if decision.override else "with no mitigation"
        owner = decision.override_by or decision.decided_by
        findings.append(
            Finding(
                rule="decision_disapproved_unmitigated",
                severity="high",
                title=f"Decision “{decision.title}”: our best customers would disapprove, {how}",
                subjects=[
                    Subject(
                        "decision",
                        decision.id,
                        decision.title,
                        ctx.url("strategy:decision_edit", decision.id),
                    )
                ],
                evidence={
                    "customer_view": decision.customer_view,
                    "customer_view_why": decision.customer_view_why,
                    "override": decision.override,
                    "override_reason": decision.override_reason,
                    "decided_on": decision.decided_on.isoformat(),
                },
                owner_id=owner.id if owner else None,
                owner_label=person(owner) if owner else "",
                unit_id=owner.unit_id if owner else None,
                magnitude=1.0,
            )
        )
    return findings


def _model_subject(ctx: RuleContext, model: GoverningModel) -> Subject:
    label = model.get_kind_display()
    return Subject("model", model.id, label, ctx.url("strategy:model_edit", model.id))


@rule("model_review_overdue")
def model_review_overdue(ctx: RuleContext) -> list[Finding]:
    """A governing model never reviewed, or past its next review date. Severity high for the
    CX model, medium for the others; magnitude is days overdue (never reviewed: days since it
    was set up)."""
    findings = []
    for model in governing_models(ctx):
        if not model.is_overdue(ctx.today):
            continue
        due = model.next_review_on
        overdue = (ctx.today - (due or model.created_at.date())).days
        when = f"was due for review on {due.isoformat()}" if due else "has never been reviewed"
        findings.append(
            Finding(
                rule="model_review_overdue",
                severity="high" if model.kind == GoverningModel.Kind.CX else "medium",
                title=f"The {model.get_kind_display()} {when}",
                subjects=[_model_subject(ctx, model)],
                evidence={
                    "last_reviewed_on": model.last_reviewed_on.isoformat()
                    if model.last_reviewed_on
                    else None,
                    "next_review_on": due.isoformat() if due else None,
                    "review_cadence_months": model.review_cadence_months,
                    "days_overdue": overdue,
                },
                owner_id=model.owner_id,
                owner_label=person(model.owner) if model.owner_id else "",
                unit_id=model.owner.unit_id if model.owner_id else None,
                magnitude=float(overdue),
            )
        )
    return findings


@rule("model_without_owner")
def model_without_owner(ctx: RuleContext) -> list[Finding]:
    """A governing model with no owner, or one who is no longer an active member. Severity
    high for the CX model (no executive sponsor), medium for the others; magnitude 1."""
    findings = []
    for model in governing_models(ctx):
        if model.owner_id and model.owner_id in ctx.members:
            continue
        gone = model.owner_id is not None
        findings.append(
            Finding(
                rule="model_without_owner",
                severity="high" if model.kind == GoverningModel.Kind.CX else "medium",
                title=f"The {model.get_kind_display()} has no owner"
                + (f" ({person(model.owner)} has left)" if gone else ""),
                subjects=[_model_subject(ctx, model)],
                evidence={"kind": model.kind, "former_owner_id": model.owner_id},
                magnitude=1.0,
            )
        )
    return findings
