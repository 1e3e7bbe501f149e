"""The strategy demo: rich enough to show the product, and safe to load twice."""

import pytest

from cxalign.orgs.models import Organization
from strategy import demo as strategy_demo
from strategy import selectors
from strategy.models import Cycle, Goal, GoverningModel, Initiative, KPIEffect
from tests.demo_core import core_demo

pytestmark = pytest.mark.django_db


def test_demo_loads_a_rich_northwind_and_a_second_run_creates_nothing():
    first = strategy_demo.load(core_demo())
    assert first["goals"] >= 40
    assert strategy_demo.load(core_demo()) == {}
    northwind = Organization.objects.get(slug="northwind")
    assert GoverningModel.objects.for_org(northwind).count() == 5
    assert Cycle.objects.for_org(northwind).filter(status="preparing").exists()
    active = Cycle.objects.for_org(northwind).get(status="active")
    summary = selectors.cascade_tree(cycle=active).summary
    assert summary["goals"] >= 40 and summary["levels"] >= 3
    goals = Goal.objects.filter(cycle=active)
    assert goals.values("org_unit").distinct().count() >= 8
    assert set(goals.values_list("leg", flat=True)) == {"financial", "people", "cx"}
    tales = Initiative.objects.for_org(northwind).filter(
        name__in=["Quota-based sales rewards", "Spring promotion: 20 % off the fresh range"]
    )
    assert tales.count() == 2
    assert KPIEffect.objects.filter(initiative__in=tales, intended=False).count() >= 3
    assert Goal.objects.filter(organization=Organization.objects.get(slug="globex")).exists()


def test_the_demos_full_cycle_is_the_one_worked_for_on_any_day_of_the_year():
    """Next year's draft cycle takes its inputs when it starts, so in December too the engine
    and the dashboard work for the full cycle (`cycle_current`), not a one-goal draft."""
    import datetime

    from alignment.selectors import cycle_current

    strategy_demo.load(core_demo())
    northwind = Organization.objects.get(slug="northwind")
    active = Cycle.objects.for_org(northwind).get(status="active")
    year = active.starts_on.year
    for day in (datetime.date(year, 1, 2), datetime.date(year, 11, 30),
                datetime.date(year, 12, 1), datetime.date(year, 12, 31)):  # fmt: skip
        assert cycle_current(organization=northwind, today=day) == active, day


def test_demo_files_give_every_row_the_tuples_gave():
    """The demo moved from Python tuples to strategy/demo_data/*.json: the same rows."""
    assert strategy_demo.load(core_demo()) == {
        "kpis": 12,
        "vision": 2,
        "governing_models": 5,
        "key_choices": 16,
        "cycles": 4,
        "goals": 47,
        "checkins": 33,
        "initiatives": 8,
        "kpi_effects": 18,
        "decisions": 5,
        "capabilities": 7,
        "commitments": 3,
    }
    northwind = Organization.objects.get(slug="northwind")
    nxt = Cycle.objects.for_org(northwind).get(status="preparing", kind="annual")
    assert list(Goal.objects.filter(cycle=nxt).values_list("key", "baseline")) == [("C1", 30)]
    sal1 = Goal.objects.get(cycle__organization=northwind, cycle__status="active", key="SAL-1")
    assert (sal1.parent.key, sal1.current_value, sal1.confidence) == ("CO-2", 50.5, "on_track")
    assert str(sal1.due_on) == f"{sal1.cycle.starts_on.year}-12-31"
