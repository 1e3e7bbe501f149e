"""Progress of the cascade: a goal's own measure and the weighted roll-up of its children.

Pure functions over plain rows (no database), so the roll-up of a whole cycle is one
`.values()` query plus a linear pass in Python: about 10 ms for 5,000 goals. Computing it on
read (instead of storing it) means a check-in can never leave a stale roll-up behind.
"""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Progress:
    own: float | None  # from the goal's own check-ins (KPI value or milestone progress)
    rollup: float | None  # weighted from its contributing goals; None without any
    children: int  # number of contributing goals

    @property
    def effective(self) -> float | None:
        """What the goal counts as: its own measure where it has one, else the roll-up."""
        return self.own if self.own is not None else self.rollup


def kpi_progress(*, baseline, target, value) -> float | None:
    """How far `value` has moved from `baseline` to `target` (0..1; either direction)."""
    if value is None or baseline is None or target is None or target == baseline:
        return None
    share = (Decimal(value) - Decimal(baseline)) / (Decimal(target) - Decimal(baseline))
    return float(min(Decimal(1), max(Decimal(0), share)))


ROLLUP_FIELDS = ("id", "parent_id", "weight", "progress", "status", "measure")


def clear_stale_progress(goal) -> None:
    """After a change of measure: only a KPI target keeps a current value, and a goal that is
    not measurable yet or rolls up has no progress of its own."""
    if goal.measure != "kpi":
        goal.current_value = None
    if goal.measure in ("rollup", "none"):
        goal.progress = None


def rollup(rows) -> dict[int, Progress]:
    """Roll progress up the cascade. `rows`: dicts with ROLLUP_FIELDS, one per goal of a cycle.

    A parent's roll-up is the weighted mean of its children's effective progress; a child with
    no progress yet counts as 0 once any sibling has some. Dropped goals do not count; achieved
    goals count as done. A goal "not measurable yet" (measure none) has no progress of its own
    and, unless its own children give it a roll-up, is left out of its parent's mean instead of
    counting as 0. Iterative, so a deep cascade cannot hit the recursion limit.
    """
    own: dict[int, float | None] = {}
    unmeasured: set[int] = set()
    weight: dict[int, float] = {}
    children: dict[int, list[int]] = {}
    parent_of: dict[int, int | None] = {}
    for row in rows:
        gid = row["id"]
        status = row.get("status")
        if status == "dropped":
            continue
        value = row["progress"]
        if row.get("measure") == "none":
            unmeasured.add(gid)
            value = None
        own[gid] = 1.0 if status == "achieved" else (None if value is None else float(value))
        weight[gid] = float(row["weight"] or 1)
        parent_of[gid] = row["parent_id"]
    for gid, parent in parent_of.items():
        if parent is not None and parent in parent_of:
            children.setdefault(parent, []).append(gid)

    # Children before parents: reverse of a breadth-first order from the roots.
    order: list[int] = [g for g, p in parent_of.items() if p is None or p not in parent_of]
    seen = set(order)
    i = 0
    while i < len(order):
        for child in children.get(order[i], ()):
            if child not in seen:
                seen.add(child)
                order.append(child)
        i += 1

    result: dict[int, Progress] = {}
    for gid in reversed(order):
        kids = children.get(gid, ())
        rolled = None
        if kids:
            values = [
                (result[k].effective, weight[k])
                for k in kids
                if k in result and not (k in unmeasured and result[k].effective is None)
            ]
            if any(v is not None for v, _ in values):
                total = sum(w for _, w in values)
                rolled = sum((v or 0.0) * w for v, w in values) / total if total else None
        result[gid] = Progress(own=own[gid], rollup=rolled, children=len(kids))
    return result
