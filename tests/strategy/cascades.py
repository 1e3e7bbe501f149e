"""Cascades of goals at scale for the query-count tests: grown through the factories with check-
ins and initiatives, or written in bulk."""

from decimal import Decimal

from kpis.models import KPI
from strategy import services
from strategy.models import Goal
from tests.factories import (
    CapabilityFactory,
    DecisionFactory,
    GoalFactory,
    InitiativeFactory,
)


def grow(org, cycle, executive, line, n):
    """n more goals under a fresh corporate goal, with check-ins, initiatives and the rest."""
    top = GoalFactory(cycle=cycle, owner=executive, measure=Goal.Measure.ROLLUP)
    goals = [
        GoalFactory(cycle=cycle, parent=top, owner=line["lead"], org_unit=line["desk"])
        for _ in range(n)
    ]
    for goal in goals[:5]:
        services.checkin_log(goal=goal, author=line["lead"], confidence="at_risk",
                             statement="x", progress=Decimal("0.3"))  # fmt: skip
    for _ in range(3):
        initiative = InitiativeFactory(cycle=cycle, org_unit=line["desk"])
        initiative.goals.set(goals[:3])
        DecisionFactory(organization=org).goals.set(goals[:2])
        CapabilityFactory(organization=org)
    KPI.objects.create(organization=org, key=f"k{n}", name=f"K {n}", unit="%")


def bulk_cascade(cycle, owner, total: int) -> None:
    """`total` goals on four levels, written in bulk (no history), like bench/cascade.py."""
    shape = [5, 50, 500, total - 555]
    parents = [None]
    for level, count in enumerate(shape):
        rows = [
            Goal(organization=cycle.organization, cycle=cycle, parent_id=parents[i % len(parents)],
                 key=f"B{level}-{i}", title=f"Bulk {level}.{i}", owner=owner, leg="cx",
                 measure="milestone", progress=Decimal("0.5") if level == 3 else None)
            for i in range(count)
        ]  # fmt: skip
        parents = [g.id for g in Goal.objects.bulk_create(rows, batch_size=1000)]
