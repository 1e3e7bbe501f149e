"""Exports of the alignment pages: flags and the links document, their columns and rows.

Writing them (CSV or XLSX, formulas neutralised) is `cxalign.tabular.write`'s. Numbers stay
numbers, unrounded.
"""

from __future__ import annotations

import json

from alignment.models import Run
from cxalign.tabular.write import table_response

FLAG_HEADER = ["flag_id", "cycle", "rule", "severity", "state", "title", "unit", "owner",
               "subjects", "evidence", "first_run", "last_run", "acknowledged_by",
               "acknowledged_at", "acknowledged_reason", "updated_at"]  # fmt: skip
LINKS_HEADER = ["run", "period", "first_day", "last_day", "segment", "group", "figure", "value"]
CLASS_GROUPS = ("promoters", "passives", "detractors")
CORRELATIONS = ("score_vs_churned", "score_vs_clv")


def _text(value) -> str:
    return "" if value is None else str(value)


def flag_rows(flags) -> list[list]:
    rows = []
    for f in flags:
        subjects = "; ".join(f"{s.get('type')}: {s.get('label')}" for s in f.subjects or [])
        rows.append([
            f.id, _text(f.cycle.name), f.rule, f.severity, f.state, _text(f.title),
            _text(f.unit.name if f.unit else ""),
            _text(f.owner.display_name if f.owner else f.owner_label),
            _text(subjects), _text(json.dumps(f.evidence, sort_keys=True, default=str)),
            f.first_run_id, f.last_run_id,
            _text(f.acknowledged_by.display_name if f.acknowledged_by else ""),
            f.acknowledged_at.isoformat() if f.acknowledged_at else "",
            _text(f.acknowledged_reason), f.updated_at.isoformat(),
        ])  # fmt: skip
    return rows


def _period_rows(run: Run, period: str, bounds: dict) -> list[list]:
    """Long rows (segment, group, figure, value) of one period of the run."""
    head = [run.id, period, bounds.get("first_day"), bounds.get("last_day")]
    rows = []
    for segment, entry in sorted((run.results.get("nps") or {}).items()):
        for figure, value in (entry.get(period) or {}).items():
            rows.append([*head, _text(segment), "responses", figure, value])
        if period == "current":
            for figure in ("change_points", "change_z", "significant"):
                rows.append([*head, _text(segment), "change", figure, entry.get(figure)])
    for segment, entry in sorted((run.results.get("links") or {}).items()):
        block = entry.get(period) or {}
        for figure, value in block.items():
            if figure in CLASS_GROUPS or figure in CORRELATIONS:
                for name, inner in (value or {}).items():
                    rows.append([*head, _text(segment), figure, name, inner])
            else:
                rows.append([*head, _text(segment), "customers", figure, value])
    return rows


def links_rows(run: Run) -> list[list]:
    """One row per (period, segment, class/figure), then the value of moving detractors."""
    periods = run.results.get("periods") or {}
    rows = []
    for period in ("previous", "current"):
        rows += _period_rows(run, period, periods.get(period) or {})
    vom = run.results.get("value_of_moving") or {}
    cur = periods.get("current") or {}
    head = [run.id, "current", cur.get("first_day"), cur.get("last_day")]
    for segment, figures in sorted((vom.get("segments") or {}).items()):
        for figure, value in figures.items():
            rows.append([*head, _text(segment), "value_of_moving", figure, value])
    for figure in ("share", "value", "churn_avoided", "pooled_value", "simpson"):
        rows.append([*head, "all (sum over segments)", "value_of_moving", figure, vom.get(figure)])
    return rows


def flags_export(flags, *, fmt: str, name: str):
    """The download of the flags as `name`.csv or `name`.xlsx (`fmt`)."""
    return table_response(fmt, FLAG_HEADER, flag_rows(flags), name=name, sheet="Flags")


def links_export(run: Run, *, fmt: str, name: str):
    return table_response(fmt, LINKS_HEADER, links_rows(run), name=name, sheet="Links")
