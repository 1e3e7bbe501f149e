"""The CX lead uploads a survey export with bad rows, maps columns, checks it, imports it and
sees the responses with their themes; a member assigns a page of follow-ups at once; a CX lead
sees what a rule would tag before saving it."""

import re

import pytest
from playwright.sync_api import expect

from cxalign.orgs.roles import Role
from feedback import services
from feedback.models import Customer, FollowUp, Response, Source, Theme
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


def _detractors(org, n):
    source = Source.objects.create(organization=org, name="Relationship NPS")
    Response.objects.bulk_create(
        [
            Response(organization=org, source=source, key=f"d{i}", response_id=f"D-{i}",
                     customer_id=f"C{i}", segment="smb", nps=i % 7,
                     comment=f"Detractor {i}: the delivery was late")
            for i in range(n)
        ]
    )  # fmt: skip
    Customer.objects.bulk_create(
        [Customer(organization=org, customer_id=f"C{i}", clv=1000 * i + 0.5) for i in range(n)]
    )


def test_member_selects_a_page_of_followups_and_assigns_them_to_sam(
    page, live_server, sign_in, screenshot, org
):
    member = MembershipFactory(organization=org, role=Role.MEMBER, user__username="alex")
    sam = MembershipFactory(
        organization=org, role=Role.MEMBER, user__first_name="Sam", user__last_name=""
    )
    _detractors(org, 30)
    sign_in(page, member)
    page.goto(f"{live_server.url}/o/{org.slug}/feedback/followups/?sort=clv")
    rows = page.locator("[data-testid=followups] tbody tr")
    expect(rows).to_have_count(25)
    expect(rows.first).to_contain_text("CLV €29,000.50")  # the most valuable first
    page.check("[data-check-all=ids]")
    expect(page.locator("[data-selected-count=ids]")).to_have_text("25 selected")
    page.uncheck(f"input[name=ids][value='{Response.objects.get(key='d29').pk}']")
    expect(page.locator("[data-selected-count=ids]")).to_have_text("24 selected")
    page.select_option("[data-testid=bulk] select[name=owner]", str(sam.pk))
    screenshot("feedback-07-bulk-assign")
    page.click("[data-testid=bulk-assign]")
    expect(page.locator(".messages")).to_contain_text("24 follow-ups assigned to Sam.")
    expect(page).to_have_url(re.compile(r"sort=clv"))  # back to the same view of the queue
    assert FollowUp.objects.filter(owner=sam).count() == 24
    assert not FollowUp.objects.filter(response__key="d29").exists()
    screenshot("feedback-08-bulk-assigned")


def test_cx_lead_previews_a_rule_before_saving_it(page, live_server, sign_in, screenshot, org):
    lead = MembershipFactory(organization=org, role=Role.CX_LEAD, user__username="lead")
    theme = services.theme_create(organization=org, data={"name": "Advice and relationship"})
    source = Source.objects.create(organization=org, name="Survey")
    texts = ["Our rep knows our shop", "The rep already took my data, the form asks again",
             "Rep visits are useful", "Reporting works", "Delivery was late"]  # fmt: skip
    for i, text in enumerate(texts):
        Response.objects.create(organization=org, source=source, key=f"k{i}", comment=text)
    sign_in(page, lead)
    page.goto(f"{live_server.url}/o/{org.slug}/feedback/themes/{theme.pk}/")
    page.fill("[data-testid=rule-form] input[name=pattern]", "rep")
    page.click("[data-testid=rule-preview-button]")
    preview = page.locator("[data-testid=rule-preview]")
    expect(preview.locator("[data-testid=rule-preview-count]")).to_have_text("3")
    expect(preview.locator("[data-testid=rule-sample]")).to_have_count(3)
    expect(preview).to_contain_text("the form asks again")
    expect(preview.locator("mark").first).to_have_text(re.compile("rep", re.I))
    expect(page).to_have_url(re.compile(rf"/themes/{theme.pk}/$"))  # htmx: still the theme page
    assert not theme.rules.exists()
    screenshot("feedback-09-rule-preview")
    page.click("[data-testid=rule-save]")
    expect(page.locator(".messages")).to_contain_text("Rule “rep” added.")
    expect(page.locator(".theme-rules")).to_contain_text("rep")
    assert list(theme.rules.values_list("pattern", flat=True)) == ["rep"]


def test_cx_lead_sees_a_new_themes_keywords_match_before_adding_it(
    page, live_server, sign_in, screenshot, org
):
    lead = MembershipFactory(organization=org, role=Role.CX_LEAD, user__username="lead")
    source = Source.objects.create(organization=org, name="Survey")
    texts = ["Charged twice for one order", "I was charged  twice", "Refund took weeks",
             "Late delivery", "charged twice, refund please"]  # fmt: skip
    for i, text in enumerate(texts):
        Response.objects.create(organization=org, source=source, key=f"k{i}", comment=text)
    sign_in(page, lead)
    page.goto(f"{live_server.url}/o/{org.slug}/feedback/themes/")
    page.fill("#id_name", "Billing")
    page.locator("#id_patterns").press_sequentially("charged twice, refund")
    previews = page.locator("[data-testid=pattern-preview]")
    expect(previews).to_have_count(2)  # shown as the keywords are typed, no click needed
    expect(previews.nth(0).locator("[data-testid=rule-preview-count]")).to_have_text("3")
    expect(previews.nth(1).locator("[data-testid=rule-preview-count]")).to_have_text("2")
    expect(previews.nth(0).locator("[data-testid=rule-sample]")).to_have_count(3)
    expect(previews.nth(0).locator("mark").first).to_have_text(re.compile("charged", re.I))
    assert not Theme.objects.filter(organization=org).exists()
    screenshot("feedback-10-new-theme-preview")
    page.get_by_role("button", name="Add theme").click()
    expect(page.locator(".messages")).to_contain_text("Theme “Billing” created.")
    theme = Theme.objects.get(organization=org)
    assert sorted(theme.rules.values_list("pattern", flat=True)) == ["charged twice", "refund"]
