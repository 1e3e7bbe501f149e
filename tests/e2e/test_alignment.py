"""An executive reads the NPS–CLV–churn links (charts drawn by our own plotly.js), then
acknowledges a misalignment flag with a reason."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from alignment.models import Flag, Run
from alignment.services import run_request
from cxalign.orgs.roles import Role
from tests.alignment import company
from tests.factories import CycleFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Q2 = (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))
Q3 = (datetime.date(2026, 7, 1), datetime.date(2026, 9, 30))


def test_executive_reads_links_and_acknowledges_a_flag(page, live_server, sign_in, screenshot, org):
    dana = MembershipFactory(organization=org, role=Role.EXECUTIVE, user__username="dana",
                             user__first_name="Dana", user__last_name="Whitfield")  # fmt: skip
    today = timezone.localdate()
    cycle = CycleFactory(organization=org, name="FY2027",
                         starts_on=today - datetime.timedelta(days=30),
                         ends_on=today + datetime.timedelta(days=330))  # fmt: skip
    company.build(org, theme_ids=company.theme_setup(org))
    run = run_request(organization=org, cycle=cycle, member=dana, current=Q3, previous=Q2)
    run.refresh_from_db()
    assert run.status == Run.Status.SUCCEEDED, run.message
    flag = Flag.objects.filter(organization=org, state="open").order_by("id").first()
    assert flag is not None

    page.set_viewport_size({"width": 1400, "height": 900})
    sign_in(page, dana)
    page.goto(f"{live_server.url}/o/{org.slug}/alignment/")
    expect(page.get_by_role("heading", name="NPS, CLV and churn")).to_be_visible()
    expect(page.locator("[data-testid=provenance]")).to_contain_text(f"Run #{run.id}")
    chart = page.locator("[data-testid=chart-nps-by-segment]")
    expect(chart.locator("svg.main-svg").first).to_be_visible()
    # Two periods × four bars (all + three segments), each drawn as a plotly point.
    assert chart.locator(".bars .point").count() >= 8
    churn = page.locator("[data-testid=chart-churn-by-class]")
    assert churn.locator(".bars .point").count() >= 9
    expect(churn.locator("[data-testid=reading]")).to_contain_text("Detractors churn")
    expect(page.locator("[data-testid=simpson]")).to_be_visible()
    screenshot("alignment-01-links")

    page.click("text=Misalignment flags >> nth=0")
    expect(page.get_by_role("heading", name="Misalignment flags")).to_be_visible()
    screenshot("alignment-02-flags")
    card = page.locator(f"[data-flag-id='{flag.id}']")
    card.locator("summary", has_text="Acknowledge").click()
    card.locator("textarea[name=reason]").fill("Known: the Q1 hiring plan addresses it.")
    screenshot("alignment-03-acknowledging")
    card.locator("button", has_text="Acknowledge").click()
    expect(page.locator(".alert.success")).to_contain_text("Acknowledged")
    flag.refresh_from_db()
    assert flag.state == Flag.State.ACKNOWLEDGED
    assert flag.acknowledged_reason == "Known: the Q1 hiring plan addresses it."
    page.goto(f"{live_server.url}/o/{org.slug}/alignment/flags/{flag.id}/")
    expect(page.locator("[data-testid=flag-history]")).to_contain_text("Acknowledged")
    screenshot("alignment-04-flag-detail")
    page.goto(f"{live_server.url}/o/{org.slug}/alignment/runs/")
    expect(page.locator("[data-testid=run-row]").first).to_contain_text(f"#{run.id}")
    screenshot("alignment-05-runs")
