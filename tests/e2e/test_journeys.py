"""Two people edit one journey map at once: live updates, drag and drop, and a conflict."""

import re

import pytest
from playwright.sync_api import expect

from cxalign.orgs.roles import Role
from journeys.models import Journey, Touchpoint
from tests.factories import (
    AudienceFactory,
    JourneyFactory,
    MembershipFactory,
    StageFactory,
    TouchpointFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIVE = 8000  # ms: polling runs every 2 s


def _column(page, stage):
    return page.locator(f"[data-testid=stage][data-stage-id='{stage.pk}']")


def _drag(page, source, target, journey):
    """Press, move in steps and release, as a person does (SortableJS needs the moves)."""
    # Wait until this page has applied every change so far: no live update redraws mid-drag.
    revision = Journey.objects.get(pk=journey.pk).revision
    page.wait_for_function("rev => window.cxJourney.state.revision >= rev", arg=revision)
    box = source.bounding_box()
    goal = target.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 20)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 10, box["y"] + 25, steps=3)
    page.mouse.move(goal["x"] + goal["width"] / 2, goal["y"] + goal["height"] / 2, steps=12)
    page.mouse.up()


def test_two_people_edit_the_same_map(browser, live_server, sign_in, screenshot, org):
    ana = MembershipFactory(organization=org, role=Role.MEMBER, user__username="ana")
    ben = MembershipFactory(organization=org, role=Role.MEMBER, user__username="ben")
    journey = JourneyFactory(
        audience=AudienceFactory(organization=org, name="Retailers"), name="Onboarding"
    )
    first = StageFactory(journey=journey, name="Discover", phase="before", emotion=1, position=1024)
    second = StageFactory(journey=journey, name="Buy", phase="during", emotion=-1, position=2048)
    card = TouchpointFactory(stage=first, name="Welcome email", channel="email", position=1024)
    url = f"{live_server.url}/o/{org.slug}/journeys/{journey.pk}/"
    page_a = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    page_b = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    sign_in(page_a, ana)
    sign_in(page_b, ben)
    _both_open_the_map(page_a, page_b, url, ana, ben)
    _ana_adds_a_card_and_moves_it(page_a, page_b, first, second, journey, screenshot)
    _both_edit_one_card(page_a, page_b, first, card, screenshot)
    _delete_undo_and_print(page_a, second, url, screenshot)


def _both_open_the_map(page_a, page_b, url, ana, ben):
    page_a.goto(url)
    page_b.goto(url)
    expect(page_a.locator("[data-testid=card]")).to_have_count(1)
    # Each sees that the other has the map open.
    expect(page_b.locator("[data-testid=presence]")).to_contain_text(
        ana.user.first_name, timeout=LIVE
    )
    expect(page_a.locator("[data-testid=presence]")).to_contain_text(
        ben.user.first_name, timeout=LIVE
    )


def _ana_adds_a_card_and_moves_it(page_a, page_b, first, second, journey, screenshot):
    # Ana adds a touchpoint; Ben sees it appear without reloading.
    _column(page_a, first).locator("[data-testid=add-touchpoint]").click()
    page_a.locator("[data-testid=composer-touchpoint]").fill("Setup call <b>now</b>")
    page_a.keyboard.press("Enter")
    expect(
        _column(page_a, first).locator("[data-testid=card-name]", has_text="Setup call")
    ).to_be_visible()
    expect(
        _column(page_b, first).locator("[data-testid=card-name]", has_text="Setup call <b>now</b>")
    ).to_be_visible(timeout=LIVE)
    page_a.keyboard.press("Escape")

    # Ana drags it into the next stage; it is saved and Ben sees it move.
    source = _column(page_a, first).locator("[data-testid=card]", has_text="Setup call")
    target = _column(page_a, second).locator("[data-testid=cards]")
    _drag(page_a, source, target, journey)
    expect(
        _column(page_a, second).locator("[data-testid=card]", has_text="Setup call")
    ).to_be_visible()
    new = Touchpoint.objects.get(name="Setup call <b>now</b>")
    for _ in range(40):
        new.refresh_from_db()
        if new.stage_id == second.pk:
            break
        page_a.wait_for_timeout(100)
    assert new.stage_id == second.pk
    expect(
        _column(page_b, second).locator("[data-testid=card]", has_text="Setup call")
    ).to_be_visible(timeout=LIVE)
    screenshot("journeys-01-board", page_a)


