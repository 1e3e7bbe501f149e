"""On the demo company: an executive lands on the alignment dashboard, filters it, drills from
a flag to its goal, acknowledges a flag, and takes the planning brief as a PDF; a manager lands
on their own page and logs the check-in they owe."""

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from alignment.brief import top_flags
from alignment.models import Flag
from alignment.selectors import cycle_current, run_latest
from cxalign.orgs.demo import DEMO_PASSWORD, demo_load
from cxalign.orgs.models import Membership, Organization
from strategy.models import CheckIn, Goal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _points(page, testid: str) -> int:
    """Data points plotly drew in a chart (bars, heatmap cells or sunburst sectors), once
    their number stops growing (a sunburst draws its sectors after its frame)."""
    chart = page.locator(f"[data-testid=chart-{testid}]")
    expect(chart.locator("svg.main-svg").first).to_be_visible()
    points = chart.locator(".point, .hm, image, path.surface")
    counts = [points.count()]
    for _ in range(40):  # at most 10 s
        page.wait_for_timeout(250)
        counts.append(points.count())
        if counts[-1] == counts[-2] > 0:
            break
    return counts[-1]


def test_executive_and_manager_on_the_demo_company(page, browser, live_server, sign_in, screenshot):
    demo_load()
    org = Organization.objects.get(slug="northwind")
    cycle = cycle_current(organization=org)
    run = run_latest(organization=org, cycle=cycle)
    assert run is not None
    page.set_viewport_size({"width": 1400, "height": 900})
    base = f"{live_server.url}/o/{org.slug}"
    executive = Membership.objects.get(organization=org, user__username="exec")
    sign_in(page, executive, DEMO_PASSWORD)
    _lands_on_the_dashboard(page, base, run, screenshot)
    _narrows_it_to_one_segment(page, screenshot)
    _drills_from_a_flag_to_its_goal(page, screenshot)
    _acknowledges_the_top_flag(page, base, org, cycle, screenshot)
    _downloads_the_brief(page, base, cycle, run, screenshot)
    manager = Membership.objects.get(organization=org, user__username="manager")
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    _manager_logs_what_they_owe(context.new_page(), base, org, manager, sign_in, screenshot)
    context.close()


def _lands_on_the_dashboard(page, base, run, screenshot):
    """1. The executive signs in and lands on a dashboard."""
    assert page.url.endswith("/alignment/dashboard/"), page.url
    page.goto(f"{base}/alignment/dashboard/")
    expect(page.get_by_role("heading", name="Alignment dashboard")).to_be_visible()
    expect(page.locator("[data-testid=provenance]")).to_contain_text(f"Run #{run.id}")
    assert _points(page, "nps-by-segment") >= 8  # all + three segments, two periods
    assert _points(page, "churn-by-class") >= 9
    assert _points(page, "flags") >= 1
    assert _points(page, "journey") >= 1
    assert _points(page, "cascade") >= 5
    expect(
        page.locator("[data-testid=chart-churn-by-class] [data-testid=reading]")
    ).to_contain_text("Detractors churn")
    expect(page.locator("[data-testid=readiness]")).to_be_visible()
    screenshot("dashboard-01-landing")


def _narrows_it_to_one_segment(page, screenshot):
    """2. ... narrows it to one segment: the URL keeps the filter, the NPS chart shows fewer bars."""
    before = _points(page, "nps-by-segment")
    page.select_option("#f-segment", "smb-retail")
    page.click("[data-testid=apply-filters]")
    page.wait_for_load_state("networkidle")
    assert "segment=smb-retail" in page.url
    expect(page.locator("[data-testid=stat-nps]")).to_contain_text("smb-retail")
    assert 0 < _points(page, "nps-by-segment") < before
    screenshot("dashboard-02-segment")


def _drills_from_a_flag_to_its_goal(page, screenshot):
    """3. ... drills from a top flag to the goal it names."""
    subject = page.locator("[data-testid=top-flags] a.subject", has_text="goal").first
    href = subject.get_attribute("href")
    subject.click()
    page.wait_for_load_state("networkidle")
    assert re.search(r"/strategy/goals/\d+/$", page.url), page.url
    assert page.url.endswith(href)
    screenshot("dashboard-03-goal-from-flag")


def _acknowledges_the_top_flag(page, base, org, cycle, screenshot):
    """4. ... acknowledges the top open flag with a reason."""
    page.goto(f"{base}/alignment/dashboard/")
    flag = Flag.objects.filter(organization=org, cycle=cycle, state="open").order_by("id")
    top = page.locator("[data-testid=top-flag]").first
    title = top.inner_text()
    top.click()
    page.wait_for_load_state("networkidle")
    target = flag.get(title=title)
    page.locator("summary", has_text="Acknowledge").first.click()
    page.locator("textarea[name=reason]").first.fill("Known: the Q1 delivery plan addresses it.")
    screenshot("dashboard-04-acknowledging")
    page.locator("form.ack-form button", has_text="Acknowledge").first.click()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".alert.success")).to_contain_text("Acknowledged")
    target.refresh_from_db()
    assert target.state == "acknowledged"
    assert target.acknowledged_reason == "Known: the Q1 delivery plan addresses it."
    screenshot("dashboard-05-acknowledged")


def _downloads_the_brief(page, base, cycle, run, screenshot):
    """5. ... opens the planning brief and downloads its PDF."""
    page.goto(f"{base}/alignment/dashboard/")
    page.click("[data-testid=open-brief]")
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", name="Planning brief")).to_be_visible()
    screenshot("dashboard-06-brief")
    with page.expect_download() as download:
        page.click("[data-testid=brief-pdf]")
    pdf = download.value
    with open(pdf.path(), "rb") as handle:
        text = _squash(
            " ".join(p.extract_text() for p in PdfReader(io.BytesIO(handle.read())).pages)
        )
    cx_goal = (
        Goal.objects.filter(cycle=cycle, parent__isnull=True, leg="cx").order_by("key").first()
    )
    assert _squash(cx_goal.title) in text
    assert _squash(top_flags(cycle=cycle, run=run)[0].title) in text


def _manager_logs_what_they_owe(other, base, org, manager, sign_in, screenshot):
    """6. A manager signs in, lands on their page, sees what they owe and logs a check-in."""
    sign_in(other, manager, DEMO_PASSWORD)
    other.goto(f"{base}/")
    assert other.url.endswith(f"/o/{org.slug}/alignment/me/"), other.url
    owed = other.locator("[data-testid=checkin-link]")
    expect(owed.first).to_be_visible()
    screenshot("dashboard-07-manager", other)
    owed.first.click()
    other.wait_for_load_state("networkidle")
    goal_id = int(re.search(r"/goals/(\d+)/", other.url).group(1))
    form = other.locator(f"[data-testid=checkin-form-{goal_id}]")
    if form.get_by_label("Progress (%)").count():
        form.get_by_label("Progress (%)").fill("40")
    else:
        form.locator("input[name=value]").fill("1")
    form.get_by_label("At risk").check()
    form.get_by_label("How does this contribute to the goal above?").fill(
        "Two of five depots now call detractors back within a day."
    )
    screenshot("dashboard-08-checkin", other)
    form.get_by_role("button", name="Log check-in").click()
    other.wait_for_load_state("networkidle")
    expect(other.locator(".alert.success")).to_contain_text("Check-in on")
    assert CheckIn.objects.filter(goal_id=goal_id, author=manager, confidence="at_risk").exists()
    screenshot("dashboard-09-checked-in", other)
