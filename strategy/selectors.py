"""Reads of the strategy app. Every list reads a fixed number of queries whatever its size."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, Prefetch
from django.utils import timezone

from cxalign.orgs.models import Membership, Organization, OrgUnit
from cxalign.orgs.params import parse_id
from cxalign.orgs.roles import Role
from kpis.metrics import share
from kpis.models import Measurement
from kpis.selectors import kpi_latest
from strategy import rules
from strategy.models import (
    Capability,
    CheckIn,
    Commitment,
    Confidence,
    Cycle,
    Decision,
    Goal,
    GoalImport,
    GoverningModel,
    Initiative,
    KeyChoice,
    KPIEffect,
    Leg,
)
from strategy.rollup import ROLLUP_FIELDS, Progress, rollup

# A goal whose last check-in is older than this is due for a new one.
CHECKIN_DUE_AFTER = datetime.timedelta(days=30)
TREE_NODE_LIMIT = 400
TEAM_LIMIT = 100


# ---------------------------------------------------------------- cycles


def cycle_list(*, organization: Organization) -> list[Cycle]:
    return list(
        Cycle.objects.for_org(organization)
        .annotate(goal_count=Count("goals"))
        .order_by("-starts_on")
    )


def goal_import_list(*, organization: Organization):
    """Cascade uploads, newest first (the summary, which can be large, is not read)."""
    return (
        GoalImport.objects.for_org(organization)
        .select_related("cycle", "created_by__user")
        .defer("summary")
        .order_by("-created_at", "-id")
    )


def cycle_pick(*, cycles: list[Cycle], cycle_id=None) -> Cycle | None:
    """The cycle asked for, else the active one, else the one being prepared, else the latest."""
    if cycle_id not in (None, ""):
        try:
            wanted = int(cycle_id)
        except (TypeError, ValueError):
            wanted = None
        for cycle in cycles:
            if cycle.id == wanted:
                return cycle
    for status in (Cycle.Status.ACTIVE, Cycle.Status.PREPARING):
        for cycle in cycles:
            if cycle.status == status:
                return cycle
    return cycles[0] if cycles else None


# ---------------------------------------------------------------- the cascade


def cascade_progress(*, cycle: Cycle) -> dict[int, Progress]:
    """Own and rolled-up progress of every goal of the cycle: one query, one linear pass."""
    return rollup(Goal.objects.filter(cycle=cycle).values(*ROLLUP_FIELDS))


# Filter values that name a group of statuses or confidences (the summary tiles link to them).
STATUS_LIVE = "live"  # any status but dropped: what the cascade's counts count
CONFIDENCE_ATTENTION = "attention"  # at risk or off track
CONFIDENCE_NONE = "none"  # no check-in yet
STATUS_CHOICES = [(STATUS_LIVE, "Any but dropped"), *Goal.Status.choices]
CONFIDENCE_CHOICES = [
    *Confidence.choices,
    (CONFIDENCE_ATTENTION, "At risk or off track"),
    (CONFIDENCE_NONE, "No check-in yet"),
]
CONFIDENCE_GROUPS = {
    CONFIDENCE_ATTENTION: {Confidence.AT_RISK, Confidence.OFF_TRACK},
    CONFIDENCE_NONE: {""},
    **{value: {value} for value in Confidence.values},
}


@dataclass
class CascadeFilters:
    unit: int | None = None
    leg: str = ""
    owner: int | None = None
    status: str = ""
    confidence: str = ""
    level: int | None = None  # 1 = corporate goals

    @classmethod
    def from_query(cls, params) -> "CascadeFilters":
        def as_int(name):
            return parse_id(params.get(name))

        def choice(name, choices):
            value = params.get(name, "")
            return value if value in dict(choices) else ""

        return cls(
            unit=as_int("unit"),
            leg=choice("leg", Leg.choices),
            owner=as_int("owner"),
            status=choice("status", STATUS_CHOICES),
            confidence=choice("confidence", CONFIDENCE_CHOICES),
            level=as_int("level"),
        )

    @property
    def active(self) -> bool:
        return bool(
            self.unit or self.leg or self.owner or self.status or self.confidence or self.level
        )

    def matches(self, row: dict, *, units: set[int] | None, level: int) -> bool:
        """Whether one goal row (see `_cascade_rows`) at cascade `level` passes every filter."""
        if units is not None and row["org_unit_id"] not in units:
            return False
        if self.leg and row["leg"] != self.leg:
            return False
        if self.owner and row["owner_id"] != self.owner:
            return False
        if self.status == STATUS_LIVE:
            if row["status"] == Goal.Status.DROPPED:
                return False
        elif self.status and row["status"] != self.status:
            return False
        if self.confidence and row["confidence"] not in CONFIDENCE_GROUPS[self.confidence]:
            return False
        return not self.level or level == self.level


@dataclass
class Node:
    goal: Goal
    progress: Progress
    depth: int
    matched: bool = True
    children: list["Node"] = field(default_factory=list)
    lazy: bool = False  # has children that are loaded on demand

    @property
    def rollup_differs(self) -> bool:
        p = self.progress
        return p.own is not None and p.rollup is not None and abs(p.own - p.rollup) >= 0.005


@dataclass
class Cascade:
    roots: list[Node]
    total: int
    matched: int
    shown: int
    truncated: bool
    summary: dict


def _cascade_rows(cycle: Cycle) -> list[dict]:
    return list(
        Goal.objects.filter(cycle=cycle)
        .values(*ROLLUP_FIELDS, "key", "owner_id", "org_unit_id", "leg", "confidence")
        .order_by("key", "id")
    )


def cascade_tree(
    *,
    cycle: Cycle,
    filters: CascadeFilters | None = None,
    root_id: int | None = None,
    depth: int = 2,
    limit: int = TREE_NODE_LIMIT,
) -> Cascade:
    """The cascade as nested nodes, in three queries whatever its size.

    Without filters it shows `depth` levels below `root_id` (or the corporate goals) and marks
    deeper nodes `lazy` (the page loads them with htmx). With filters it shows each matching goal
    with its chain of parents, fully expanded, at most `limit` matches.
    """
    filters = filters or CascadeFilters()
    rows = _cascade_rows(cycle)
    progress = rollup(rows)
    by_id = {r["id"]: r for r in rows}
    children: dict[int | None, list[int]] = {}
    for row in rows:
        parent = row["parent_id"] if row["parent_id"] in by_id else None
        children.setdefault(parent, []).append(row["id"])
    matched: set[int] | None = None  # None: no filters, every goal counts as matched
    truncated = False
    if filters.active:
        matched, truncated = _cascade_matches(rows, filters, cycle, limit)
        visible = _with_parents(matched, by_id)
        start = children.get(None, [])
    else:
        start = children.get(root_id, []) if root_id else children.get(None, [])
        visible = _levels_below(start, children, depth, limit)
    goals = Goal.objects.filter(id__in=visible).for_tree().in_bulk() if visible else {}
    tree = _TreeParts(goals=goals, progress=progress, children=children, visible=visible)
    roots = [n for n in (tree.node(gid, 0, matched) for gid in start) if n is not None]
    return Cascade(
        roots=roots,
        total=len(rows),
        matched=len(rows) if matched is None else len(matched),
        shown=len(visible),
        truncated=truncated,
        summary=cascade_summary(rows, progress),
    )


def _cascade_matches(rows, filters: CascadeFilters, cycle: Cycle, limit: int):
    """Ids of the goals the filters match (at most `limit`) and whether that cut the list."""
    units = (
        rules.unit_subtree(unit_id=filters.unit, organization=cycle.organization)
        if filters.unit
        else None
    )
    levels = cascade_levels(rows)
    matched: set[int] = set()
    for row in rows:
        if not filters.matches(row, units=units, level=levels[row["id"]]):
            continue
        matched.add(row["id"])
        if len(matched) >= limit:
            return matched, True
    return matched, False


def _with_parents(ids: set[int], by_id: dict[int, dict]) -> set[int]:
    """The goals and every goal above them, up to the top."""
    visible = set(ids)
    for gid in ids:
        parent = by_id[gid]["parent_id"]
        while parent is not None and parent in by_id and parent not in visible:
            visible.add(parent)
            parent = by_id[parent]["parent_id"]
    return visible


def _levels_below(start: list[int], children, depth: int, limit: int) -> set[int]:
    """`depth` levels from `start` down, stopping before a level that would pass `limit`."""
    visible, frontier, level = set(), list(start), 0
    while frontier and level < depth:
        if len(visible) + len(frontier) > limit and level > 0:
            break
        visible.update(frontier)
        frontier = [c for gid in frontier for c in children.get(gid, [])]
        level += 1
    return visible


@dataclass
class _TreeParts:
    goals: dict[int, Goal]
    progress: dict[int, Progress]
    children: dict[int | None, list[int]]
    visible: set[int]

    def _leaf(self, gid: int, level: int, matched: set[int] | None) -> Node:
        return Node(
            goal=self.goals[gid],
            progress=self.progress.get(gid, Progress(None, None, 0)),
            depth=level,
            matched=matched is None or gid in matched,
        )

    def node(self, gid: int, level: int, matched: set[int] | None) -> Node | None:
        """The visible subtree under goal `gid` (without recursion: trees may be deep)."""
        if gid not in self.visible:
            return None
        root = self._leaf(gid, level, matched)
        stack = [(root, gid, level)]
        while stack:
            parent_node, pid, lvl = stack.pop()
            kids = [k for k in self.children.get(pid, []) if k in self.visible]
            if not kids and self.children.get(pid):
                parent_node.lazy = True
            for kid in kids:
                child = self._leaf(kid, lvl + 1, matched)
                parent_node.children.append(child)
                stack.append((child, kid, lvl + 1))
        return root


def cascade_levels(rows: list[dict]) -> dict[int, int]:
    """Each goal's level in the cascade (1 = corporate), from rows already read."""
    parent_of = {r["id"]: r["parent_id"] for r in rows}
    levels: dict[int, int] = {}
    for r in rows:
        level, parent, hops = 1, r["parent_id"], 0
        while parent is not None and parent in parent_of and hops < 50:
            level, parent, hops = level + 1, parent_of[parent], hops + 1
        levels[r["id"]] = level
    return levels


