"""A person signs in, switches organization, opens the API docs and signs out."""

import re

import pytest
from playwright.sync_api import expect

from cxalign.orgs.roles import Role
from tests.factories import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_switch_org_sign_out(page, live_server, sign_in, screenshot, org, other_org):
    person = MembershipFactory(organization=org, role=Role.EXECUTIVE, user__username="dana")
    MembershipFactory(organization=other_org, role=Role.VIEWER, user=person.user)

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    screenshot("foundation-01-login")

    sign_in(page, person)  # an executive lands on the alignment dashboard
    expect(page).to_have_url(re.compile(rf"/o/{org.slug}/alignment/dashboard/$"))
    expect(page.locator("h1")).to_contain_text("Alignment dashboard")
    screenshot("foundation-02-home")

    page.click("[data-testid=org-switcher] summary")
    page.click(f"[data-testid=org-switcher] a[data-org={other_org.slug}]")
    expect(page).to_have_url(re.compile(rf"/o/{other_org.slug}/alignment/dashboard/$"))  # same page
    expect(page.locator("[data-testid=org-switcher] summary")).to_contain_text(other_org.name)
    screenshot("foundation-03-switched")

    page.goto(f"{live_server.url}/o/{org.slug}/people/")
    expect(page.locator("table")).to_contain_text("dana")
    screenshot("foundation-04-people")

    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui")).to_be_visible()
    expect(page.get_by_text("CX Align API").first).to_be_visible()
    screenshot("foundation-05-api-docs")

    page.goto(f"{live_server.url}/o/{org.slug}/")
    page.click(".usermenu summary")
    page.click("[data-testid=sign-out]")
    expect(page.locator("h1")).to_contain_text("signed out")
    screenshot("foundation-06-signed-out")
    page.goto(f"{live_server.url}/o/{org.slug}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_wrong_password_shows_clear_message(page, live_server, org, viewer):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", viewer.user.username)
    page.fill("#id_password", "wrong-password")
    page.click("button[type=submit]")
    expect(page.locator(".alert.error")).to_contain_text("Wrong username or password")
