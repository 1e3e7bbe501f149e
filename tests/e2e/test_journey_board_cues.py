"""The journey board: a scroll cue and keyboard scrolling for stages past the viewport, a new
card's channel from its name, and a live badge that says "Live" once the first poll answers.

Issue "first run and daily use", items 14 and 15.
"""

import re

import pytest
from playwright.sync_api import expect

from journeys.models import Touchpoint
from tests.factories import AudienceFactory, JourneyFactory, StageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIVE = 8000  # ms: polls run every 2 s
# Every text the live badge shows, from the first paint on.
RECORD_BADGE = """
window.__badge = [];
document.addEventListener("DOMContentLoaded", () => {
  const live = document.getElementById("jr-live");
  const note = () => window.__badge.push(live.textContent.trim());
  note();
  new MutationObserver(note).observe(live, { subtree: true, childList: true, characterData: true });
});
"""
LEFT, RIGHT = re.compile(r"\bcan-left\b"), re.compile(r"\bcan-right\b")
SCROLLED = "() => document.getElementById('jr-board-wrap').scrollLeft"


def wide_journey(org, stages: int = 9):
    journey = JourneyFactory(audience=AudienceFactory(organization=org), name="Onboarding")
    for i in range(stages):
        StageFactory(journey=journey, name=f"Stage {i + 1}", position=(i + 1) * 1024)
    return journey


def test_stages_past_the_viewport_have_a_scroll_cue_and_keyboard_scrolling(
    page, live_server, sign_in, screenshot, org, member
):
    journey = wide_journey(org)
    sign_in(page, member)
    page.goto(f"{live_server.url}/o/{org.slug}/journeys/{journey.pk}/")
    frame = page.locator("[data-testid=board-frame]")
    expect(page.locator("[data-testid=stage]")).to_have_count(9)
    expect(frame).to_have_class(RIGHT)
    expect(frame).not_to_have_class(LEFT)
    expect(page.locator("[data-testid=scroll-right]")).to_be_visible()
    expect(page.locator("[data-testid=scroll-left]")).to_be_hidden()
    screenshot("journeys-10-board-scroll-cue")

    # The arrow button scrolls to the later stages; the left cue appears.
    page.locator("[data-testid=scroll-right]").click()
    page.wait_for_function(SCROLLED + " > 150")
    expect(frame).to_have_class(LEFT)
    expect(frame).to_have_class(RIGHT)
    expect(page.locator("[data-testid=scroll-left]")).to_be_visible()

    # The keyboard: Home, End and the arrow keys once the board has focus.
    page.locator("#jr-board-wrap").focus()
    page.keyboard.press("Home")
    page.wait_for_function(SCROLLED + " === 0")
    page.keyboard.press("ArrowRight")
    page.wait_for_function(SCROLLED + " > 150")
    page.keyboard.press("End")
    page.wait_for_function(
        "() => { const w = document.getElementById('jr-board-wrap');"
        " return w.scrollLeft >= w.scrollWidth - w.clientWidth - 1; }"
    )
    expect(frame).to_have_class(LEFT)
    expect(frame).not_to_have_class(RIGHT)
    expect(page.locator("[data-testid=scroll-right]")).to_be_hidden()
    expect(page.locator("[data-testid=stage]").last).to_be_in_viewport()
    screenshot("journeys-11-board-scrolled-to-the-end")


def test_a_board_that_fits_shows_no_cue(page, live_server, sign_in, org, member):
    journey = wide_journey(org, stages=2)
    sign_in(page, member)
    page.goto(f"{live_server.url}/o/{org.slug}/journeys/{journey.pk}/")
    expect(page.locator("[data-testid=stage]")).to_have_count(2)
    assert page.evaluate(
        "() => { const w = document.getElementById('jr-board-wrap');"
        " return w.scrollWidth <= w.clientWidth; }"
    )
    expect(page.locator("[data-testid=board-frame]")).not_to_have_class(RIGHT)
    expect(page.locator("[data-testid=board-frame]")).not_to_have_class(LEFT)
    expect(page.locator("[data-testid=scroll-right]")).to_be_hidden()


def test_a_new_card_takes_its_channel_from_its_name_or_none(
    page, live_server, sign_in, screenshot, org, member
):
    journey = wide_journey(org, stages=2)
    stage = journey.stages.order_by("position").first()
    sign_in(page, member)
    page.goto(f"{live_server.url}/o/{org.slug}/journeys/{journey.pk}/")
    column = page.locator(f"[data-testid=stage][data-stage-id='{stage.pk}']")
    for name in ("SMS reminder", "Welcome pack"):
        column.locator("[data-testid=add-touchpoint]").click()
        page.locator("[data-testid=composer-touchpoint]").fill(name)
        page.keyboard.press("Enter")
        expect(column.locator("[data-testid=card-name]", has_text=name)).to_be_visible()
        page.keyboard.press("Escape")
    sms = column.locator("[data-testid=card]", has_text="SMS reminder")
    plain = column.locator("[data-testid=card]", has_text="Welcome pack")
    expect(sms.locator(".jr-channel")).to_have_text("SMS / text message")
    expect(plain.locator("[data-testid=no-channel]")).to_have_text("No channel")
    assert Touchpoint.objects.get(name="Welcome pack").channel == ""
    assert Touchpoint.objects.get(name="SMS reminder").channel == "sms"
    plain.click()
    expect(page.locator("[data-testid=field-channel]")).to_have_value("")
    screenshot("journeys-12-new-cards-channels")


def test_the_badge_says_live_once_the_first_poll_answers(
    page, live_server, sign_in, screenshot, org, member
):
    journey = wide_journey(org, stages=2)
    sign_in(page, member)
    polls = []

    def first_poll_lost(route):
        polls.append(route.request.url)
        if len(polls) == 1:
            route.abort()  # the first answer never arrives (a restart, a flaky network)
        else:
            route.continue_()

    page.route("**/changes/**", first_poll_lost)
    page.add_init_script(RECORD_BADGE)
    page.goto(f"{live_server.url}/o/{org.slug}/journeys/{journey.pk}/")
    badge = page.locator("[data-testid=live-status]")
    expect(badge).to_have_text("Live", timeout=LIVE)
    shown = page.evaluate("window.__badge")
    assert shown[0] == "Connecting…"  # not "Live" before anything answered
    assert "Reconnecting…" not in shown, shown
    assert len(polls) >= 2
    screenshot("journeys-13-live-after-first-answer")


def test_the_badge_says_reconnecting_when_polls_keep_failing(
    page, live_server, sign_in, org, member
):
    journey = wide_journey(org, stages=2)
    sign_in(page, member)
    page.route("**/changes/**", lambda route: route.abort())
    page.goto(f"{live_server.url}/o/{org.slug}/journeys/{journey.pk}/")
    expect(page.locator("[data-testid=live-status]")).to_have_text("Reconnecting…", timeout=LIVE)
    page.unroute("**/changes/**")
    expect(page.locator("[data-testid=live-status]")).to_have_text("Live", timeout=LIVE)
