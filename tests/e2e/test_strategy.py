"""A manager logs a check-in from "My goals"; the goal above rolls up; an executive sees it."""

import re

import pytest
from playwright.sync_api import expect

from cxalign.orgs.roles import Role
from strategy.models import Goal
from tests.factories import CycleFactory, GoalFactory, MembershipFactory, OrgUnitFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_checks_in_and_the_executive_sees_the_rollup(
    page, browser, live_server, sign_in, screenshot, org
):
    service = OrgUnitFactory(organization=org, name="Customer Service")
    dana = MembershipFactory(
        organization=org, role=Role.EXECUTIVE, user__username="dana", user__first_name="Dana",
        user__last_name="Whitfield", title="CEO",
    )  # fmt: skip
    morgan = MembershipFactory(
        organization=org, role=Role.MANAGER, unit=service, reports_to=dana,
        user__username="morgan", user__first_name="Morgan", user__last_name="Hale",
    )  # fmt: skip
    cycle = CycleFactory(organization=org, name="FY2026")
    corp = GoalFactory(
        cycle=cycle, key="C1", title="Become the most recommended supplier", owner=dana,
        measure=Goal.Measure.ROLLUP,
    )  # fmt: skip
    mine = GoalFactory(
        cycle=cycle, parent=corp, key="CS-1", title="Call back every detractor in 48 hours",
        owner=morgan, org_unit=service,
    )  # fmt: skip
    GoalFactory(cycle=cycle, parent=corp, key="OP-1", title="Deliver on time", owner=dana)

    # The manager opens "My goals": the goal above has no progress yet.
    sign_in(page, morgan)
    page.goto(f"{live_server.url}/o/{org.slug}/strategy/my-goals/")
    card = page.locator("[data-testid=my-goal-CS-1]")
    expect(card).to_be_visible()
    parent_progress = card.locator(f"[data-testid=progress-{corp.id}] .num")
    expect(parent_progress).to_have_text("–")
    screenshot("strategy-01-my-goals-before")

    # ... logs a check-in with a contribution statement ...
    form = card.locator(f"[data-testid=checkin-form-{mine.id}]")
    form.get_by_label("Progress (%)").fill("60")
    form.get_by_label("On track").check()
    form.get_by_label("How does this contribute to the goal above?").fill(
        "Every detractor is called back within two days, which wins back promoters."
    )
    screenshot("strategy-02-my-goals-filled")
    form.get_by_role("button", name="Log check-in").click()
    page.wait_for_load_state("networkidle")

    # ... and sees the parent goal's rolled-up progress change (60 % of one of two equal goals).
    expect(page.locator(".alert.success")).to_contain_text("Check-in on")
    card = page.locator("[data-testid=my-goal-CS-1]")
    expect(card.locator(f"[data-testid=progress-{mine.id}] .num")).to_have_text("60%")
    expect(card.locator(f"[data-testid=progress-{corp.id}] .num")).to_have_text("30%")
    expect(card.locator(f"[data-testid=rollup-{corp.id}]")).to_contain_text("roll-up 30% of 2")
    screenshot("strategy-03-my-goals-after")

    # An executive sees it in the cascade tree.
    exec_page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    sign_in(exec_page, dana)
    exec_page.goto(f"{live_server.url}/o/{org.slug}/strategy/cascade/")
    tree = exec_page.locator("[data-testid=cascade-tree]")
    expect(tree.locator("[data-testid=goal-C1] .pg .num")).to_have_text("30%")
    expect(tree.locator("[data-testid=goal-CS-1] .pg .num")).to_have_text("60%")
    expect(tree.locator("[data-testid=goal-CS-1]")).to_contain_text("On track")
    screenshot("strategy-04-cascade-executive", target=exec_page)

    # The check-in's statement is kept in the goal's history.
    exec_page.click("[data-testid=goal-CS-1] a.title")
    expect(exec_page).to_have_url(re.compile(rf"/strategy/goals/{mine.id}/$"))
    expect(exec_page.locator("[data-testid=checkin]")).to_contain_text("wins back promoters")
    screenshot("strategy-05-goal-detail", target=exec_page)
