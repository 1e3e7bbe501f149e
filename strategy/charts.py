"""Plotly figures of the strategy pages, built from plain values (no database)."""

import json

import plotly.graph_objects as go


def checkin_figure(*, goal, checkins) -> dict | None:
    """A goal's check-ins over time: the KPI's value against baseline and target, or the
    milestone's progress in %. None when fewer than two check-ins carry a number."""
    points = sorted(
        (c.created_at, c.value if goal.measure == "kpi" else c.progress)
        for c in checkins
        if (c.value if goal.measure == "kpi" else c.progress) is not None
    )
    if len(points) < 2:
        return None
    when = [p[0].date().isoformat() for p in points]
    if goal.measure == "kpi":
        values = [float(p[1]) for p in points]
        unit = goal.measure_unit or (goal.kpi.unit if goal.kpi_id else "")
        y_title = f"{goal.kpi.name if goal.kpi_id else 'Value'} ({unit})"
        title = f"{goal.key}: {goal.kpi.name if goal.kpi_id else 'KPI'} at each check-in"
    else:
        values = [round(float(p[1]) * 100, 1) for p in points]
        y_title = "Progress (%)"
        title = f"{goal.key}: progress at each check-in"
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=when, y=values, mode="lines+markers", name="Check-in",
                             line={"color": "#3b5bdb"}))  # fmt: skip
    if goal.measure == "kpi" and goal.target is not None:
        fig.add_hline(y=float(goal.target), line_dash="dash", line_color="#2f9e44",
                      annotation_text=f"target {goal.target.normalize():f}")  # fmt: skip
        if goal.baseline is not None:
            fig.add_hline(y=float(goal.baseline), line_dash="dot", line_color="#868e96",
                          annotation_text=f"baseline {goal.baseline.normalize():f}")  # fmt: skip
    elif goal.measure != "kpi":
        fig.update_yaxes(range=[0, 105])
    fig.update_layout(
        title={"text": title, "font": {"size": 14}},
        xaxis_title=f"Check-in date ({len(points)} check-ins, {when[0]} to {when[-1]})",
        yaxis_title=y_title,
        margin={"l": 60, "r": 20, "t": 50, "b": 60},
        height=300,
        paper_bgcolor="white",
        plot_bgcolor="white",
        showlegend=False,
    )
    fig.update_xaxes(gridcolor="#edf0f5")
    fig.update_yaxes(gridcolor="#edf0f5")
    return json.loads(fig.to_json())