def _both_edit_one_card(page_a, page_b, first, card, screenshot):
    # Both open the same card; Ana saves first, Ben's save gets the conflict with his text kept.
    _column(page_a, first).locator("[data-testid=card]", has_text="Welcome email").click()
    _column(page_b, first).locator("[data-testid=card]", has_text="Welcome email").click()
    page_a.locator("[data-testid=field-notes]").fill("Ana: send within one hour")
    page_b.locator("[data-testid=field-notes]").fill("Ben: add the account manager's phone")
    page_a.locator("[data-testid=drawer-save]").click()
    expect(page_a.locator("[data-testid=drawer]")).not_to_have_class(re.compile(r"\bopen\b"))
    page_b.locator("[data-testid=drawer-save]").click()
    conflict = page_b.locator("[data-testid=conflict]")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("Someone else saved this")
    expect(conflict).to_contain_text("Ana: send within one hour")
    expect(page_b.locator("[data-testid=field-notes]")).to_have_value(
        "Ben: add the account manager's phone"
    )
    screenshot("journeys-02-conflict", page_b)
    card.refresh_from_db()
    assert card.notes == "Ana: send within one hour"

    # Ben re-applies his text on top of Ana's version.
    page_b.locator("[data-testid=drawer-save]").click()
    expect(page_b.locator("[data-testid=drawer]")).not_to_have_class(re.compile(r"\bopen\b"))
    card.refresh_from_db()
    assert card.notes == "Ben: add the account manager's phone"
    assert card.version == 3


def _delete_undo_and_print(page_a, second, url, screenshot):
    """Delete with undo, then the print view."""
    _column(page_a, second).locator("[data-testid=card]", has_text="Setup call").click()
    page_a.locator("[data-testid=drawer-delete]").click()
    expect(_column(page_a, second).locator("[data-testid=card]")).to_have_count(0)
    page_a.locator("[data-testid=undo]").click()
    expect(
        _column(page_a, second).locator("[data-testid=card]", has_text="Setup call")
    ).to_be_visible()

    page_a.goto(url + "print/")
    expect(page_a.locator("[data-testid=print-view]")).to_contain_text("Setup call <b>now</b>")
    screenshot("journeys-03-print", page_a)


def test_viewer_sees_the_board_read_only(page, live_server, sign_in, screenshot, org, viewer):
    journey = JourneyFactory(audience=AudienceFactory(organization=org), name="Purchase")
    stage = StageFactory(journey=journey, name="Buy")
    TouchpointFactory(stage=stage, name="<script>window.pwned=1</script>")
    sign_in(page, viewer)
    page.goto(f"{live_server.url}/o/{org.slug}/journeys/{journey.pk}/")
    expect(page.locator("[data-testid=card-name]")).to_have_text("<script>window.pwned=1</script>")
    assert page.evaluate("window.pwned") is None
    expect(page.locator("[data-testid=add-touchpoint]")).to_have_count(0)
    expect(page.locator("[data-testid=add-stage]")).to_have_count(0)


def test_rename_a_card_in_place_and_keep_text_on_conflict(page, live_server, sign_in, org, member):
    from journeys import services

    journey = JourneyFactory(audience=AudienceFactory(organization=org), name="Purchase")
    stage = StageFactory(journey=journey, name="Buy")
    card = TouchpointFactory(stage=stage, name="Checkout")
    sign_in(page, member)
    page.goto(f"{live_server.url}/o/{org.slug}/journeys/{journey.pk}/")
    page.locator("[data-testid=card]").hover()
    page.locator("[data-testid=rename]").click()
    page.locator("[data-testid=rename-input]").fill("One-page checkout")
    page.keyboard.press("Enter")
    expect(page.locator("[data-testid=card-name]")).to_have_text("One-page checkout")
    card.refresh_from_db()
    assert (card.name, card.version) == ("One-page checkout", 2)

    # Someone else renames it while this person is typing: the conflict keeps their text.
    page.locator("[data-testid=card]").hover()
    page.locator("[data-testid=rename]").click()
    services.touchpoint_update(touchpoint=card, data={"name": "Express checkout"}, version=2)
    page.locator("[data-testid=rename-input]").fill("Guest checkout")
    page.keyboard.press("Enter")
    expect(page.locator("[data-testid=conflict]")).to_contain_text("Express checkout")
    expect(page.locator("[data-testid=field-name]")).to_have_value("Guest checkout")
