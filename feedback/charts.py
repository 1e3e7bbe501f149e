"""Plotly figures of the feedback pages, built from plain rows. Pure: no database."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from django.utils.html import format_html

from kpis import metrics


def trend_frame(rows: list[dict]) -> pd.DataFrame:
    """Monthly rows -> one row per theme and month with volume and NPS (unrounded)."""
    frame = pd.DataFrame(
        rows,
        columns=["theme_id", "theme__name", "month", "volume", "scored", "promoters", "detractors"],
    )
    if frame.empty:
        return frame.assign(nps=pd.Series(dtype=float))
    parts = zip(frame["promoters"], frame["detractors"], frame["scored"], strict=True)
    frame["nps"] = pd.Series(
        [metrics.nps(int(p), int(d), int(n)) for p, d, n in parts], index=frame.index, dtype=float
    )
    frame["month"] = pd.to_datetime(frame["month"], utc=True).dt.tz_localize(None)
    return frame.sort_values(["theme__name", "month"])


def theme_trend_figure(frame: pd.DataFrame, *, metric: str = "volume", title: str = "") -> str:
    """The chart as an HTML fragment for a page ("" without data)."""
    fig = theme_trend(frame, metric=metric, title=title)
    if fig is None:
        return ""
    # Drawn by static/js/charts.js: the CSP allows no inline script (to_html writes one).
    return format_html('<div class="cx-plot" data-plotly-figure="{}"></div>', fig.to_json())


def theme_trend(
    frame: pd.DataFrame, *, metric: str = "volume", title: str = ""
) -> go.Figure | None:
    """A line per theme over months; `metric` is volume (comments) or nps (-100..100)."""
    if frame.empty:
        return None
    fig = go.Figure()
    for name, part in frame.groupby("theme__name", sort=True):
        fig.add_trace(
            go.Scatter(x=part["month"], y=part[metric], mode="lines+markers", name=str(name))
        )
    first, last = frame["month"].min(), frame["month"].max()
    period = f"{first:%b %Y} – {last:%b %Y}"
    y_title = "Comments per month" if metric == "volume" else "NPS (−100 to 100)"
    fig.update_layout(
        title={"text": f"{title or 'Theme trend'} · {period}", "x": 0, "font": {"size": 15}},
        xaxis_title="Month the response was given",
        yaxis_title=y_title,
        height=340,
        margin={"l": 70, "r": 20, "t": 60, "b": 50},
        legend={"orientation": "h", "y": -0.25},
        template="plotly_white",
        font={"family": "DejaVu Sans, Arial, sans-serif", "size": 12},
    )
    if metric == "nps":
        fig.update_yaxes(range=[-100, 100], zeroline=True)
    return fig
