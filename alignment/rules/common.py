"""What the rules share: subjects with their page URLs, and rows loaded once per evaluation.

Loaders are cached on the context, so rules that read the same rows (the cycle's goals, the
units, the governing models) cost one query between them, whatever the number of rows.
"""

from collections.abc import Callable
from urllib.parse import urlencode

from alignment.rules.base import RuleContext, Subject
from cxalign.orgs.models import OrgUnit
from strategy.models import Goal, GoverningModel, Initiative

# The KPIs that measure the customer's experience (built-in keys).
CX_KPIS = frozenset(
    {"nps", "csat", "ces", "churn_rate", "clv", "onboarding_success_rate", "customer_asset_value"}
)


def cached(ctx: RuleContext, name: str, load: Callable):
    """`load()` once per context; later calls with the same name reuse its result."""
    store = ctx.__dict__.setdefault("_rule_cache", {})
    if name not in store:
        store[name] = load()
    return store[name]


def answered(ctx: RuleContext, model, ids: list[int]) -> set[int]:
    """The rows of `model` (a theme, a touchpoint: anything with `goals` and `initiatives`
    links) among `ids` that a live goal or initiative of the cycle answers: two queries."""
    column = f"{model._meta.model_name}_id"
    goals = model.goals.through.objects.filter(**{f"{column}__in": ids}, goal__cycle=ctx.cycle)
    goals = goals.exclude(goal__status=Goal.Status.DROPPED)
    initiatives = model.initiatives.through.objects.filter(
        **{f"{column}__in": ids}, initiative__cycle=ctx.cycle
    ).exclude(initiative__status=Initiative.Status.STOPPED)
    return {*goals.values_list(column, flat=True), *initiatives.values_list(column, flat=True)}


def cycle_goals(ctx: RuleContext) -> list[Goal]:
    """The cycle's goals that still count (dropped ones do not), with owner, unit and KPI."""

    def load():
        qs = Goal.objects.for_org(ctx.organization).filter(cycle=ctx.cycle)
        qs = qs.exclude(status=Goal.Status.DROPPED)
        # Prefetched, not joined: a few hundred owners, units and KPIs built once each, instead
        # of four related objects built for every one of thousands of goals.
        qs = qs.prefetch_related("owner__user", "org_unit", "kpi")
        return list(qs.order_by("id"))

    return cached(ctx, "goals", load)


def units(ctx: RuleContext) -> dict[int, dict]:
    """{unit id: {"id", "name", "leader_id"}} of the organization."""

    def load():
        rows = OrgUnit.objects.for_org(ctx.organization).values("id", "name", "leader_id")
        return {row["id"]: row for row in rows}

    return cached(ctx, "units", load)


def governing_models(ctx: RuleContext) -> list[GoverningModel]:
    def load():
        qs = GoverningModel.objects.for_org(ctx.organization).select_related("owner__user")
        return list(qs.order_by("id"))

    return cached(ctx, "models", load)


def cx_sponsor(ctx: RuleContext) -> tuple[int | None, str]:
    """The CX model's owner (its executive sponsor): who answers for company-wide CX flags."""
    for model in governing_models(ctx):
        if model.kind == GoverningModel.Kind.CX and model.owner_id:
            return model.owner_id, model.owner.display_name
    return None, ""


def unit_leader(ctx: RuleContext, unit_id: int | None) -> tuple[int | None, str]:
    unit = units(ctx).get(unit_id) if unit_id else None
    leader_id = unit["leader_id"] if unit else None
    return leader_id, ctx.member_label(leader_id)


def unit_name(ctx: RuleContext, unit_id: int | None) -> str:
    unit = units(ctx).get(unit_id) if unit_id else None
    return unit["name"] if unit else ""


def person(member) -> str:
    """A membership's name, also when it is no longer active (None: "nobody")."""
    return member.display_name if member is not None else "nobody"


def cascade_url(ctx: RuleContext, **params) -> str:
    query = urlencode({"cycle": ctx.cycle.id, **params})
    return f"{ctx.url('strategy:cascade')}?{query}"


def goal_subject(ctx: RuleContext, goal: Goal) -> Subject:
    return Subject("goal", goal.id, goal.title, ctx.url("strategy:goal_detail", goal.id))


def goal_label(goal: Goal) -> str:
    """'Goal “Title” (Unit)', the way titles name a goal."""
    unit = f" ({goal.org_unit.name})" if goal.org_unit_id else ""
    return f"Goal “{goal.title}”{unit}"


def touchpoint_figures(ctx: RuleContext) -> dict[int, tuple[str, dict]]:
    """{touchpoint id: (name, figures)} for the figures' touchpoints that resolved to one."""
    rows = (ctx.figures.get("touchpoints") or {}).items()
    return {f["touchpoint_id"]: (name, f) for name, f in rows if f.get("touchpoint_id")}


def nps_fell(figures: dict) -> bool:
    change = figures.get("change_points")
    return bool(figures.get("significant")) and change is not None and change < 0


def goal_wants(goal: Goal) -> int:
    """+1 when the goal wants its KPI up, -1 down (target vs baseline, else the KPI's own)."""
    if goal.target is not None and goal.baseline is not None and goal.target != goal.baseline:
        return 1 if goal.target > goal.baseline else -1
    return 1 if goal.kpi.direction == "up" else -1


def unit_subject(ctx: RuleContext, unit_id: int, name: str) -> Subject:
    return Subject("unit", unit_id, name, cascade_url(ctx, unit=unit_id))


def member_subject(ctx: RuleContext, member_id: int, name: str) -> Subject:
    return Subject("member", member_id, name, cascade_url(ctx, owner=member_id))


def delta_label(value: float) -> str:
    """A signed number for titles (rounded here only: evidence keeps it whole)."""
    return f"{value:+.1f}"
