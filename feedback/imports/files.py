"""Reading an uploaded feedback or customer file: its layout, header and rows in batches.

Pure: no database. The file is opened by the one reader of uploads (cxalign/tabular/read.py:
limits, encodings, quotes, NUL characters); this module knows the survey tools' layouts. CSV
goes through pyarrow's streaming reader (C++, quoted newlines, ragged rows reported by record
number); XLSX through openpyxl in read-only mode. Either way the rest of the engine sees batches
of string columns and the file's record number of their first row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import pyarrow as pa

from cxalign.tabular.read import (
    BLOCK_BYTES,
    NUL_ROW,
    Batch,
    FileProblem,
    Limits,
    check_encoding,
    csv_batches,
    csv_records,
    decode_head,
    detect_encoding,
    sniff_delimiter,
    xlsx_records,
)

__all__ = ["Batch", "FileInfo", "FileProblem", "info_from_json", "info_to_json", "inspect_file"]

SAMPLE_BYTES = 256 * 1024
XLSX_BATCH_ROWS = 50_000


@dataclass
class FileInfo:
    format: str  # "csv" or "xlsx"
    encoding: str = "utf-8"
    delimiter: str = ","
    header_rows: int = 1
    flavor: str = "generic"  # generic, qualtrics, surveymonkey, typeform
    headers: list[str] = field(default_factory=list)
    descriptions: list[str] = field(default_factory=list)  # question texts, when the file has them
    sample: list[list[str]] = field(default_factory=list)
    size: int = 0

    @property
    def label(self) -> str:
        if self.format == "xlsx":
            return "Excel workbook (.xlsx)"
        names = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
        return f"CSV, {self.encoding}, {names.get(self.delimiter, repr(self.delimiter))}-delimited"


_MAGIC = [
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0", "an old Excel (.xls) or Office file; save it as .xlsx or CSV"),
    (b"\x1f\x8b", "a gzip archive; unpack it first"),
]


def inspect_file(
    path: str | Path,
    *,
    max_bytes: int,
    name: str = "",
    encoding: str | None = None,
    limits: Limits | None = None,
) -> FileInfo:
    """Tell what the file is and read its header; raise FileProblem when it cannot be imported.

    `encoding` is the one a person chose for a CSV; without it, it is detected.
    """
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise FileProblem("The file is empty: export the survey again, with its responses.")
    if size > max_bytes:
        raise FileProblem(
            f"The file is {size / 1024 / 1024:.1f} MB; the limit is {max_bytes / 1024 / 1024:.0f} MB. "
            "Split it, or import it with the import_feedback command."
        )
    limits = limits or Limits.from_settings()
    with path.open("rb") as fh:
        head = fh.read(SAMPLE_BYTES)
    if head.startswith(b"PK\x03\x04"):
        info = _inspect_xlsx(path, limits)
    else:
        for magic, what in _MAGIC:
            if head.startswith(magic):
                raise FileProblem(
                    f"This is {what}, not a CSV or XLSX file{f' ({name})' if name else ''}."
                )
        info = _inspect_csv(head, size, encoding, limits)
    info.size = size
    if not info.headers:
        raise FileProblem("The file has no header row.")
    if not info.sample:
        raise FileProblem(
            "The file has a header but no rows: export the survey again with its responses."
        )
    return info


def _looks_binary(head: bytes, encoding: str) -> bool:
    return not encoding.startswith("utf-16") and b"\x00" in head[:8192]


def _inspect_csv(head: bytes, size: int, encoding: str | None, limits: Limits) -> FileInfo:
    encoding = check_encoding(encoding) if encoding else detect_encoding(head)
    if _looks_binary(head, encoding):
        raise FileProblem("This file is binary, not a CSV or XLSX export.")
    text = decode_head(head, encoding)
    if not text.strip():
        raise FileProblem("The file is empty: export the survey again, with its responses.")
    delimiter = sniff_delimiter(text)
    complete = size <= SAMPLE_BYTES
    records = []
    rows = csv_records(text, delimiter=delimiter, limits=limits, complete=complete)
    for record in rows:
        records.append(record.cells)
        if len(records) >= 9:
            break
    if not complete and len(records) > 1:
        records = records[:-1]  # the sample may end inside a record
    records = [r for r in records if any(cell.strip() for cell in r)]
    info = FileInfo(format="csv", encoding=encoding, delimiter=delimiter)
    _shape(info, [[c.strip() for c in r] for r in records])
    return info


def _shape(info: FileInfo, records: list[list[str]]) -> None:
    """Recognise the survey tool by its header rows and name the columns."""
    if not records:
        return
    first = records[0]
    info.header_rows = 1
    info.descriptions = [""] * len(first)
    if len(records) >= 3 and any(c.startswith('{"ImportId"') for c in records[2]):
        info.flavor = "qualtrics"
        info.header_rows = 3
        info.descriptions = (records[1] + [""] * len(first))[: len(first)]
    elif (
        len(records) >= 2
        and any(c in {"Response", "Open-Ended Response"} for c in records[1])
        and not any(_numberish(c) for c in records[1])
    ):
        info.flavor = "surveymonkey"
        info.header_rows = 2
        first = _surveymonkey_names(first, records[1])
    elif "#" in first and ({"Submitted At", "Submit Date (UTC)", "Network ID"} & set(first)):
        info.flavor = "typeform"
    info.headers = unique_names(first)
    width = len(info.headers)
    info.sample = [
        (r + [""] * width)[:width] for r in records[info.header_rows : info.header_rows + 5]
    ]


def _numberish(text: str) -> bool:
    return text.replace(".", "", 1).isdigit()


def _surveymonkey_names(top: list[str], sub: list[str]) -> list[str]:
    names, current = [], ""
    for i, name in enumerate(top):
        current = name or current
        detail = sub[i] if i < len(sub) else ""
        if detail in {"", "Response", "Open-Ended Response"} and name:
            names.append(name)
        elif detail and detail not in {"Response", "Open-Ended Response"}:
            names.append(f"{current} - {detail}" if current else detail)
        else:
            names.append(current or f"Column {i + 1}")
    return names


def unique_names(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    result = []
    for i, raw in enumerate(names):
        name = raw.strip() or f"Column {i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 1
        result.append(name)
    return result


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _inspect_xlsx(path: Path, limits: Limits) -> FileInfo:
    records = []
    with closing(xlsx_records(path, limits)) as rows:
        for record in rows:
            cells = [_cell(v).strip() for v in record.cells]
            if any(cells):
                records.append(cells)
            if len(records) >= 9:
                break
    while records and records[0] and not records[0][-1]:
        # Trailing empty header cells of a wide sheet.
        records[0] = records[0][:-1]
    info = FileInfo(format="xlsx", encoding="", delimiter="")
    _shape(info, records)
    return info


def iter_batches(
    path: str | Path,
    info: FileInfo,
    *,
    on_bytes: Callable[[int], None] | None = None,
    block_bytes: int = BLOCK_BYTES,
    limits: Limits | None = None,
) -> Iterator[Batch]:
    """The file's data rows as batches of string columns, in file order."""
    if info.format == "xlsx":
        yield from _iter_xlsx(Path(path), info, limits or Limits.from_settings())
        return
    yield from csv_batches(
        path,
        encoding=info.encoding,
        delimiter=info.delimiter,
        column_names=info.headers,
        skip_rows=info.header_rows,
        on_bytes=on_bytes,
        block_bytes=block_bytes,
    )


