"""Plotly charts of the alignment pages, built from a run's stored figures. Pure: no database.

Each chart returns {"title", "reading", "source", "html"}: a title, a one-line reading computed
from the figures, the period and run it comes from, and the figure as an HTML fragment (plotly.js
itself is loaded once by the page from our own static files).
"""

from __future__ import annotations

import json

import plotly.graph_objects as go

from cxalign.plots import FIGURE_LOOK, PLAIN_LOOK, plot_html

ALL = "all"
CLASSES = (("promoters", "Promoters", "#2f9e44"), ("passives", "Passives", "#adb5bd"),
           ("detractors", "Detractors", "#c92a2a"))  # fmt: skip
PERIOD_COLORS = {"previous": "#a5b4fc", "current": "#3b5bdb"}
LAYOUT = {
    "height": 360,
    "margin": {"l": 70, "r": 20, "t": 30, "b": 60},
    "legend": {"orientation": "h", "y": -0.2},
    **FIGURE_LOOK,
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
    return plot_html(fig.to_json())


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


def clv_figure(links: dict, currency: str = "EUR") -> go.Figure:
    names = _segments(links)
    fig = go.Figure()
    for key, label, color in CLASSES:
        fig.add_trace(go.Bar(
            x=names, y=[links[n]["current"][key].get("clv_mean") for n in names], name=label,
            marker_color=color,
            hovertemplate=f"%{{x}}: %{{y:,.0f}} {currency}<extra>{label}</extra>",
        ))  # fmt: skip
    fig.update_layout(**LAYOUT, barmode="group")
    # Segments differ by orders of magnitude (SMB vs enterprise): a log axis keeps all readable.
    fig.update_yaxes(
        title_text=f"Mean CLV ({currency}, log scale)", type="log", dtick=1, tickformat=",.0f"
    )
    fig.update_xaxes(title_text="Segment")
    return fig


def clv_chart(results: dict, source: str, currency: str = "EUR") -> dict | None:
    links = results.get("links") or {}
    if not _segments(links):
        return None
    return {
        "id": "clv-by-class",
        "title": "Mean customer lifetime value by class per segment (current period)",
        "reading": clv_reading(links),
        "source": source,
        "html": _html(clv_figure(links, currency)),
    }


def links_charts(results: dict, source: str, currency: str = "EUR") -> list[dict]:
    """NPS, churn and CLV per segment; money in the organization's `currency` (ISO code)."""
    charts = (nps_chart(results, source), churn_chart(results, source),
              clv_chart(results, source, currency))  # fmt: skip
    return [c for c in charts if c is not None]


# ---------------------------------------------------------------- dashboard charts
# Built as plain figure dicts: plotly's Python objects cost 40-60 ms a chart to validate and
# serialise, and the dashboard draws eight of them on every request.

GRID = "#e9edf5"
AXIS = {"gridcolor": GRID, "zerolinecolor": "#c5cee0", "automargin": True}
PLAIN_LAYOUT = {
    "height": 340,
    "margin": {"l": 60, "r": 20, "t": 20, "b": 50},
    "legend": {"orientation": "h", "y": -0.22},
    **PLAIN_LOOK,
}
SEVERITY_COLORS = {"high": "#c92a2a", "medium": "#f08c00", "low": "#1971c2"}
STATUS_COLORS = {"on_track": "#2f9e44", "at_risk": "#f08c00", "off_track": "#c92a2a",
                 "achieved": "#1b7a36", "missed": "#862e2e", "": "#ced4da"}  # fmt: skip
SUNBURST_LIMIT = 250  # three rings at a time (maxdepth): more would not be readable


def figure_html(chart_id: str, data: list[dict], layout: dict) -> str:
    """A plotly figure as data for static/js/charts.js (the CSP allows no inline script); a
    click on a point whose customdata is a page path opens that page (data-plotly-drill)."""
    figure = json.dumps({"data": data, "layout": {**PLAIN_LAYOUT, **layout}}, allow_nan=False)
    height = int(layout.get("height", PLAIN_LAYOUT["height"]))
    attrs = f'class="plotly-graph-div" style="height:{height}px;width:100%" data-plotly-drill'
    return plot_html(figure, element_id=f"plot-{chart_id}", attrs=attrs)


def _chart(chart_id: str, title: str, reading: str, source: str, data, layout) -> dict:
    return {"id": chart_id, "title": title, "reading": reading, "source": source,
            "html": figure_html(chart_id, data, layout)}  # fmt: skip


def _money(value: float | None) -> str:
    if value is None:
        return "–"
    for size, suffix in ((1e9, " bn"), (1e6, " m"), (1e3, " k")):
        if abs(value) >= size:
            return f"{value / size:,.1f}{suffix}"
    return f"{value:,.0f}"


def segment_nps_reading(name: str, entry: dict | None) -> str:
    """One segment's NPS now, its change and whether the change is beyond noise."""
    current = (entry or {}).get("current") or {}
    if current.get("nps") is None:
        return f"No answers with a score from {name} in the current period."
    text = f"NPS in {name} is {current['nps']:.0f}"
    change = entry.get("change_points")
    if change is None:
        return text + " (no previous figure)."
    verdict = "a significant change" if entry.get("significant") else "within noise"
    return text + f", {_num(change)} points from the previous period ({verdict})."


def moving_reading(results: dict, currency: str = "EUR") -> str:
    vom = results.get("value_of_moving") or {}
    segments = [(n, m) for n, m in (vom.get("segments") or {}).items() if m.get("value")]
    if not segments:
        return "Not enough promoters and detractors with a known CLV to value a move."
    name, best = max(segments, key=lambda kv: kv[1]["value"])
    share = 100 * (vom.get("share") or 0)
    return (f"Moving {share:.0f} % of detractors to promoters is worth {_money(vom.get('value'))} "
            f"{currency} of CLV; most in {name} ({_money(best['value'])} {currency}).")  # fmt: skip


def moving_chart(results: dict, source: str, currency: str = "EUR") -> dict | None:
    """Per segment: revenue at risk (detractors' revenue) and the value of moving detractors."""
    links = results.get("links") or {}
    vom = results.get("value_of_moving") or {}
    names = sorted(n for n in (vom.get("segments") or {}) if n != ALL)
    if not names:
        return None
    share = 100 * (vom.get("share") or 0)
    risk = [((links.get(n) or {}).get("current") or {}).get("revenue_at_risk") for n in names]
    value = [vom["segments"][n].get("value") for n in names]
    data = [
        {"type": "bar", "x": names, "y": risk, "name": "Revenue at risk (detractors' revenue)",
         "marker": {"color": "#c92a2a"}, "hovertemplate": f"%{{x}}: %{{y:,.0f}} {currency}<extra>at risk</extra>"},
        {"type": "bar", "x": names, "y": value, "name": f"Value of moving {share:.0f} % of detractors (CLV)",
         "marker": {"color": "#2f9e44"}, "hovertemplate": f"%{{x}}: %{{y:,.0f}} {currency}<extra>value of moving</extra>"},
    ]  # fmt: skip
    layout = {"barmode": "group", "yaxis": {**AXIS, "title": {"text": currency}, "rangemode": "tozero"},
              "xaxis": {**AXIS, "title": {"text": "Segment"}}}  # fmt: skip
    return _chart("moving", "Revenue at risk and the value of moving detractors, per segment",
                  moving_reading(results, currency), source, data, layout)  # fmt: skip


def cascade_reading(rows: list[dict]) -> str:
    off = [r for r in rows if r.get("confidence") == "off_track" and r["status"] == "active"]
    risk = [r for r in rows if r.get("confidence") == "at_risk" and r["status"] == "active"]
    silent = [r for r in rows if not r.get("confidence") and r["status"] == "active"]
    return (f"{len(rows)} goals: {len(off)} off track, {len(risk)} at risk, "
            f"{len(silent)} without a check-in yet.")  # fmt: skip


def _state(r: dict) -> str:
    """A goal's color key: achieved or missed, else its latest confidence ("" without)."""
    return r["status"] if r["status"] in ("achieved", "missed") else r.get("confidence") or ""


def cascade_chart(*, rows: list[dict], source: str, unit: str = "") -> dict:
    """The cascade as a sunburst from the corporate goals out, colored by status and
    confidence (at most SUNBURST_LIMIT goals, the levels nearest the top first)."""
    ids = {r["id"] for r in rows}
    children: dict = {}
    for r in rows:
        children.setdefault(r["parent_id"] if r["parent_id"] in ids else None, []).append(r)
    shown, level = [], children.get(None, [])
    while level and len(shown) < SUNBURST_LIMIT:
        shown.extend(level[: SUNBURST_LIMIT - len(shown)])
        level = [c for r in level for c in children.get(r["id"], [])]
    kept = {r["id"] for r in shown}
    progress = lambda r: "–" if r.get("effective") is None else f"{100 * r['effective']:.0f} %"  # noqa: E731
    data = [{
        "type": "sunburst", "branchvalues": "remainder", "maxdepth": 3, "insidetextorientation": "radial",
        "ids": [str(r["id"]) for r in shown],
        "parents": [str(r["parent_id"]) if r["parent_id"] in kept else "" for r in shown],
        "labels": [(r["key"] or r["title"])[:28] for r in shown],
        "marker": {"colors": [STATUS_COLORS.get(_state(r), "#ced4da") for r in shown],
                   "line": {"color": "#ffffff", "width": 1}},
        "customdata": [[r["title"], r["org_unit__name"] or "no unit", r["leg"], progress(r),
                        _state(r).replace("_", " ") or "no check-in"] for r in shown],
        "hovertemplate": "<b>%{customdata[0]}</b><br>%{customdata[1]} · %{customdata[2]} leg<br>"
                         "progress %{customdata[3]} · %{customdata[4]}<extra></extra>",
    }]  # fmt: skip
    title = "The goal cascade by status and confidence" + (f" ({unit})" if unit else "")
    more = f" · {len(rows) - len(shown)} deeper goals not drawn" if len(rows) > len(shown) else ""
    layout = {"height": 400, "margin": {"l": 10, "r": 10, "t": 10, "b": 10}}
    return _chart("cascade", title, cascade_reading(rows), source + more, data, layout)


def flags_reading(rows: list[dict]) -> str:
    total = sum(r["open"] for r in rows)
    high = sum(r["open"] for r in rows if r["severity"] == "high")
    per_unit: dict = {}
    for r in rows:
        per_unit[r["unit"]] = per_unit.get(r["unit"], 0) + r["open"]
    unit, most = max(sorted(per_unit.items()), key=lambda kv: kv[1])
    return f"{total} unresolved flags, {high} high; most on {unit} ({most})."


def flags_chart(rows: list[dict], *, source: str, limit: int = 12) -> dict:
    """Unresolved flags per unit, stacked by severity; a bar opens the filtered flag list."""
    totals: dict = {}
    for r in rows:
        totals[r["unit"]] = totals.get(r["unit"], 0) + r["open"]
    units = sorted(totals, key=lambda u: (-totals[u], u))[:limit][::-1]
    data = []
    for severity in ("high", "medium", "low"):
        cells = {r["unit"]: r for r in rows if r["severity"] == severity}
        data.append({
            "type": "bar", "orientation": "h", "name": severity.capitalize(), "y": units,
            "x": [cells[u]["open"] if u in cells else 0 for u in units],
            "customdata": [[cells[u]["url"]] if u in cells else [""] for u in units],
            "marker": {"color": SEVERITY_COLORS[severity]},
            "hovertemplate": "%{y}: %{x} " + severity + " · click to list<extra></extra>",
        })  # fmt: skip
    layout = {"barmode": "stack", "height": max(260, 60 + 26 * len(units)),
              "margin": {"l": 10, "r": 20, "t": 10, "b": 50},
              "xaxis": {**AXIS, "title": {"text": "Unresolved flags (count)"}, "dtick": 1 if max(totals.values()) < 10 else None},
              "yaxis": {**AXIS, "title": {"text": ""}}}  # fmt: skip
    return _chart("flags", "Unresolved misalignment flags by unit and severity",
                  flags_reading(rows), source, data, layout)  # fmt: skip


def journey_reading(rows: list[dict]) -> str:
    known = [r for r in rows if r["nps"] is not None]
    if not known:
        return "No touchpoint has answers in the current period."
    low = min(known, key=lambda r: r["nps"])
    high = max(known, key=lambda r: r["nps"])
    return (f"Weakest: {low['stage']} for {low['audience']} (NPS {low['nps']:.0f}, "
            f"{low['responses']:,} answers); strongest: {high['stage']} for {high['audience']} "
            f"({high['nps']:.0f}).")  # fmt: skip


def journey_chart(rows: list[dict], source: str) -> dict:
    """Stages × audiences colored by NPS (current period); a cell opens the journey map."""
    stages = list(dict.fromkeys(r["stage"] for r in rows))
    audiences = list(
        dict.fromkeys(r["audience"] for r in sorted(rows, key=lambda r: (r["rank"], r["audience"])))
    )
    cells = {(r["stage"], r["audience"]): r for r in rows}
    z, text, custom = [], [], []
    for stage in stages:
        line = [cells.get((stage, a)) for a in audiences]
        z.append([c["nps"] if c else None for c in line])
        text.append([f"{c['nps']:.0f}" if c and c["nps"] is not None else "" for c in line])
        custom.append(
            [[c["url"], c["responses"], c["touchpoints"]] if c else ["", 0, 0] for c in line]
        )
    data = [{
        "type": "heatmap", "x": audiences, "y": stages, "z": z, "text": text, "customdata": custom,
        "texttemplate": "%{text}", "zmin": -100, "zmax": 100, "zmid": 0, "xgap": 3, "ygap": 3,
        "colorscale": [[0, "#c92a2a"], [0.5, "#f8f9fa"], [1, "#2f9e44"]],
        "colorbar": {"title": {"text": "NPS"}, "thickness": 12},
        "hovertemplate": "%{y} · %{x}<br>NPS %{z:.1f} from %{customdata[1]:,} answers "
                         "(%{customdata[2]} touchpoints)<extra>click: journey map</extra>",
    }]  # fmt: skip
    layout = {"height": max(280, 80 + 38 * len(stages)), "margin": {"l": 10, "r": 10, "t": 10, "b": 60},
              "xaxis": {**AXIS, "title": {"text": "Audience"}, "side": "bottom"},
              "yaxis": {**AXIS, "autorange": "reversed", "title": {"text": ""}}}  # fmt: skip
    return _chart("journey", "Journey heatmap: NPS (points) by stage and audience",
                  journey_reading(rows), source, data, layout)  # fmt: skip


def themes_chart(rows: list[dict], source: str) -> dict:
    """Share of responses per theme, previous vs current period."""
    names = [r["theme"] for r in rows][::-1]
    data = [
        {"type": "bar", "orientation": "h", "y": names, "name": f"{period.capitalize()} period",
         "x": [None if r[f"{period}_share"] is None else 100 * r[f"{period}_share"] for r in rows][::-1],
         "customdata": [[r["url"]] for r in rows][::-1], "marker": {"color": PERIOD_COLORS[period]},
         "hovertemplate": "%{y}: %{x:.1f} % of answers<extra>" + period + "</extra>"}
        for period in ("previous", "current")
    ]  # fmt: skip
    top = rows[0]
    ratio = top.get("share_ratio")
    reading = (f"“{top['theme']}” grew {ratio:.1f}× to {100 * (top['current_share'] or 0):.1f} % of answers."
               if ratio else f"“{top['theme']}” appeared in {100 * (top['current_share'] or 0):.1f} % of answers.")  # fmt: skip
    layout = {"barmode": "group", "height": max(240, 100 + 46 * len(rows)),
              "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
              "margin": {"l": 10, "r": 20, "t": 30, "b": 50},
              "xaxis": {**AXIS, "title": {"text": "Share of the period's answers (%)"}, "rangemode": "tozero"},
              "yaxis": {**AXIS}}  # fmt: skip
    return _chart("themes", "Rising themes: share of answers, previous vs current period",
                  reading, source, data, layout)  # fmt: skip


def engagement_chart(rows: list[dict], source: str, cadence: int, limit: int = 15) -> dict:
    """Share of each unit's active goals checked in within the cadence (lowest first)."""
    shown = [r for r in rows if r["share"] is not None][:limit][::-1]
    data = [{
        "type": "bar", "orientation": "h", "y": [r["unit"] for r in shown],
        "x": [100 * r["share"] for r in shown],
        "text": [f"{100 * r['share']:.0f} % of {r['goals']}" for r in shown],
        "textposition": "outside", "cliponaxis": False,
        "customdata": [[r["goals"], r["checked_in"], r["owed"]] for r in shown],
        "marker": {"color": ["#c92a2a" if r["share"] < 0.5 else "#f08c00" if r["share"] < 0.8
                             else "#2f9e44" for r in shown]},
        "hovertemplate": "%{y}: %{x:.0f} % (%{customdata[1]} of %{customdata[0]} goals; "
                         "%{customdata[2]} owed)<extra></extra>",
    }]  # fmt: skip
    low = shown[-1] if shown else None
    reading = (f"{low['unit']} checked in on {100 * low['share']:.0f} % of its goals in the last "
               f"{cadence} days; {sum(r['owed'] for r in rows)} check-ins owed in all."
               if low else "No active goals yet.")  # fmt: skip
    layout = {"height": max(220, 60 + 26 * len(shown)), "margin": {"l": 10, "r": 60, "t": 10, "b": 50},
              "xaxis": {**AXIS, "title": {"text": f"Goals checked in within {cadence} days (%)"},
                        "range": [0, 122], "tickvals": [0, 20, 40, 60, 80, 100]}, "yaxis": {**AXIS}}  # fmt: skip
    return _chart("engagement", "Check-in engagement per unit", reading, source, data, layout)
