"""The CX lead uploads a survey export with bad rows, maps columns, checks it, imports it and
sees the responses with their themes."""

import re

import pytest
from playwright.sync_api import expect

from cxalign.orgs.roles import Role
from feedback import services
from tests.factories import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXPORT = (
    "Response ID,Submitted,How likely are you to recommend us?,Tell us why,Plan\n"
    "R-1,2024-03-01 09:00,9,Delivery was fast and the driver friendly,smb\n"
    "R-2,2024-03-02 10:30,2,Invoice wrong again and charged twice,smb\n"
    'R-3,03/04/2024,7,"Fine overall.\nThe app crashed once 😅",enterprise\n'
    "R-4,2024-03-05,11,score out of range,smb\n"
    "R-5,not a date,5,bad date,smb\n"
    "R-6,2024-03-06,N/A,<script>alert('x')</script>,smb\n"
    "R-1,2024-03-07,8,duplicate id,smb\n"
)
BULK = 60_000


def test_cx_lead_imports_a_survey_export(
    page, live_server, sign_in, screenshot, org, tmp_path, celery_worker
):
    lead = MembershipFactory(organization=org, role=Role.CX_LEAD, user__username="sam")
    services.theme_create(
        organization=org, data={"name": "Delivery"}, patterns=["delivery", "driver"]
    )
    services.theme_create(
        organization=org, data={"name": "Billing"}, patterns=["invoice", "charged twice"]
    )
    export = tmp_path / "nps-export.csv"
    # Enough rows that the check and the import take a moment: the progress bar shows.
    filler = "".join(
        f"B-{i},2024-02-{i % 28 + 1:02d} 12:00,{i % 11},Row {i} about delivery,smb\n"
        for i in range(BULK)
    )
    export.write_text(EXPORT + filler, encoding="utf-8")

    sign_in(page, lead)
    page.goto(f"{live_server.url}/o/{org.slug}/feedback/")
    expect(page.get_by_text("No feedback yet")).to_be_visible()
    screenshot("feedback-01-empty")

    page.click("text=Import your first file")
    page.set_input_files("#id_file", str(export))
    page.fill("#id_new_source", "Website NPS survey")
    screenshot("feedback-02-upload")
    page.click("text=Upload and map columns")
    expect(page.locator("[data-testid=mapping]")).to_be_visible()
    # The guess found the id, date, score and comment; the CX lead maps the plan as segment.
    expect(page.locator("#id_map_nps")).to_have_value("How likely are you to recommend us?")
    page.select_option("#id_map_segment", "Plan")
    screenshot("feedback-03-mapping")

    page.click("[data-testid=check]")
    progress_or_done = page.locator("[data-testid=import-progress], [data-testid=preview]").first
    expect(progress_or_done).to_be_visible()
    screenshot("feedback-04a-checking")
    expect(page.locator("[data-testid=preview]")).to_be_visible(timeout=60_000)
    expect(page.locator("[data-testid=preview-rejected]")).to_have_text("4")
    errors = page.locator("[data-testid=import-errors]")
    expect(errors).to_contain_text("'11' is not a whole number from 0 to 10.")
    expect(errors).to_contain_text("'not a date' is not a date")
    expect(errors).to_contain_text("Duplicate response id 'R-1'")
    screenshot("feedback-04-preview")

    page.click("[data-testid=commit]")
    expect(
        page.locator("[data-testid=import-progress], [data-testid=result]").first
    ).to_be_visible()
    screenshot("feedback-05a-importing")
    expect(page.locator("[data-testid=result]")).to_be_visible(timeout=60_000)
    expect(page.locator("[data-testid=result-new]")).to_have_text(f"{BULK + 3:,}")
    screenshot("feedback-05-imported")

    page.click("[data-testid=see-responses]")
    expect(page).to_have_url(re.compile(r"/feedback/responses/$"))
    table = page.locator("[data-testid=responses]")
    expect(table).to_contain_text("Delivery was fast")
    expect(table.locator("tr", has_text="Delivery was fast").locator(".chip")).to_have_text(
        ["Delivery"]
    )
    expect(table.locator("tr", has_text="Invoice wrong").locator(".chip")).to_have_text(["Billing"])
    expect(table).to_contain_text("The app crashed once 😅")
    screenshot("feedback-06-responses")
