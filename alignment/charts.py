"""Plotly charts of the alignment pages, built from a run's stored figures. Pure: no database.

Each chart returns {"title", "reading", "source", "html"}: a title, a one-line reading computed
from the figures, the period and run it comes from, and the figure as an HTML fragment (plotly.js
itself is loaded once by the page from our own static files).
"""

from __future__ import annotations

import plotly.graph_objects as go
from django.utils.html import format_html

ALL = "all"
CLASSES = (("promoters", "Promoters", "#2f9e44"), ("passives", "Passives", "#adb5bd"),
           ("detractors", "Detractors", "#c92a2a"))  # fmt: skip
PERIOD_COLORS = {"previous": "#a5b4fc", "current": "#3b5bdb"}
LAYOUT = {
    "height": 360,
    "margin": {"l": 70, "r": 20, "t": 30, "b": 60},
    "legend": {"orientation": "h", "y": -0.2},
    "template": "plotly_white",
    "font": {"family": "DejaVu Sans, Arial, sans-serif", "size": 12},
    "bargap": 0.25,
}


def source_line(periods: dict, run_id: int, finished_at) -> str:
    """Which period and run a chart comes from, in words."""
    cur, prev = periods.get("current", {}), periods.get("previous", {})
    when = f", finished {finished_at:%Y-%m-%d %H:%M}" if finished_at else ""
    return (
        f"Current period {cur.get('first_day')} to {cur.get('last_day')}, previous "
        f"{prev.get('first_day')} to {prev.get('last_day')} · run #{run_id}{when}"
    )


def _segments(block: dict) -> list[str]:
    return [n for n in sorted(block) if n != ALL] or ([ALL] if ALL in block else [])


def _html(fig: go.Figure) -> str:
    """The chart as data for static/js/charts.js (no inline script: the CSP forbids them)."""
    return format_html('<div class="cx-plot" data-plotly-figure="{}"></div>', fig.to_json())


def _num(value: float) -> str:
    return f"{value:+.1f}".replace("-", "−")


# ---------------------------------------------------------------- NPS by segment


def nps_reading(nps: dict) -> str:
    """The significant changes, else where NPS is highest and lowest now."""
    moved = [(n, e) for n, e in nps.items() if n != ALL and e.get("significant")]
    if moved:
        name, entry = max(moved, key=lambda kv: abs(kv[1]["change_points"]))
        word = "rose" if entry["change_points"] > 0 else "fell"
        more = (
            f" (and {len(moved) - 1} more segment{'s' * (len(moved) > 2)})"
            if len(moved) > 1
            else ""
        )
        return (f"NPS {word} significantly in {name}: {_num(entry['change_points'])} points, "
                f"z = {entry['change_z']:.1f}{more}.")  # fmt: skip
    known = [(n, e["current"]["nps"]) for n, e in nps.items()
             if n != ALL and e["current"].get("nps") is not None]  # fmt: skip
    if not known:
        return "No segment has NPS answers in the current period."
    high, low = max(known, key=lambda kv: kv[1]), min(known, key=lambda kv: kv[1])
    return (f"No segment changed significantly; NPS is highest in {high[0]} ({high[1]:.0f}) "
            f"and lowest in {low[0]} ({low[1]:.0f}).")  # fmt: skip


def nps_figure(nps: dict) -> go.Figure:
    names = [ALL, *_segments(nps)] if ALL in nps else _segments(nps)
    labels = ["All" if n == ALL else n for n in names]
    fig = go.Figure()
    for period in ("previous", "current"):
        values, up, down = [], [], []
        for name in names:
            f = nps[name][period]
            values.append(f.get("nps"))
            ok = f.get("nps") is not None and f.get("adjusted_low") is not None
            up.append(max(0.0, f["adjusted_high"] - f["nps"]) if ok else 0.0)
            down.append(max(0.0, f["nps"] - f["adjusted_low"]) if ok else 0.0)
        fig.add_trace(go.Bar(
            x=labels, y=values, name=f"{period.capitalize()} period",
            marker_color=PERIOD_COLORS[period],
            error_y={"type": "data", "symmetric": False, "array": up, "arrayminus": down,
                     "color": "#1b2333", "thickness": 1.2, "width": 4},
            hovertemplate="%{x}: NPS %{y:.1f}<extra>" + period + "</extra>",
        ))  # fmt: skip
    for name, label in zip(names, labels, strict=True):
        entry = nps[name]
        if entry.get("significant"):
            arrow = "▲" if entry["change_points"] > 0 else "▼"
            top = max(entry["current"].get("adjusted_high") or 0, 0)
            fig.add_annotation(x=label, y=top, text=f"{arrow} significant", showarrow=False,
                               yshift=14, font={"color": "#c92a2a" if arrow == "▼" else "#2f9e44"})  # fmt: skip
    fig.update_layout(**LAYOUT, barmode="group")
    fig.update_yaxes(title_text="NPS (points, −100 to 100)", range=[-100, 100], zeroline=True)
    fig.update_xaxes(title_text="Segment")
    return fig


