"""Reads of the feedback app (feedback/selectors.py): every NPS figure comes from kpis.metrics
(summary, theme figures and trend), checked against numpy on simulated answers, unrounded."""

import numpy as np
import pytest

from feedback import selectors
from feedback.charts import trend_frame
from feedback.models import Response, Theme
from tests.feedback.responses import TOL, make

pytestmark = pytest.mark.django_db


def numpy_nps(scores) -> float:
    x = np.asarray([s for s in scores if s is not None], dtype=float)
    return 100 * (np.mean(x >= 9) - np.mean(x <= 6))


def simulate(seed, n):
    scores = np.random.default_rng(seed).integers(0, 11, size=n).tolist()
    return scores + [None, None]  # unanswered NPS counts in volume, not in the score


def test_summary_is_unrounded_and_matches_numpy(org):
    scores = simulate(3, 301)
    make(org, scores)
    summary = selectors.nps_summary(Response.objects.for_org(org))
    assert summary["total"] == len(scores) and summary["scored"] == len(scores) - 2
    assert summary["nps"] == pytest.approx(numpy_nps(scores), abs=TOL)
    assert summary["nps"] != round(summary["nps"])  # left unrounded for the template
    assert selectors.nps_summary(Response.objects.none())["nps"] is None


def test_theme_figures_and_trend_are_unrounded_and_match_numpy(org):
    theme = Theme.objects.create(organization=org, name="Late")
    march, april = simulate(4, 97), simulate(5, 61)
    make(org, march, theme_ids=[theme.pk], month=3, prefix="m")
    make(org, april, theme_ids=[theme.pk], month=4, prefix="a")
    stats = selectors.theme_stats(organization=org)[theme.pk]
    assert stats["volume"] == len(march) + len(april)
    assert stats["nps"] == pytest.approx(numpy_nps(march + april), abs=TOL)
    frame = trend_frame(selectors.theme_trend_rows(organization=org, theme_ids=[theme.pk]))
    assert list(frame["nps"]) == pytest.approx([numpy_nps(march), numpy_nps(april)], abs=TOL)
