"""Plotly figures of the feedback pages, built from plain rows. Pure: no database."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cxalign.plots import FIGURE_LOOK, plot_html
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
    return plot_html(fig.to_json())


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
        **FIGURE_LOOK,
    )
    if metric == "nps":
        fig.update_yaxes(range=[-100, 100], zeroline=True)
    return fig


TOP_CHOICES = (3, 6, 9, 12)  # how many themes the themes page charts
DEFAULT_TOP = 6
GRID_COLUMNS = 3
GRID_COLOR = "#3b5bdb"


def theme_grid_figure(
    frame: pd.DataFrame, *, names: list[str], metric: str = "volume", title: str = ""
) -> str:
    """Small multiples as an HTML fragment for a page ("" without data)."""
    fig = theme_grid(frame, names=names, metric=metric, title=title)
    if fig is None:
        return ""
    return plot_html(fig.to_json())


def theme_grid(
    frame: pd.DataFrame, *, names: list[str], metric: str = "volume", title: str = ""
) -> go.Figure | None:
    """One small panel per theme (in the order of `names`), on shared axes: months along, the
    metric up (volume in comments, or NPS -100..100), so themes compare without a legend."""
    names = [n for n in names if n in set(frame["theme__name"])] if not frame.empty else []
    if not names:
        return None
    columns = min(GRID_COLUMNS, len(names))
    rows = -(-len(names) // columns)
    fig = make_subplots(
        rows=rows,
        cols=columns,
        shared_xaxes="all",
        shared_yaxes="all",
        subplot_titles=names,
        horizontal_spacing=0.05,
        vertical_spacing=0.5 / rows / 1.6 if rows > 1 else 0.1,
    )
    unit = "comments" if metric == "volume" else "NPS"
    for i, name in enumerate(names):
        part = frame[frame["theme__name"] == name]
        fig.add_trace(
            go.Scatter(
                x=part["month"],
                y=part[metric],
                mode="lines+markers",
                name=name,
                showlegend=False,
                line={"color": GRID_COLOR, "width": 2},
                marker={"size": 4},
                customdata=part["volume"],
                hovertemplate=f"%{{x|%b %Y}}: %{{y:.0f}} {unit}"
                + " (%{customdata} comments)<extra>"
                + name.replace("<", "&lt;")
                + "</extra>",
            ),
            row=i // columns + 1,
            col=i % columns + 1,
        )
    _grid_layout(fig, frame, rows=rows, metric=metric, title=title)
    return fig


def _grid_layout(fig: go.Figure, frame: pd.DataFrame, *, rows: int, metric: str, title: str):
    first, last = frame["month"].min(), frame["month"].max()
    y_title = "Comments per month" if metric == "volume" else "NPS (−100 to 100)"
    fig.update_layout(
        title={"text": f"{title} · {first:%b %Y} – {last:%b %Y}", "x": 0, "font": {"size": 15}},
        height=90 + 190 * rows,
        margin={"l": 70, "r": 20, "t": 80, "b": 60},
        **FIGURE_LOOK,
    )
    fig.update_annotations(font={"size": 12})
    # Few, short ticks: a panel is narrow, and month names must not run into each other.
    fig.update_xaxes(tickformat="%b '%y", nticks=4, tickangle=0, ticks="outside")
    fig.update_yaxes(title_text=y_title, row=(rows + 1) // 2, col=1)
    fig.add_annotation(
        text="Month the response was given",
        x=0.5,
        y=0,
        xref="paper",
        yref="paper",
        yshift=-45,
        showarrow=False,
        font={"size": 12},
    )
    if metric == "nps":
        fig.update_yaxes(range=[-105, 105], zeroline=True, zerolinecolor="#adb5bd", dtick=50)
    else:
        fig.update_yaxes(rangemode="tozero")
