"""What a manager opens on Monday: my goals and what they feed, my legs of stewardship, the
check-ins I owe, the flags on my unit and my goals, and my unit's touchpoints (read from the
latest run). Seven queries whatever the size of the company."""

from django.db import connection
from django.db.models import Q

from alignment.escalation import checkins_owed
from alignment.models import Flag, Run
from cxalign.orgs.models import Membership
from journeys.models import Touchpoint
from strategy.models import Cycle, Goal, Leg
from strategy.rollup import Progress
from strategy.selectors import cascade_progress

FLAG_LIMIT = 50
TOUCHPOINT_LIMIT = 100


def manager_overview(*, member: Membership, cycle: Cycle, run: Run | None, now=None) -> dict:
    """Everything the manager view shows for `member` in `cycle`."""
    progress = cascade_progress(cycle=cycle)
    goals = list(
        Goal.objects.filter(cycle=cycle, owner=member)
        .select_related("parent__owner__user", "org_unit", "kpi")
        .order_by("key", "id")
    )
    owed = checkins_owed(
        organization=member.organization, now=now, owner_ids=[member.id], cycle=cycle
    )
    owed_by_goal = {o.goal.id: o for o in owed}
    none = Progress(None, None, 0)
    items = [
        {
            "goal": g,
            "progress": progress.get(g.id, none),
            "parent_progress": progress.get(g.parent_id) if g.parent_id else None,
            "owed": owed_by_goal.get(g.id),
        }
        for g in goals
    ]
    return {
        "items": items,
        "legs": legs_of(goals),
        "owed": owed,
        "flags": my_flags(member=member, cycle=cycle, goal_ids=[g.id for g in goals]),
        "touchpoints": unit_touchpoints(member=member, run=run),
    }


def legs_of(goals: list[Goal]) -> dict:
    """Count of live goals per stewardship leg, and whether the CX leg is missing."""
    counts = {leg: 0 for leg in Leg.values}
    for goal in goals:
        if goal.status != Goal.Status.DROPPED:
            counts[goal.leg] = counts.get(goal.leg, 0) + 1
    rows = [{"leg": leg, "label": label, "count": counts[leg]} for leg, label in Leg.choices]
    total = sum(counts.values())
    return {"rows": rows, "total": total, "cx_missing": total > 0 and counts[Leg.CX] == 0}


def _goal_subjects(goal_ids: list[int]) -> Q:
    """Flags whose subjects name one of the goals (PostgreSQL: JSON containment, indexed)."""
    q = Q(pk__in=[])
    for gid in goal_ids:
        q |= Q(subjects__contains=[{"type": "goal", "id": gid}])
    return q


def my_flags(*, member: Membership, cycle: Cycle, goal_ids: list[int]) -> list[Flag]:
    """Unresolved flags of the cycle on my unit, owned by me, or pointing at a goal I own."""
    mine = Q(owner=member)
    if member.unit_id:
        mine |= Q(unit_id=member.unit_id)
    postgres = connection.vendor == "postgresql"
    if goal_ids and postgres:
        mine |= _goal_subjects(goal_ids)
    base = Flag.objects.for_org(member.organization).filter(cycle=cycle).unresolved()
    if goal_ids and not postgres:
        # SQLite cannot test JSON containment: read the candidates' subjects once.
        wanted = set(goal_ids)
        ids = [
            pk
            for pk, subjects in base.values_list("id", "subjects")
            if any(s.get("type") == "goal" and s.get("id") in wanted for s in subjects or [])
        ]
        mine |= Q(id__in=ids)
    flags = base.filter(mine).select_related("owner__user", "unit")
    ordered = sorted(
        flags,
        key=lambda f: (
            Flag.SEVERITY_ORDER.get(f.severity, 9),
            f.state != "open",
            -f.magnitude,
            f.id,
        ),
    )
    return ordered[:FLAG_LIMIT]


def unit_touchpoints(*, member: Membership, run: Run | None) -> list[dict]:
    """The touchpoints my unit owns, with their NPS and its change from the run's figures."""
    if not member.unit_id:
        return []
    touchpoints = list(
        Touchpoint.objects.for_org(member.organization)
        .filter(owner_id=member.unit_id)
        .select_related("journey", "stage")
        .order_by("journey__name", "stage__position", "position")[:TOUCHPOINT_LIMIT]
    )
    figures = (run.results or {}).get("touchpoints", {}) if run else {}
    by_id = {f.get("touchpoint_id"): f for f in figures.values() if f.get("touchpoint_id")}
    rows = []
    for tp in touchpoints:
        fig = by_id.get(tp.id) or figures.get(tp.name) or {}
        current = fig.get("current") or {}
        previous = fig.get("previous") or {}
        rows.append(
            {
                "touchpoint": tp,
                "nps": current.get("nps"),
                "responses": current.get("responses") or 0,
                "low": current.get("adjusted_low"),
                "high": current.get("adjusted_high"),
                "previous": previous.get("nps"),
                "change": fig.get("change_points"),
                "significant": bool(fig.get("significant")),
            }
        )
    return rows
