"""Strategy pages in the browser: cascade tiles and bar colours, the KPI catalogue, My goals.

Issue "first run and daily use", items 5, 6 and 7.
"""

import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from cxalign.orgs.roles import Role
from kpis.models import KPI, Measurement
from strategy.models import Goal
from tests.factories import CycleFactory, GoalFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BAR_COLOUR = "el => getComputedStyle(el).backgroundColor"
TEXT_COLOUR = "el => getComputedStyle(el).color"


def test_cascade_tiles_open_their_goals_and_bars_match_badges(
    page, live_server, sign_in, screenshot, org, executive
):
    cycle = CycleFactory(organization=org, name="FY2026")
    corp = GoalFactory(cycle=cycle, key="C1", title="Most recommended supplier", owner=executive,
                       measure=Goal.Measure.ROLLUP)  # fmt: skip
    slow = GoalFactory(cycle=cycle, key="ON-30", parent=corp, owner=executive, weight=2,
                       title="On track at thirty percent", progress=Decimal("0.3"),
                       confidence="on_track")  # fmt: skip
    GoalFactory(cycle=cycle, key="RISK", parent=corp, confidence="at_risk", progress=Decimal("0.9"))
    for i in range(3):
        GoalFactory(cycle=cycle, key=f"NEW-{i}", parent=slow)

    sign_in(page, executive)
    page.goto(f"{live_server.url}/o/{org.slug}/strategy/cascade/")
    node = page.locator("[data-testid=goal-ON-30]")
    badge = node.locator(".badge", has_text="On track")
    bar = page.locator(f"[data-testid=progress-{slow.id}] .progress > span")
    expect(badge).to_be_visible()
    assert bar.evaluate(BAR_COLOUR) == badge.evaluate(TEXT_COLOUR)  # green, not red at 30 %
    risk_bar = page.locator("[data-testid=goal-RISK] .progress > span")
    risk_badge = page.locator("[data-testid=goal-RISK] .badge", has_text="At risk")
    assert risk_bar.evaluate(BAR_COLOUR) == risk_badge.evaluate(TEXT_COLOUR)  # amber at 90 %
    expect(page.locator("[data-testid=legend-weights]")).to_contain_text("counts twice as much")
    expect(node.locator(".weight")).to_have_text("×2")
    screenshot("strategy-10-cascade-tiles-and-legend")

    tile = page.locator("[data-testid=tile-no-checkin]")
    count = tile.locator(".value").inner_text()
    assert count == "4"  # C1, and the three new goals below ON-30
    expect(tile).to_contain_text("of the 6 goals in progress")
    tile.click()
    expect(page).to_have_url(re.compile(r"confidence=none"))
    expect(page.locator(".cascade p.muted").first).to_contain_text(f"{count} of 6 goals match")
    expect(page.locator("#f-conf")).to_have_value("none")
    screenshot("strategy-11-cascade-no-checkin-list")

    page.locator("[data-testid=tile-attention]").click()
    expect(page.locator(".cascade p.muted").first).to_contain_text("1 of 6 goals match")
    expect(page.locator("#f-conf")).to_have_value("attention")


def test_an_executives_my_goals_folds_the_team_into_one_line_per_person(
    page, live_server, sign_in, screenshot, org, executive
):
    cycle = CycleFactory(organization=org, name="FY2026")
    GoalFactory(cycle=cycle, key="C1", title="Most recommended supplier", owner=executive)
    people = [
        MembershipFactory(organization=org, role=Role.MANAGER, reports_to=executive,
                          user__first_name=f"Person{i}", user__last_name="Lead")
        for i in range(8)
    ]  # fmt: skip
    for i, person in enumerate(people):
        for j in range(6):
            GoalFactory(cycle=cycle, key=f"T{i}-{j}", title=f"Team goal {i}.{j}", owner=person,
                        confidence="on_track" if j else "")  # fmt: skip

    sign_in(page, executive)
    page.goto(f"{live_server.url}/o/{org.slug}/strategy/my-goals/")
    groups = page.locator("details.team-group")
    expect(groups).to_have_count(8)
    expect(page.locator("tr[data-testid^=team-goal-] >> visible=true")).to_have_count(0)
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 1500, height  # 48 team goals in a table were about 3,000 px
    screenshot("strategy-20-my-goals-team-folded")

    first = page.locator(f"[data-testid=team-group-{people[0].id}]")
    expect(first).to_contain_text("6 goals")
    first.locator("summary").click()
    expect(first.locator("tr[data-testid^=team-goal-]")).to_have_count(6)
    expect(first.locator("tr[data-testid^=team-goal-]").first).to_be_visible()
    screenshot("strategy-21-my-goals-team-one-open")


def test_kpi_catalogue_shows_value_trend_source_and_goals(
    page, live_server, sign_in, screenshot, org, cx_lead
):
    nps = KPI.objects.get(organization=org, key="nps")
    start = datetime.date(2026, 1, 31)
    for i, value in enumerate(["8", "11.5", "10", "14.25", "16.5", "15", "19.75"]):
        Measurement.objects.create(
            organization=org, kpi=nps, measured_on=start + datetime.timedelta(days=30 * i),
            value=Decimal(value), source="engine", note=f"Measured by recompute run {i + 1}",
        )  # fmt: skip
    cycle = CycleFactory(organization=org, name="FY2026")
    goal = GoalFactory(cycle=cycle, key="NPS-1", title="Most recommended supplier",
                       owner=cx_lead, measure="kpi", kpi=nps, baseline=10, target=30,
                       measure_unit="points", current_value=Decimal("22"))  # fmt: skip

    sign_in(page, cx_lead)
    page.goto(f"{live_server.url}/o/{org.slug}/kpis/catalogue/")
    row = page.locator("[data-testid=kpi-nps]")
    expect(row.locator("[data-testid=kpi-now]")).to_contain_text("19.75")
    expect(row.locator("[data-testid=kpi-source]")).to_contain_text("Measured by the engine")
    expect(row.locator("[data-testid=kpi-source]")).to_contain_text("recompute run 7")
    box = row.locator("svg.kpi-spark polyline").bounding_box()
    assert box and box["width"] > 80 and box["height"] > 10  # a visible line, not a dot
    expect(row.locator("[data-testid=kpi-goals]")).to_contain_text("NPS-1 · Most recommended")
    expect(page.locator("[data-testid=kpi-clv] [data-testid=kpi-now]")).to_contain_text(
        "not measured yet"
    )
    screenshot("strategy-30-kpi-catalogue")

    row.locator("[data-testid=kpi-goals] a").first.click()
    pair = page.locator(f"[data-testid=measured-{goal.id}]")
    expect(pair.locator("[data-testid=typed-value]")).to_contain_text("last check-in 22 points")
    expect(pair.locator("[data-testid=measured-value]")).to_contain_text(
        "measured 19.75 points on 30 Jul 2026"
    )
    screenshot("strategy-31-goal-measured-beside-typed")
