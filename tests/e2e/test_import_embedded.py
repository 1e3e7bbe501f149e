"""The embedded default (tasks inline, no worker): a CX lead's check and import run in the
background of the web server, so the page shows the live progress bar, and the buttons say
they are busy instead of freezing the page for seconds."""

import json

import pytest
from playwright.sync_api import expect

from cxalign.orgs.roles import Role
from tests.factories import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Enough rows that checking and importing take several seconds (25,000-row chunks).
ROWS = 600_000


def _export(path) -> str:
    lines = [
        f"R-{i},2024-03-{i % 28 + 1:02d},{i % 11},Row {i} about delivery\n" for i in range(ROWS)
    ]
    path.write_text("Response ID,Submitted,NPS,Comment\n" + "".join(lines), encoding="utf-8")
    return str(path)


def _upload(page, url: str, export: str) -> None:
    page.goto(f"{url}/feedback/imports/")
    page.set_input_files("#id_file", export)
    page.fill("#id_new_source", "Web survey")
    page.click("text=Upload and map columns")
    expect(page.locator("[data-testid=mapping]")).to_be_visible()


def _click_and_record_button(page, button: str) -> list:
    """Click `button` and return [disabled, text] it had while its form was being sent (kept
    in the tab's sessionStorage across the navigation)."""
    page.evaluate(
        """button => document.addEventListener("submit", () => setTimeout(() => {
            const b = document.querySelector(button);
            sessionStorage.setItem("sent", JSON.stringify([b.disabled, b.textContent.trim()]));
        }, 0))""",
        button,
    )
    page.click(button)
    return json.loads(page.evaluate("() => sessionStorage.getItem('sent')"))


LIVE_OR_DONE = """([read, done]) => {
    const count = document.querySelector(read);
    if (count && count.textContent.trim() !== "0") return "live";
    return document.querySelector(done) ? "done" : false;
}"""


def _watch_progress(page, screenshot, name: str, done: str) -> bool:
    """Wait until the job is done; True when its live count moved on the page before that (a
    fast machine may check the whole file between two polls of the progress card)."""
    expect(page.locator("[data-testid=import-progress]")).to_be_visible()
    seen = page.wait_for_function(
        LIVE_OR_DONE, arg=["[data-testid=progress-read]", done], timeout=180_000
    ).json_value()
    if seen == "live":
        screenshot(name)
    expect(page.locator(done)).to_be_visible(timeout=180_000)
    return seen == "live"


def test_embedded_check_and_import_show_progress(
    page, embedded_server, sign_in, screenshot, org, tmp_path
):
    lead = MembershipFactory(organization=org, role=Role.CX_LEAD, user__username="ines")
    export = _export(tmp_path / "nps.csv")
    url = f"{embedded_server.url}/o/{org.slug}"
    sign_in(page, lead)
    _upload(page, url, export)

    sent = _click_and_record_button(page, "[data-testid=check]")
    assert sent == [True, "Starting the check…"]
    live = [
        _watch_progress(page, screenshot, "import-embedded-02-checking", "[data-testid=preview]")
    ]
    expect(page.locator("[data-testid=preview-new]")).to_have_text(f"{ROWS:,}")

    sent = _click_and_record_button(page, "[data-testid=commit]")
    assert sent == [True, "Starting the import…"]
    live.append(
        _watch_progress(page, screenshot, "import-embedded-03-importing", "[data-testid=result]")
    )
    expect(page.locator("[data-testid=result-new]")).to_have_text(f"{ROWS:,}")
    assert any(live), "the progress card never showed a live count"

    # The same file again: nothing new or changed, so there is nothing to click.
    _upload(page, url, export)
    page.click("[data-testid=check]")
    expect(page.locator("[data-testid=preview]")).to_be_visible(timeout=180_000)
    commit = page.locator("[data-testid=commit]")
    expect(commit).to_be_disabled()
    expect(commit).to_have_text("Nothing to import")
    expect(page.locator("[data-testid=nothing-to-import]")).to_contain_text("No row is new")
    screenshot("import-embedded-04-nothing-to-import")
