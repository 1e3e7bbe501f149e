"""Exports of responses: CSV streamed row by row, XLSX written in openpyxl's streaming mode.

Cells starting with = + - @ (or a tab / carriage return) get a leading apostrophe so that a
spreadsheet shows them as text instead of running them as formulas.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.db.models import QuerySet

HEADER = [
    "response_id",
    "source",
    "responded_at",
    "customer_id",
    "nps",
    "csat",
    "ces",
    "channel",
    "segment",
    "touchpoint",
    "themes",
    "comment",
]
CHUNK = 2000


def neutralise(value) -> object:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _rows(responses: QuerySet) -> Iterator[list]:
    qs = responses.order_by("-responded_at", "-id")
    for r in qs.iterator(chunk_size=CHUNK):
        themes = "; ".join(name for name, _ in r.theme_names)
        yield [
            neutralise(r.response_id or r.key),
            neutralise(r.source.name),
            r.responded_at.isoformat() if r.responded_at else "",
            neutralise(r.customer_id),
            r.nps,
            r.csat,
            r.ces,
            neutralise(r.channel),
            neutralise(r.segment),
            neutralise(r.touchpoint.name if r.touchpoint else r.touchpoint_name),
            neutralise(themes),
            neutralise(r.comment),
        ]


class _Echo:
    def write(self, value):
        return value


def responses_csv(responses: QuerySet) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(HEADER)  # BOM: Excel opens UTF-8 correctly
    for row in _rows(responses):
        yield writer.writerow(["" if v is None else v for v in row])


def responses_xlsx(responses: QuerySet) -> Path:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Responses")
    sheet.append(HEADER)
    for row in _rows(responses):
        sheet.append(row)
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)  # noqa: SIM115
    handle.close()
    workbook.save(handle.name)
    return Path(handle.name)
