"""The cascade's summary tiles open the goals they count; bars take the colour of the badge.

Issue "first run and daily use", item 5.
"""

import re
import statistics
from decimal import Decimal

import pytest
from django.urls import reverse

from strategy import selectors
from strategy.models import Goal
from strategy.templatetags.strategy_tree import progress_tone
from tests.factories import GoalFactory

pytestmark = pytest.mark.django_db

TILE = re.compile(
    r'<a class="card stat tile" href="(?P<href>[^"]+)" data-testid="tile-(?P<name>[a-z-]+)">'
    r'<span class="label">[^<]*</span><span class="value">(?P<value>[^<]*)</span>'
    r"<small>(?P<small>.*?)</small>",
    re.S,
)
MATCHED = re.compile(r"(\d+) of (\d+) goals match")


def cascade_url(org) -> str:
    return reverse("strategy:cascade", args=[org.slug])


@pytest.fixture
def mixed(cycle, executive, line):
    """Corporate goals with progress of their own, and goals in every status and confidence."""
    corp = [
        GoalFactory(cycle=cycle, key=f"C{i}", owner=executive, progress=Decimal(p),
                    confidence="on_track")
        for i, p in enumerate(["0.3000", "0.6500", "0.1234"])
    ]  # fmt: skip
    GoalFactory(cycle=cycle, key="C-DROPPED", status="dropped", progress=Decimal("0.9"))
    specs = [
        ("ON", "active", "on_track"), ("RISK", "active", "at_risk"),
        ("OFF", "active", "off_track"), ("NONE1", "active", ""), ("NONE2", "active", ""),
        ("DONE", "achieved", "at_risk"), ("MISS", "missed", "off_track"),
        ("DROP", "dropped", ""), ("DONE-NONE", "achieved", ""),
    ]  # fmt: skip
    for key, status, confidence in specs:
        GoalFactory(cycle=cycle, key=key, parent=corp[0], owner=line["lead"], status=status,
                    confidence=confidence, org_unit=line["desk"])  # fmt: skip
    return corp


def tiles(client, org) -> dict[str, dict]:
    page = client.get(cascade_url(org)).content.decode()
    return {m["name"]: m.groupdict() for m in TILE.finditer(page)}


def matched_on(client, org, href) -> int:
    page = client.get(cascade_url(org) + href.replace("&amp;", "&")).content.decode()
    found = MATCHED.search(page)
    assert found, page
    return int(found.group(1))


def test_each_count_tile_opens_exactly_the_goals_it_counts(client, viewer, org, cycle, mixed):
    client.force_login(viewer.user)
    shown = tiles(client, org)
    assert set(shown) == {"goals", "corporate", "attention", "no-checkin"}
    goals = Goal.objects.filter(cycle=cycle)
    expected = {
        "goals": goals.exclude(status="dropped").count(),
        "attention": goals.filter(status="active", confidence__in=["at_risk", "off_track"]).count(),
        "no-checkin": goals.filter(status="active", confidence="").count(),
    }
    assert expected == {"goals": 11, "attention": 2, "no-checkin": 2}
    for name, count in expected.items():
        assert int(shown[name]["value"]) == count, name
        assert matched_on(client, org, shown[name]["href"]) == count, name
    # The corporate tile opens the corporate goals that are not dropped.
    assert matched_on(client, org, shown["corporate"]["href"]) == 3


def test_corporate_progress_is_the_unrounded_mean_of_the_goals_its_tile_opens(
    client, viewer, org, cycle, mixed
):
    summary = selectors.cascade_tree(cycle=cycle).summary
    mean = statistics.fmean(float(g.progress) for g in mixed)  # dropped C-DROPPED left out
    assert summary["corporate_progress"] == pytest.approx(mean, rel=1e-12)
    assert summary["corporate_progress"] != round(summary["corporate_progress"], 2)
    client.force_login(viewer.user)
    assert tiles(client, org)["corporate"]["value"] == f"{mean * 100:.0f}%"


def test_no_checkin_tile_says_what_it_counts_not_the_legs(client, viewer, org, cycle, mixed):
    client.force_login(viewer.user)
    small = tiles(client, org)["no-checkin"]["small"]
    in_progress = Goal.objects.filter(cycle=cycle, status="active").count()
    assert "financial" not in small and "legs" not in small
    assert f"{2 / in_progress * 100:.0f}% of the {in_progress} goals in progress" in small
    summary = selectors.cascade_tree(cycle=cycle).summary
    assert summary["no_checkin_share"] == pytest.approx(2 / in_progress)


@pytest.mark.parametrize(
    ("status", "confidence", "tone"),
    [
        ("active", "on_track", "ok"),
        ("active", "at_risk", "warn"),
        ("active", "off_track", "bad"),
        ("active", "", ""),
        ("achieved", "at_risk", "ok"),
        ("missed", "on_track", "bad"),
        ("dropped", "on_track", "off"),
    ],
)
def test_bar_colour_follows_status_and_confidence(status, confidence, tone):
    assert progress_tone(Goal(status=status, confidence=confidence)) == tone


def test_an_on_track_goal_at_30_percent_has_a_green_bar(client, viewer, org, cycle, mixed):
    client.force_login(viewer.user)
    page = client.get(cascade_url(org), {"level": 1}).content.decode()
    goal = mixed[0]  # 30 % and on track
    bar = re.search(rf'data-testid="progress-{goal.id}".*?<div class="progress ([a-z]*)"', page)
    assert bar and bar.group(1) == "ok"
    assert re.search(rf'data-testid="goal-{goal.key}".*?On track', page, re.S)


def test_the_legend_explains_weights_and_colours(client, viewer, org, cycle, mixed):
    client.force_login(viewer.user)
    page = client.get(cascade_url(org)).content.decode()
    legend = re.search(r'data-testid="legend-weights">(.*?)</span>\s*</div>', page, re.S)
    assert legend and "counts twice as much" in legend.group(1)
    assert "off track or missed" in page


@pytest.mark.parametrize(
    "query",
    ["level=abc", "level=0", "level=99999999999999999999", "level=²", "confidence=zzz",
     "status=zzz", "confidence=attention&status=live&level=7"],
)  # fmt: skip
def test_bad_or_odd_filters_never_fail(client, viewer, org, cycle, mixed, query):
    client.force_login(viewer.user)
    assert client.get(cascade_url(org) + "?" + query).status_code == 200


def test_the_tree_api_takes_the_same_filters(as_user, viewer, org, cycle, mixed):
    api = as_user(viewer)
    base = f"/api/v1/orgs/{org.slug}/goals/tree/"
    assert api.get(base, {"confidence": "attention", "status": "active"}).json()["matched"] == 2
    assert api.get(base, {"level": 1, "status": "live"}).json()["matched"] == 3
    assert api.get(base, {"level": "abc"}).status_code == 400


def test_a_tile_list_reads_a_constant_number_of_queries(
    client, executive, org, cycle, mixed, line, django_assert_max_num_queries
):
    client.force_login(executive.user)
    query = {"status": "active", "confidence": "none"}
    with django_assert_max_num_queries(16) as small:
        assert client.get(cascade_url(org), query).status_code == 200
    for i in range(120):
        GoalFactory(cycle=cycle, key=f"MORE-{i}", parent=mixed[i % 3], owner=line["lead"],
                    org_unit=line["desk"], confidence="" if i % 2 else "at_risk")  # fmt: skip
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(cascade_url(org), query).content.decode()
    assert MATCHED.search(page).group(1) == str(2 + 60)
