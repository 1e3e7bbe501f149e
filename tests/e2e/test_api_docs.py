"""The API docs open on six folded groups, one per app, each with its description.

Issue "first run and daily use", item 16.
"""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TAGS = ["strategy", "journeys", "feedback", "KPIs", "alignment", "people"]


def test_api_docs_group_operations_by_tag(page, live_server, sign_in, screenshot, viewer):
    sign_in(page, viewer)
    page.goto(f"{live_server.url}/api/docs/")
    groups = page.locator(".opblock-tag")
    expect(groups).to_have_count(len(TAGS), timeout=20000)
    assert [g.get_attribute("data-tag") for g in groups.all()] == TAGS
    expect(page.locator(".opblock-tag[data-tag=KPIs]")).to_contain_text("measurements over time")
    expect(page.locator(".opblock")).to_have_count(0)  # folded until a group is opened
    screenshot("api-01-docs-grouped-by-tag")

    page.locator(".opblock-tag[data-tag=KPIs]").click()
    expect(page.locator(".opblock").first).to_be_visible()
    expect(
        page.locator(".opblock-summary-path", has_text="/kpi-measurements/").first
    ).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text="/goals/")).to_have_count(0)
    screenshot("api-02-docs-kpis-open")
