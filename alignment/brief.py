# ruff: noqa: S608 -- table and column names come from constants, never from input.
"""The planning brief: one page per cycle an executive takes into the planning meeting.

It is built from one finished run: the money links, themes and customers' words come from
that run's stored results and period, so `?run=ID` reproduces an older brief from the same
figures. Flags are those the run raised (first raised at or before it, still raised by it).
Readiness and decisions are the state of today, and the brief says so.
"""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from alignment.engine.figures import ALL
from alignment.models import Flag, Run
from alignment.readiness import readiness
from cxalign.orgs.models import Organization
from feedback.themeids import unnest_sql
from strategy.models import Cycle, Decision, Goal, Leg
from strategy.selectors import cascade_progress

TOP_FLAGS = 5
THEMES_SHOWN = 4
COMMENTS_PER_THEME = 3
DECISIONS_SHOWN = 8
RECENT_DECISION_DAYS = 90
CASCADE_CHILDREN_SHOWN = 8


@dataclass
class Brief:
    organization: Organization
    cycle: Cycle | None
    run: Run | None
    generated_at: datetime.datetime
    cx_goals: list[dict]
    segments: list[dict]
    value_of_moving: dict
    flags: list[Flag]
    themes: list[dict]
    decisions: list[Decision]
    readiness: object | None

    @property
    def empty(self) -> bool:
        return self.cycle is None


def brief_build(
    *, organization: Organization, cycle: Cycle | None, run: Run | None, now=None
) -> Brief:
    """The brief of `cycle` from `run` (the cycle's latest finished run, or an older one)."""
    now = now or timezone.now()
    if cycle is None:
        return Brief(organization, None, None, now, [], [], {}, [], [], [], None)
    results = run.results if run else {}
    return Brief(
        organization=organization,
        cycle=cycle,
        run=run,
        generated_at=now,
        cx_goals=cx_cascade(cycle=cycle),
        segments=money_links(results),
        value_of_moving=results.get("value_of_moving") or {},
        flags=top_flags(cycle=cycle, run=run),
        themes=theme_voices(organization=organization, run=run),
        decisions=decisions_awaiting(cycle=cycle, today=timezone.localdate(now)),
        readiness=readiness(cycle=cycle, run=run, today=timezone.localdate(now)),
    )


def cx_cascade(*, cycle: Cycle) -> list[dict]:
    """The corporate CX goals with the two levels below them (two queries)."""
    progress = cascade_progress(cycle=cycle)
    rows = list(Goal.objects.filter(cycle=cycle).values("id", "parent_id", "leg", "key"))
    children: dict[int, list[int]] = {}
    for row in sorted(rows, key=lambda r: (r["key"], r["id"])):
        children.setdefault(row["parent_id"], []).append(row["id"])
    roots = [r["id"] for r in rows if r["parent_id"] is None and r["leg"] == Leg.CX]
    wanted = set(roots)
    for root in roots:
        for child in children.get(root, []):
            wanted.add(child)
            wanted.update(children.get(child, []))
    goals = Goal.objects.filter(id__in=wanted).for_tree().in_bulk() if wanted else {}

    def node(gid: int, depth: int) -> dict:
        kids = children.get(gid, []) if depth < 2 else []
        return {
            "goal": goals[gid],
            "progress": progress.get(gid),
            "children": [node(k, depth + 1) for k in kids[:CASCADE_CHILDREN_SHOWN]],
            "more": max(0, len(kids) - CASCADE_CHILDREN_SHOWN),
        }

    return [node(r, 0) for r in sorted(roots, key=lambda g: (goals[g].key, g))]


def money_links(results: dict) -> list[dict]:
    """Per segment (company first): NPS with its interval, churn and CLV by class, revenue at
    risk and the value of moving detractors, read from the run's stored results."""
    nps, links = results.get("nps") or {}, results.get("links") or {}
    moving = (results.get("value_of_moving") or {}).get("segments") or {}
    names = [ALL] + sorted(n for n in links if n != ALL) if links else []
    rows = []
    for name in names:
        score = nps.get(name) or {}
        current = (links.get(name) or {}).get("current") or {}
        classes = {cls: current.get(cls) or {} for cls in ("promoters", "passives", "detractors")}
        rows.append(
            {
                "name": "Company" if name == ALL else name,
                "company": name == ALL,
                "nps": score.get("current") or {},
                "change": score.get("change_points"),
                "significant": bool(score.get("significant")),
                "customers": current.get("customers"),
                "classes": classes,
                "churn_ratio": current.get("churn_ratio_detractors_to_promoters"),
                "revenue_at_risk": current.get("revenue_at_risk"),
                "moving": moving.get(name) if name != ALL else None,
            }
        )
    return rows


