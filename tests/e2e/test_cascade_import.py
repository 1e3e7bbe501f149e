"""An executive imports a large cascade file: the upload answers at once, the check and the
import run in the background of the web server (embedded mode) with a live progress bar, and
the preview's Import button says it is busy."""

import re
import time

import pytest
from playwright.sync_api import expect

from strategy.models import Goal
from tests.factories import CycleFactory
from tests.strategy.goal_files import HEADER

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LEAVES = 12_000  # enough rows that checking and importing take a few seconds


def _cascade(path, owner: str) -> str:
    lines = [f"TOP,Most recommended,,{owner},,cx,,,,,1,"]
    lines += [f"G{i},Goal {i},TOP,{owner},,people,,,,,1," for i in range(LEAVES)]
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return str(path)


def test_executive_imports_a_large_cascade_with_live_progress(
    page, embedded_server, sign_in, screenshot, org, executive, tmp_path
):
    cycle = CycleFactory(organization=org, name="FY2027")
    sign_in(page, executive)
    page.goto(f"{embedded_server.url}/o/{org.slug}/strategy/cascade/import/?cycle={cycle.pk}")
    page.set_input_files("#id_file", _cascade(tmp_path / "cascade.csv", executive.user.username))
    started = time.perf_counter()
    page.click("text=Check the file")
    # The upload answers at once with the job's page: its progress card, or already the
    # preview when the check was quicker than the redirect.
    progress_or_preview = "[data-testid=import-progress], [data-testid=import-preview]"
    expect(page.locator(progress_or_preview).first).to_be_visible()
    answered = time.perf_counter() - started
    screenshot("cascade-import-01-checking")
    expect(page.locator("[data-testid=import-preview]")).to_be_visible(timeout=120_000)
    expect(page.locator("[data-testid=import-preview]")).to_contain_text(
        "All rows are fine: 12,001 goals will be created"
    )
    expect(page.locator("[data-testid=rows-hidden]")).to_contain_text("all 12,001 were checked")
    screenshot("cascade-import-02-preview")
    assert not Goal.objects.filter(cycle=cycle).exists()
    page.click("[data-testid=import-apply]")
    # Writing 12,001 goals takes seconds: the live card shows how far the check has come.
    expect(page.locator("[data-testid=progress-rows]")).to_contain_text(
        re.compile(r"([\d,]+ of 12,001 rows checked|All 12,001 rows checked)")
    )
    screenshot("cascade-import-03-importing")
    expect(page.locator("[data-testid=import-message]")).to_contain_text(
        "12,001 goal(s) created, 0 updated in FY2027.", timeout=120_000
    )
    screenshot("cascade-import-04-done")
    assert Goal.objects.filter(cycle=cycle).count() == LEAVES + 1
    page.click("text=Open the cascade")
    expect(page).to_have_url(re.compile(rf"/strategy/cascade/\?cycle={cycle.pk}$"))
    print(f"\ncascade upload of {LEAVES + 1:,} rows: the page answered in {answered:.2f} s")