def _iter_xlsx(path: Path, info: FileInfo, limits: Limits) -> Iterator[Batch]:
    width = len(info.headers)
    columns: list[list[str]] = [[] for _ in range(width)]
    records: list[int] = []
    bad: list[tuple[int, str]] = []
    seen_headers = 0
    for record in xlsx_records(path, limits):
        cells = [_cell(v) for v in record.cells]
        if not any(c.strip() for c in cells):
            continue
        if seen_headers < info.header_rows:
            seen_headers += 1
            continue
        if record.nul:
            bad.append((record.number, NUL_ROW))
            continue
        if len(cells) > width:
            bad.append((record.number, f"The row has {len(cells)} values; the header has {width}."))
            continue
        cells += [""] * (width - len(cells))
        for i in range(width):
            columns[i].append(cells[i])
        records.append(record.number)
        if len(records) >= XLSX_BATCH_ROWS:
            yield Batch(_table(info.headers, columns), records, bad)
            columns = [[] for _ in range(width)]
            records, bad = [], []
    if records or bad:
        yield Batch(_table(info.headers, columns), records, bad)


def _table(headers: list[str], columns: list[list[str]]) -> pa.Table:
    return pa.table({h: pa.array(c, pa.string()) for h, c in zip(headers, columns, strict=True)})


def info_to_json(info: FileInfo) -> dict:
    return {
        "format": info.format,
        "encoding": info.encoding,
        "delimiter": info.delimiter,
        "header_rows": info.header_rows,
        "flavor": info.flavor,
        "headers": info.headers,
        "descriptions": info.descriptions,
        "sample": info.sample,
        "size": info.size,
    }


def info_from_json(data: dict) -> FileInfo:
    return FileInfo(**{k: data[k] for k in FileInfo.__dataclass_fields__ if k in data})