def cascade_summary(rows: list[dict], progress: dict[int, Progress]) -> dict:
    """Headline numbers of a cycle's cascade, from rows already read.

    Each count is what one filter of the cascade lists (`links`), so a tile opens its goals:
    goals and corporate progress count every goal but dropped ones; confidence and missing
    check-ins count the goals in progress.
    """
    live = [r for r in rows if r["status"] != Goal.Status.DROPPED]
    active = [r for r in live if r["status"] == Goal.Status.ACTIVE]
    tops = [progress[r["id"]].effective for r in live if r["parent_id"] is None]
    tops = [t for t in tops if t is not None]
    confidence = {c: sum(1 for r in active if r["confidence"] == c) for c in Confidence.values}
    no_checkin = sum(1 for r in active if not r["confidence"])
    level_counts: dict[int, int] = {}
    for level in cascade_levels(rows).values():
        level_counts[level] = level_counts.get(level, 0) + 1
    return {
        "goals": len(live),
        "active": len(active),
        "corporate_progress": sum(tops) / len(tops) if tops else None,
        "corporate_measured": len(tops),
        "confidence": confidence,
        "attention": confidence[Confidence.AT_RISK] + confidence[Confidence.OFF_TRACK],
        "no_checkin": no_checkin,
        "no_checkin_share": share(no_checkin, len(active)),
        "levels": len(level_counts),
        "level_counts": dict(sorted(level_counts.items())),
        "legs": {leg: sum(1 for r in live if r["leg"] == leg) for leg in Leg.values},
        "links": {
            "goals": {"status": STATUS_LIVE},
            "corporate": {"status": STATUS_LIVE, "level": 1},
            "attention": {"status": Goal.Status.ACTIVE, "confidence": CONFIDENCE_ATTENTION},
            "no_checkin": {"status": Goal.Status.ACTIVE, "confidence": CONFIDENCE_NONE},
        },
    }