def nps_chart(results: dict, source: str) -> dict | None:
    nps = results.get("nps") or {}
    if not nps:
        return None
    return {
        "id": "nps-by-segment",
        "title": "NPS by segment, with 95 % adjusted-Wald intervals",
        "reading": nps_reading(nps),
        "source": source,
        "html": _html(nps_figure(nps)),
    }


# ---------------------------------------------------------------- churn by class


def churn_reading(links: dict) -> str:
    """Where detractors churn most relative to promoters."""
    ratios = [(n, e["current"].get("churn_ratio_detractors_to_promoters"))
              for n, e in links.items() if n != ALL]  # fmt: skip
    ratios = [(n, r) for n, r in ratios if r is not None]
    if not ratios:
        return "Not enough promoters and detractors with churn data to compare them."
    name, ratio = max(ratios, key=lambda kv: kv[1])
    if ratio <= 1:
        return f"Detractors churn no more than promoters in any segment (highest ratio {ratio:.1f}× in {name})."
    return f"Detractors churn {ratio:.1f}× promoters in {name}."


def churn_figure(links: dict) -> go.Figure:
    names = _segments(links)
    fig = go.Figure()
    for key, label, color in CLASSES:
        rates = [links[n]["current"][key].get("churn_rate") for n in names]
        customers = [links[n]["current"][key].get("customers") for n in names]
        fig.add_trace(go.Bar(
            x=names, y=[None if r is None else 100 * r for r in rates], name=label,
            marker_color=color, customdata=customers,
            hovertemplate="%{x}: %{y:.1f} % of %{customdata} customers<extra>" + label + "</extra>",
        ))  # fmt: skip
    fig.update_layout(**LAYOUT, barmode="group")
    fig.update_yaxes(title_text="Churn rate (% of customers)", rangemode="tozero")
    fig.update_xaxes(title_text="Segment (customers classed by their latest answer)")
    return fig


def churn_chart(results: dict, source: str) -> dict | None:
    links = results.get("links") or {}
    if not _segments(links):
        return None
    return {
        "id": "churn-by-class",
        "title": "Churn rate of promoters, passives and detractors per segment (current period)",
        "reading": churn_reading(links),
        "source": source,
        "html": _html(churn_figure(links)),
    }


# ---------------------------------------------------------------- CLV by class


def clv_reading(links: dict) -> str:
    ratios = [(n, e["current"].get("clv_mean_ratio_promoters_to_detractors"))
              for n, e in links.items() if n != ALL]  # fmt: skip
    ratios = [(n, r) for n, r in ratios if r is not None]
    if not ratios:
        return "Not enough customers with a known CLV to compare the classes."
    name, ratio = max(ratios, key=lambda kv: kv[1])
    return f"Promoters are worth {ratio:.1f}× detractors on average in {name}."


def clv_figure(links: dict) -> go.Figure:
    names = _segments(links)
    fig = go.Figure()
    for key, label, color in CLASSES:
        fig.add_trace(go.Bar(
            x=names, y=[links[n]["current"][key].get("clv_mean") for n in names], name=label,
            marker_color=color, hovertemplate="%{x}: %{y:,.0f} EUR<extra>" + label + "</extra>",
        ))  # fmt: skip
    fig.update_layout(**LAYOUT, barmode="group")
    # Segments differ by orders of magnitude (SMB vs enterprise): a log axis keeps all readable.
    fig.update_yaxes(title_text="Mean CLV (EUR, log scale)", type="log", dtick=1, tickformat=",.0f")
    fig.update_xaxes(title_text="Segment")
    return fig


def clv_chart(results: dict, source: str) -> dict | None:
    links = results.get("links") or {}
    if not _segments(links):
        return None
    return {
        "id": "clv-by-class",
        "title": "Mean customer lifetime value by class per segment (current period)",
        "reading": clv_reading(links),
        "source": source,
        "html": _html(clv_figure(links)),
    }


def links_charts(results: dict, source: str) -> list[dict]:
    charts = (nps_chart(results, source), churn_chart(results, source), clv_chart(results, source))
    return [c for c in charts if c is not None]
