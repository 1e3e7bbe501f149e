"""Template tags of the goal tree (strategy/templatetags/strategy_tree.py): the bar colour."""

import pytest

from strategy.models import Goal
from strategy.templatetags.strategy_tree import progress_tone

pytestmark = pytest.mark.django_db


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