def cascade_filter_choices(*, organization: Organization) -> dict:
    """The unit and owner choices of the cascade's filters (two small queries)."""
    return {
        "units": list(OrgUnit.objects.for_org(organization).only("id", "name").order_by("name")),
        "owners": list(
            Membership.objects.for_org(organization)
            .filter(
                is_active=True, role__in=[Role.MANAGER, Role.CX_LEAD, Role.EXECUTIVE, Role.ADMIN]
            )
            .select_related("user")
            .order_by("user__first_name", "user__username")
        ),
        "legs": Leg.choices,
        "statuses": STATUS_CHOICES,
        "confidences": CONFIDENCE_CHOICES,
    }


# ---------------------------------------------------------------- goals and check-ins


def goal_detail(*, goal_id: int, organization: Organization) -> Goal:
    return (
        Goal.objects.for_org(organization)
        .select_related(
            "cycle", "owner__user", "org_unit", "kpi", "parent__owner__user", "carried_from__cycle"
        )
        .get(pk=goal_id)
    )


def goals_measured(*, goals: list[Goal]) -> dict[int, Measurement]:
    """For each goal with a KPI target, the KPI's latest company-wide measurement (measured by
    the engine, entered or imported), by goal id; one query for any number of goals."""
    targets = [g for g in goals if g.measure == Goal.Measure.KPI and g.kpi_id]
    if not targets:
        return {}
    latest = kpi_latest(
        organization=targets[0].organization_id, kpi_ids={g.kpi_id for g in targets}
    )
    return {g.id: latest[g.kpi_id] for g in targets if g.kpi_id in latest}