def top_flags(*, cycle: Cycle, run: Run | None, limit: int = TOP_FLAGS) -> list[Flag]:
    """The most severe unresolved flags the run raised, largest first, with their owners."""
    qs = Flag.objects.for_org(cycle.organization).filter(cycle=cycle)
    if run is not None:
        # Raised by this run: first raised at or before it and still raised by it or later.
        qs = qs.filter(Q(first_run_id__lte=run.id) | Q(first_run__isnull=True))
        qs = qs.filter(last_run_id__gte=run.id)
        qs = qs.filter(Q(resolved_at__isnull=True) | Q(resolved_at__gt=run.finished_at))
    else:
        qs = qs.unresolved()
    flags = list(qs.select_related("owner__user", "unit"))
    flags.sort(key=lambda f: (Flag.SEVERITY_ORDER.get(f.severity, 9), -f.magnitude, f.id))
    return flags[:limit]


def rising_themes(results: dict) -> list[dict]:
    """Rising themes by how fast their share grew; without any, the fastest-growing ones."""
    themes = [
        {"name": name, **entry}
        for name, entry in (results.get("themes") or {}).items()
        if entry.get("theme_id") is not None
    ]
    ratio = lambda t: t.get("share_ratio_current_to_previous") or 0.0  # noqa: E731
    rising = sorted((t for t in themes if t.get("rising")), key=ratio, reverse=True)
    if rising:
        return rising[:THEMES_SHOWN]
    growing = sorted((t for t in themes if ratio(t) > 1), key=ratio, reverse=True)
    return [{**t, "growing_only": True} for t in growing[:THEMES_SHOWN]]


def theme_voices(*, organization: Organization, run: Run | None) -> list[dict]:
    """Rising themes of the run with three verbatim comments each, read in ONE query."""
    if run is None:
        return []
    themes = rising_themes(run.results or {})
    comments = theme_comments(
        organization=organization,
        theme_ids=[t["theme_id"] for t in themes],
        first=run.current_first,
        last=run.current_last,
    )
    return [{**t, "comments": comments.get(t["theme_id"], [])} for t in themes]


def theme_comments(
    *,
    organization: Organization,
    theme_ids: list[int],
    first: datetime.date,
    last: datetime.date,
    per_theme: int = COMMENTS_PER_THEME,
) -> dict[int, list[dict]]:
    """Up to `per_theme` comments per theme from the period (latest first): one window query."""
    if not theme_ids:
        return {}
    tz = zoneinfo.ZoneInfo(organization.time_zone)
    start = datetime.datetime.combine(first, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    tags, theme = unnest_sql("r")
    marks = ", ".join(["%s"] * len(theme_ids))
    sql = (
        f"SELECT theme_id, comment, nps, segment, responded_at FROM ("
        f"SELECT {theme} AS theme_id, r.comment, r.nps, r.segment, r.responded_at, "
        f"ROW_NUMBER() OVER (PARTITION BY {theme} ORDER BY r.responded_at DESC, r.id DESC) AS rn "
        f"FROM feedback_response r {tags} "
        f"WHERE r.organization_id = %s AND r.comment <> '' "
        f"AND r.responded_at >= %s AND r.responded_at < %s AND {theme} IN ({marks})"
        f") ranked WHERE rn <= %s ORDER BY theme_id, rn"
    )
    params = [organization.id, start, end, *[int(t) for t in theme_ids], per_theme]
    found: dict[int, list[dict]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for theme_id, comment, nps, segment, responded_at in cursor.fetchall():
            found.setdefault(int(theme_id), []).append(
                {"comment": comment, "nps": nps, "segment": segment, "responded_at": responded_at}
            )
    return found


def decisions_awaiting(*, cycle: Cycle, today: datetime.date) -> list[Decision]:
    """Decisions customers would disapprove of: unmitigated and not overridden first, then the
    recent ones (with their mitigation or override), of this cycle or of no cycle."""
    since = today - datetime.timedelta(days=RECENT_DECISION_DAYS)
    unanswered = Q(mitigation="", override=False)
    qs = (
        Decision.objects.for_org(cycle.organization)
        .filter(Q(cycle=cycle) | Q(cycle__isnull=True))
        .filter(customer_view=Decision.CustomerView.DISAPPROVE)
        .filter(unanswered | Q(decided_on__gte=since))
        .select_related("decided_by__user", "override_by__user")
        .order_by("-decided_on", "-id")
    )
    decisions = list(qs[: DECISIONS_SHOWN * 4])
    for d in decisions:
        d.awaiting = not (d.mitigation or "").strip() and not d.override
    decisions.sort(key=lambda d: (not d.awaiting, -d.decided_on.toordinal(), -d.id))
    return decisions[:DECISIONS_SHOWN]
