"""Every spreadsheet the product writes goes through here: CSV and XLSX exports (pages and
API) and the import error report, so no cell someone typed runs as a formula in Excel,
LibreOffice or Google Sheets.

A text cell starting with = + - @ TAB or CR gets a leading apostrophe (OWASP's advice against
CSV injection). Numbers stay numbers, and text that is only a plain number ("-5", "+3.5") is
left alone: no spreadsheet runs it, and a re-import reads it back as the number it was.
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence

from django.http import FileResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"  # Excel opens a UTF-8 CSV correctly only with it
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def neutralise(value):
    """`value` as a spreadsheet should show it: text that would start a formula gets a
    leading apostrophe; numbers, dates, None and other text come back unchanged."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_START)
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def restore(text: str) -> str:
    """The inverse of `neutralise` for a cell read back from one of our exports: "'=SUM(A1)"
    is the text "=SUM(A1)" a person typed (imports read what the exports wrote)."""
    if text[:1] == "'" and text[1:2] and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text


def cells(row: Iterable) -> list:
    """One row ready to write: every cell through `neutralise` (None stays None)."""
    return [neutralise(value) for value in row]


class CsvWriter:
    """`csv.writer` over `handle` whose every cell goes through `neutralise`; None is empty."""

    def __init__(self, handle):
        self._writer = csv.writer(handle)

    def writerow(self, row: Iterable):
        return self._writer.writerow(["" if v is None else v for v in cells(row)])


class _Echo:
    """A file that hands back what is written: `csv.writer` then returns each line."""

    def write(self, line: str) -> str:
        return line


def csv_lines(header: Sequence, rows: Iterable[Iterable]) -> Iterator[str]:
    """The CSV text line by line (a BOM first), rows consumed lazily."""
    writer = CsvWriter(_Echo())
    yield BOM + writer.writerow(header)
    for row in rows:
        yield writer.writerow(row)


def csv_response(header: Sequence, rows: Iterable[Iterable], *, filename: str):
    """A streamed CSV download: the header, then the rows as they are produced."""
    response = StreamingHttpResponse(csv_lines(header, rows), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def xlsx_file(header: Sequence, rows: Iterable[Iterable], *, sheet: str, widths: Sequence = ()):
    """A workbook written in openpyxl's streaming (write-only) mode into an anonymous temporary
    file, rewound: one sheet, a bold frozen header, optional column widths."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet[:31])
    worksheet.freeze_panes = "A2"  # set before the first row: write-only mode writes it first
    for number, width in enumerate(widths, start=1):
        worksheet.column_dimensions[get_column_letter(number)].width = width
    bold = Font(bold=True)
    head = [WriteOnlyCell(worksheet, value=value) for value in _xlsx_cells(header)]
    for cell in head:
        cell.font = bold
    worksheet.append(head)
    for row in rows:
        worksheet.append(_xlsx_cells(row))
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 -- the response closes it
    try:
        workbook.save(handle)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return handle


def _xlsx_cells(row: Iterable) -> list:
    """Cells of an XLSX row: control characters other than tab, LF and CR are not allowed in
    the format (openpyxl raises), so they go first; then `neutralise`, so that dropping one
    cannot uncover a formula."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return [neutralise(ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v) for v in row]


def xlsx_response(
    header: Sequence,
    rows: Iterable[Iterable],
    *,
    filename: str,
    sheet: str = "Sheet1",
    widths: Sequence = (),
):
    """An XLSX download, streamed from its temporary file."""
    handle = xlsx_file(header, rows, sheet=sheet, widths=widths)
    return FileResponse(
        handle, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )


def table_response(
    fmt: str, header: Sequence, rows: Iterable[Iterable], *, name: str, **xlsx_options
):
    """`name`.xlsx when `fmt` is "xlsx", else `name`.csv."""
    if fmt == "xlsx":
        return xlsx_response(header, rows, filename=f"{name}.xlsx", **xlsx_options)
    return csv_response(header, rows, filename=f"{name}.csv")
