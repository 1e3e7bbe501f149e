"""Plotly figures of the feedback pages (feedback/charts.py): trend frames, theme trend and grid."""

import numpy as np
import pytest

from feedback import charts
from feedback.charts import theme_trend, theme_trend_figure, trend_frame
from tests.feedback.responses import TOL

pytestmark = pytest.mark.django_db


def _frame(themes: int):
    rows = [
        {"theme_id": t, "theme__name": f"Theme {t}", "month": f"2025-{m:02d}-01", "volume": 10,
         "scored": 10, "promoters": 5, "detractors": t % 5}
        for t in range(themes) for m in range(1, 7)
    ]  # fmt: skip
    return charts.trend_frame(rows)


def test_theme_grid_draws_one_panel_per_theme_on_shared_axes():
    names = [f"Theme {t}" for t in (3, 0, 1, 2, 4, 5, 6)]
    fig = charts.theme_grid(_frame(7), names=names, metric="nps", title="NPS")
    assert [trace.name for trace in fig.data] == names  # in the order asked, one trace each
    assert [a.text for a in fig.layout.annotations][: len(names)] == names
    assert fig.layout.yaxis.range == (-105, 105)
    assert fig.layout.xaxis.tickformat == "%b '%y"
    assert "Month the response was given" in [a.text for a in fig.layout.annotations]
    assert charts.theme_grid(_frame(0), names=[], metric="nps") is None


def test_trend_frame_leaves_a_month_without_scores_empty():
    rows = [
        {"theme_id": 1, "theme__name": "T", "month": "2024-01-01T00:00:00Z", "volume": 3,
         "scored": 3, "promoters": 1, "detractors": 0},
        {"theme_id": 1, "theme__name": "T", "month": "2024-02-01T00:00:00Z", "volume": 2,
         "scored": 0, "promoters": 0, "detractors": 0},
    ]  # fmt: skip
    nps = trend_frame(rows)["nps"].tolist()
    assert nps[0] == pytest.approx(100 / 3, abs=TOL) and np.isnan(nps[1])


def test_trend_chart_has_title_units_and_period():
    rows = [
        {
            "theme_id": 1,
            "theme__name": "Delivery",
            "month": "2024-01-01T00:00:00Z",
            "volume": 3,
            "scored": 3,
            "promoters": 1,
            "detractors": 1,
        },
        {
            "theme_id": 1,
            "theme__name": "Delivery",
            "month": "2024-02-01T00:00:00Z",
            "volume": 5,
            "scored": 4,
            "promoters": 3,
            "detractors": 0,
        },
    ]
    fig = theme_trend(trend_frame(rows), metric="nps", title="NPS by theme")
    assert fig.layout.title.text == "NPS by theme · Jan 2024 – Feb 2024"
    assert fig.layout.yaxis.title.text == "NPS (−100 to 100)"
    assert fig.layout.xaxis.title.text == "Month the response was given"
    assert list(fig.data[0].y) == [0, 75]
    assert "plotly" in theme_trend_figure(trend_frame(rows))
    assert theme_trend_figure(trend_frame([]), metric="volume") == ""
