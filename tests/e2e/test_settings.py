"""An admin finds the organization's settings in the sidebar, mistypes one and corrects it."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_sets_the_currency_and_the_follow_up_service_level(
    page, live_server, sign_in, screenshot, org, admin
):
    sign_in(page, admin)
    page.goto(f"{live_server.url}/o/{org.slug}/people/")
    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Settings")).to_be_visible()
    page.get_by_label("Currency").fill("U$D")
    page.get_by_label("Time zone").select_option("Europe/Berlin")
    page.get_by_label("Follow-up service level (hours)").fill("24")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".field.has-error")).to_contain_text("is not a currency code")
    screenshot("settings-01-refused")
    org.refresh_from_db()
    assert (org.currency, org.followup_sla_hours) == ("EUR", 48)
    page.get_by_label("Currency").fill("usd")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".messages")).to_contain_text(
        "Settings saved. The figures still use the old follow-up service level (hours), time zone"
    )
    expect(page.get_by_label("Currency")).to_have_value("USD")
    screenshot("settings-02-saved")
    org.refresh_from_db()
    assert (org.currency, org.followup_sla_hours, org.time_zone) == ("USD", 24, "Europe/Berlin")
