"""Exports of the alignment pages: flags and the links document as CSV and XLSX.

Text cells go through feedback's `neutralise` (a leading = + - @ tab or CR gets an apostrophe),
so a spreadsheet shows them as text instead of running them as formulas. Numbers stay numbers,
unrounded.
"""

from __future__ import annotations

import csv
import io
import json

from alignment.models import Run
from feedback.exports import neutralise

FLAG_HEADER = ["flag_id", "cycle", "rule", "severity", "state", "title", "unit", "owner",
               "subjects", "evidence", "first_run", "last_run", "acknowledged_by",
               "acknowledged_at", "acknowledged_reason", "updated_at"]  # fmt: skip
LINKS_HEADER = ["run", "period", "first_day", "last_day", "segment", "group", "figure", "value"]
CLASS_GROUPS = ("promoters", "passives", "detractors")
CORRELATIONS = ("score_vs_churned", "score_vs_clv")


def _text(value) -> object:
    return neutralise("" if value is None else str(value))


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


def as_csv(header: list[str], rows: list[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return "\ufeff" + buffer.getvalue()  # BOM: Excel opens UTF-8 correctly


def as_xlsx(sheet_name: str, header: list[str], rows: list[list]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name)
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def flags_export(flags, fmt: str) -> tuple[bytes | str, str, str]:
    """(content, content type, file extension) of the flags in `fmt` (csv or xlsx)."""
    rows = flag_rows(flags)
    if fmt == "xlsx":
        return as_xlsx("Flags", FLAG_HEADER, rows), XLSX, "xlsx"
    return as_csv(FLAG_HEADER, rows), CSV, "csv"


def links_export(run: Run, fmt: str) -> tuple[bytes | str, str, str]:
    rows = links_rows(run)
    if fmt == "xlsx":
        return as_xlsx("Links", LINKS_HEADER, rows), XLSX, "xlsx"
    return as_csv(LINKS_HEADER, rows), CSV, "csv"


CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