def goal_children(*, goal: Goal) -> list[Goal]:
    return list(goal.children.select_related("owner__user", "org_unit").order_by("key", "id"))


def checkin_history(*, goal: Goal, limit: int = 100) -> list[CheckIn]:
    return list(goal.checkins.select_related("author__user").order_by("-created_at")[:limit])


def checkin_due(goal: Goal, now=None) -> bool:
    """An unfinished goal with no check-in, or none in the last 30 days."""
    if goal.status != Goal.Status.ACTIVE:
        return False
    now = now or timezone.now()
    return goal.last_checkin_at is None or now - goal.last_checkin_at > CHECKIN_DUE_AFTER


def _weight_under(rows: list[dict]) -> dict[int | None, float]:
    """{parent id: the summed weight of its goals that still count}."""
    under: dict[int | None, float] = {}
    for r in rows:
        if r["status"] != Goal.Status.DROPPED:
            under[r["parent_id"]] = under.get(r["parent_id"], 0.0) + float(r["weight"])
    return under


def _own_goals(*, member: Membership, cycle: Cycle) -> list[Goal]:
    recent = CheckIn.objects.select_related("author__user").order_by("-created_at")
    return list(
        Goal.objects.filter(cycle=cycle, owner=member)
        .select_related("parent__owner__user", "org_unit", "kpi")
        .prefetch_related(Prefetch("checkins", queryset=recent, to_attr="recent_checkins"))
        .order_by("key", "id")
    )


def _team(*, member: Membership, cycle: Cycle, progress: dict, now) -> list[dict]:
    """The active goals of the people below `member`, least recently checked in first."""
    below = rules.reports_below(member_id=member.id, organization=member.organization)
    if not below:
        return []
    team_goals = (
        Goal.objects.filter(cycle=cycle, owner_id__in=below, status=Goal.Status.ACTIVE)
        .select_related("owner__user", "owner__unit", "parent")
        .order_by(F("last_checkin_at").asc(nulls_first=True), "key")[:TEAM_LIMIT]
    )
    return [
        {"goal": g, "progress": progress.get(g.id, Progress(None, None, 0)),
         "due": checkin_due(g, now)}
        for g in team_goals
    ]  # fmt: skip


def my_goals(*, member: Membership, cycle: Cycle) -> dict:
    """What `member` owes a check-in on, and how each of their goals feeds the one above."""
    rows = list(Goal.objects.filter(cycle=cycle).values(*ROLLUP_FIELDS))
    progress = rollup(rows)
    weight_under = _weight_under(rows)
    goals = _own_goals(member=member, cycle=cycle)
    now = timezone.now()
    measured = goals_measured(goals=goals)
    items = []
    for goal in goals:
        parent = goal.parent
        share = None
        if parent is not None and weight_under.get(parent.id):
            share = float(goal.weight) / weight_under[parent.id]
        items.append(
            {
                "goal": goal,
                "progress": progress.get(goal.id, Progress(None, None, 0)),
                "parent_progress": progress.get(parent.id) if parent else None,
                "share": share,
                "due": checkin_due(goal, now),
                "last": goal.recent_checkins[0] if goal.recent_checkins else None,
                "measured": measured.get(goal.id),
                "checkins": goal.recent_checkins[:5],
            }
        )
    team = _team(member=member, cycle=cycle, progress=progress, now=now)
    return {
        "items": items,
        "due": [i for i in items if i["due"]],
        "done": [i for i in items if not i["due"]],
        "team": team,
        "team_due": sum(1 for t in team if t["due"]),
        "team_groups": team_groups(team),
        "team_limited": len(team) >= TEAM_LIMIT,
    }


