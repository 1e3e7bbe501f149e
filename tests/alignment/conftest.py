"""Alignment fixtures: a cycle under way (today inside it), a rule context builder, and the
brief's data (a run with rising themes, their comments, flags and a decision)."""

import datetime

import pytest
from django.utils import timezone

from strategy.models import Decision
from tests.alignment.figures import make_ctx, results_document
from tests.factories import (
    CycleFactory,
    FlagFactory,
    GoalFactory,
    ResponseFactory,
    RunFactory,
    SourceFactory,
    ThemeFactory,
)


@pytest.fixture
def cycle(org):
    today = timezone.localdate()
    return CycleFactory(
        organization=org,
        name="FY",
        starts_on=today - datetime.timedelta(days=100),
        ends_on=today + datetime.timedelta(days=265),
    )


@pytest.fixture
def ctx(org, cycle):
    """ctx(figures=None, now=None) -> a RuleContext of `org` and `cycle`."""

    def build(figures=None, **kw):
        org.refresh_from_db()
        return make_ctx(org, cycle, figures, **kw)

    return build


@pytest.fixture
def brief_data(org, cycle):
    cx_goal = GoalFactory(cycle=cycle, parent=None, leg="cx", title="Delight every retailer")
    GoalFactory(cycle=cycle, parent=cx_goal, title="Answer every call within a minute")
    GoalFactory(cycle=cycle, parent=None, leg="financial", title="Grow revenue")
    late, slow = (
        ThemeFactory(organization=org, name="Late delivery"),
        ThemeFactory(organization=org, name="Slow refunds"),
    )
    themes = {
        "Late delivery": {"theme_id": late.id, "rising": True, "share_ratio_current_to_previous": 3.0,
                          "previous": {"share": 0.05}, "current": {"share": 0.15, "responses": 40, "nps": -30}},
        "Slow refunds": {"theme_id": slow.id, "rising": True, "share_ratio_current_to_previous": 2.5,
                         "previous": {"share": 0.02}, "current": {"share": 0.05, "responses": 31, "nps": -40}},
    }  # fmt: skip
    run = RunFactory(
        cycle=cycle, finished_at=timezone.now(), results=results_document(11.0, themes)
    )
    source = SourceFactory(organization=org)
    base = datetime.datetime(2026, 8, 1, 12, tzinfo=datetime.UTC)
    for i in range(5):
        ResponseFactory(source=source, comment=f"Truck late again {i}", theme_ids=[late.id],
                        responded_at=base + datetime.timedelta(days=i))  # fmt: skip
    for i in range(4):
        ResponseFactory(source=source, comment=f"Refund still missing {i}", theme_ids=[slow.id],
                        responded_at=base + datetime.timedelta(days=i))  # fmt: skip
    # Outside the period: never quoted.
    ResponseFactory(source=source, comment="Truck late in December", theme_ids=[late.id],
                    responded_at=datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC))  # fmt: skip
    top = FlagFactory(cycle=cycle, severity="high", magnitude=9, title="Checkout drives detractors away",
                      first_run=run, last_run=run, owner_label="Dana")  # fmt: skip
    FlagFactory(cycle=cycle, severity="low", title="A small thing", first_run=run, last_run=run)
    Decision.objects.create(organization=org, cycle=cycle, title="Close the phone line on Sundays",
                            customer_view="disapprove", customer_view_why="They order on Sundays.")  # fmt: skip
    return {"run": run, "cx_goal": cx_goal, "top": top, "late": late, "slow": slow}