def team_groups(team: list[dict]) -> list[dict]:
    """The team's goals grouped by owner, owners with the most goals due first, so a long
    team list folds into one line per person."""
    groups: dict[int, dict] = {}
    for item in team:
        owner = item["goal"].owner
        group = groups.setdefault(
            owner.id, {"owner": owner, "items": [], "due": 0, "attention": 0, "no_checkin": 0}
        )
        group["items"].append(item)
        group["due"] += item["due"]
        group["attention"] += item["goal"].confidence in (Confidence.AT_RISK, Confidence.OFF_TRACK)
        group["no_checkin"] += not item["goal"].confidence
    return sorted(groups.values(), key=lambda g: (-g["due"], g["owner"].display_name.lower()))


# ---------------------------------------------------------------- governing models and the rest


def governing_model_board(*, organization: Organization, today=None) -> list[dict]:
    """The five models side by side with their choices, owner and review state (2 queries)."""
    today = today or timezone.localdate()
    models = {
        m.kind: m
        for m in GoverningModel.objects.for_org(organization)
        .select_related("owner__user")
        .prefetch_related(
            Prefetch(
                "choices",
                queryset=KeyChoice.objects.select_related("kpi").order_by("position", "id"),
            )
        )
    }
    board = []
    for kind, label in GoverningModel.Kind.choices:
        model = models.get(kind)
        board.append(
            {
                "kind": kind,
                "label": label,
                "model": model,
                "choices": list(model.choices.all()) if model else [],
                "overdue": model.is_overdue(today) if model else True,
                "next_review": model.next_review_on if model else None,
            }
        )
    return board


def commitment_board(*, cycle: Cycle) -> dict:
    """Each executive with their commitment in the cycle, or the lack of one (2 queries)."""
    executives = list(
        Membership.objects.for_org(cycle.organization)
        .filter(is_active=True, role=Role.EXECUTIVE)
        .select_related("user", "unit")
        .order_by("user__first_name", "user__username")
    )
    commitments = {
        c.executive_id: c for c in Commitment.objects.filter(cycle=cycle).select_related("goal")
    }
    rows = [{"executive": e, "commitment": commitments.get(e.id)} for e in executives]
    return {
        "rows": rows,
        "have": sum(1 for r in rows if r["commitment"]),
        "missing": [r["executive"] for r in rows if not r["commitment"]],
    }


def cx_corporate_goals(*, cycle: Cycle) -> list[Goal]:
    return list(
        Goal.objects.filter(cycle=cycle, parent__isnull=True, leg=Leg.CX).order_by("key", "id")
    )


def initiative_list(
    *, organization: Organization, cycle: Cycle | None = None, unit=None, status=""
):
    qs = (
        Initiative.objects.for_org(organization)
        .select_related("org_unit", "owner__user", "cycle")
        .prefetch_related(
            Prefetch(
                "effects",
                queryset=KPIEffect.objects.select_related("kpi", "affected_unit"),
            ),
            Prefetch("goals", queryset=Goal.objects.only("id", "key", "title")),
        )
        .order_by("-starts_on", "name")
    )
    if cycle is not None:
        qs = qs.filter(cycle=cycle)
    if unit:
        qs = qs.filter(org_unit_id=unit)
    if status:
        qs = qs.filter(status=status)
    return qs


def initiative_detail(*, organization: Organization, pk: int) -> Initiative:
    return initiative_list(organization=organization).get(pk=pk)


def decision_list(*, organization: Organization, view: str = ""):
    qs = (
        Decision.objects.for_org(organization)
        .select_related("decided_by__user", "override_by__user", "cycle")
        .prefetch_related(
            Prefetch("goals", queryset=Goal.objects.only("id", "key", "title")),
            Prefetch("initiatives", queryset=Initiative.objects.only("id", "name")),
        )
    )
    if view:
        qs = qs.filter(customer_view=view)
    return qs


def capability_list(*, organization: Organization):
    return Capability.objects.for_org(organization).select_related("owner__user", "org_unit")
