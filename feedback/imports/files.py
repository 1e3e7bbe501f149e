"""Reading an uploaded file: what it is, how it is encoded and delimited, and its rows in batches.

Pure: no database. CSV goes through pyarrow's streaming reader (C++, quoted newlines, ragged rows
reported by record number); XLSX through openpyxl in read-only mode. Either way the rest of the
engine sees batches of string columns and the file's record number of their first row.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

SAMPLE_BYTES = 256 * 1024
BLOCK_BYTES = 1024 * 1024  # small read blocks keep Arrow's buffers small...
CHUNK_ROWS = 25_000  # ...and are gathered into chunks of this many rows
XLSX_BATCH_ROWS = 50_000
DELIMITERS = ",;\t|"


class FileProblem(Exception):
    """The file as a whole cannot be imported; the message says why and what to do."""


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


@dataclass
class Batch:
    table: pa.Table  # string columns named like FileInfo.headers
    records: list[int]  # the file's record number (1 = first header row) of each row
    bad_rows: list[tuple[int, str]]  # ragged rows: (record, message)


_MAGIC = [
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0", "an old Excel (.xls) or Office file; save it as .xlsx or CSV"),
    (b"\x1f\x8b", "a gzip archive; unpack it first"),
]


def inspect_file(path: str | Path, *, max_bytes: int, name: str = "") -> FileInfo:
    """Tell what the file is and read its header; raise FileProblem when it cannot be imported."""
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise FileProblem("The file is empty: export the survey again, with its responses.")
    if size > max_bytes:
        raise FileProblem(
            f"The file is {size / 1024 / 1024:.1f} MB; the limit is {max_bytes / 1024 / 1024:.0f} MB. "
            "Split it, or import it with the import_feedback command."
        )
    with path.open("rb") as fh:
        head = fh.read(SAMPLE_BYTES)
    if head.startswith(b"PK\x03\x04"):
        info = _inspect_xlsx(path)
    else:
        for magic, what in _MAGIC:
            if head.startswith(magic):
                raise FileProblem(
                    f"This is {what}, not a CSV or XLSX file{f' ({name})' if name else ''}."
                )
        info = _inspect_csv(head, size)
    info.size = size
    if not info.headers:
        raise FileProblem("The file has no header row.")
    if not info.sample:
        raise FileProblem(
            "The file has a header but no rows: export the survey again with its responses."
        )
    return info


def detect_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8"  # pyarrow and our sniffing skip the BOM
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(head[:65536]).best()
    encoding = (best.encoding if best else "cp1252").lower().replace("_", "-")
    # Survey tools on Windows write cp1252; latin-1 guesses are the same bytes for text.
    if encoding in {"latin-1", "iso8859-1", "iso-8859-1", "ascii"}:
        encoding = "cp1252"
    return encoding


def _decode_sample(head: bytes, encoding: str) -> str:
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    text = decoder.decode(head, final=False)
    return text.lstrip("\ufeff")


def _looks_binary(head: bytes, encoding: str) -> bool:
    return not encoding.startswith("utf-16") and b"\x00" in head[:8192]


def sniff_delimiter(text: str) -> str:
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines[:10]), delimiters=DELIMITERS).delimiter
    except csv.Error:
        counts = {d: lines[0].count(d) for d in DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def _inspect_csv(head: bytes, size: int) -> FileInfo:
    encoding = detect_encoding(head)
    if _looks_binary(head, encoding):
        raise FileProblem("This file is binary, not a CSV or XLSX export.")
    text = _decode_sample(head, encoding)
    if not text.strip():
        raise FileProblem("The file is empty: export the survey again, with its responses.")
    delimiter = sniff_delimiter(text)
    complete = size <= SAMPLE_BYTES
    records = []
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        for record in reader:
            records.append(record)
            if len(records) >= 9:
                break
    except csv.Error as exc:
        raise FileProblem(f"The file's first rows cannot be read as CSV: {exc}.") from exc
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


def _open_workbook(path: Path):
    import openpyxl

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileProblem(
            "This is a ZIP file but not a readable Excel workbook (.xlsx). Save it again from Excel, "
            "or export CSV."
        ) from exc


def _inspect_xlsx(path: Path) -> FileInfo:
    workbook = _open_workbook(path)
    try:
        sheet = workbook.worksheets[0]
        records = []
        for row in sheet.iter_rows(values_only=True):
            cells = [_cell(v).strip() for v in row]
            if any(cells):
                records.append(cells)
            if len(records) >= 9:
                break
    finally:
        workbook.close()
    while records and records[0] and not records[0][-1]:
        # Trailing empty header cells of a wide sheet.
        records[0] = records[0][:-1]
    info = FileInfo(format="xlsx", encoding="", delimiter="")
    _shape(info, records)
    return info


class _CountingReader(io.RawIOBase):
    def __init__(self, fh):
        self.fh = fh
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self.fh.readinto(buffer)
        self.count += n or 0
        return n


def iter_batches(
    path: str | Path,
    info: FileInfo,
    *,
    on_bytes: Callable[[int], None] | None = None,
    block_bytes: int = BLOCK_BYTES,
) -> Iterator[Batch]:
    """The file's data rows as batches of string columns, in file order."""
    if info.format == "xlsx":
        yield from _iter_xlsx(Path(path), info)
        return
    yield from _iter_csv(Path(path), info, on_bytes=on_bytes, block_bytes=block_bytes)


def _iter_csv(path: Path, info: FileInfo, *, on_bytes, block_bytes) -> Iterator[Batch]:
    bad: list[tuple[int, str]] = []

    def on_invalid(row) -> str:
        number = row.number if row.number is not None else -1
        bad.append(
            (
                number,
                f"The row has {row.actual_columns} values; the header has {row.expected_columns}.",
            )
        )
        return "skip"

    read_options = pacsv.ReadOptions(
        column_names=info.headers,
        skip_rows=info.header_rows,
        block_size=block_bytes,
        use_threads=False,
        encoding=info.encoding if info.encoding not in {"utf-8", "utf8"} else "utf8",
    )
    parse_options = pacsv.ParseOptions(
        delimiter=info.delimiter,
        newlines_in_values=True,
        invalid_row_handler=on_invalid,
        ignore_empty_lines=True,
    )
    convert_options = pacsv.ConvertOptions(
        column_types={name: pa.string() for name in info.headers},
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    with path.open("rb") as raw:
        counting = _CountingReader(raw)
        stream = io.BufferedReader(counting, buffer_size=1024 * 1024)
        try:
            reader = pacsv.open_csv(
                stream,
                read_options=read_options,
                parse_options=parse_options,
                convert_options=convert_options,
            )
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            raise FileProblem(_arrow_message(exc)) from exc
        next_record = info.header_rows + 1
        taken = 0
        pending: list[pa.RecordBatch] = []
        pending_records: list[int] = []
        invalid: set[int] = set()
        registered = 0
        while True:
            try:
                record_batch = reader.read_next_batch()
            except StopIteration:
                break
            except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
                raise FileProblem(_arrow_message(exc)) from exc
            n = record_batch.num_rows
            for number, _ in bad[registered:]:
                invalid.add(number)
            registered = len(bad)
            if not invalid or max(invalid) < next_record:
                pending_records.extend(range(next_record, next_record + n))
                next_record += n
            else:
                for _ in range(n):
                    while next_record in invalid:
                        next_record += 1
                    pending_records.append(next_record)
                    next_record += 1
            pending.append(record_batch)
            if len(pending_records) >= CHUNK_ROWS:
                new_bad, taken = bad[taken:], len(bad)
                if on_bytes:
                    on_bytes(counting.count)
                yield Batch(pa.Table.from_batches(pending), pending_records, new_bad)
                pending, pending_records = [], []
        if pending or bad[taken:]:
            if on_bytes:
                on_bytes(counting.count)
            table = pa.Table.from_batches(pending) if pending else _empty_table(info.headers)
            yield Batch(table, pending_records, bad[taken:])


def _empty_table(headers: list[str]) -> pa.Table:
    return pa.table({h: pa.array([], pa.string()) for h in headers})


def _arrow_message(exc: Exception) -> str:
    text = str(exc)
    if "UTF8" in text or "decode" in text.lower():
        return (
            "Part of the file is not in the text encoding of its beginning. Save it again as "
            "UTF-8 (in Excel: CSV UTF-8)."
        )
    return f"The file cannot be read as CSV: {text.splitlines()[0] if text else exc}"


def _iter_xlsx(path: Path, info: FileInfo) -> Iterator[Batch]:
    workbook = _open_workbook(path)
    width = len(info.headers)
    try:
        sheet = workbook.worksheets[0]
        columns: list[list[str]] = [[] for _ in range(width)]
        records: list[int] = []
        bad: list[tuple[int, str]] = []
        seen_headers = 0
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell(v) for v in row]
            if not any(c.strip() for c in cells):
                continue
            if seen_headers < info.header_rows:
                seen_headers += 1
                continue
            while cells and cells[-1] == "" and len(cells) > width:
                cells.pop()
            if len(cells) > width:
                bad.append((number, f"The row has {len(cells)} values; the header has {width}."))
                continue
            cells += [""] * (width - len(cells))
            for i in range(width):
                columns[i].append(cells[i])
            records.append(number)
            if len(records) >= XLSX_BATCH_ROWS:
                yield Batch(_table(info.headers, columns), records, bad)
                columns = [[] for _ in range(width)]
                records, bad = [], []
        if records or bad:
            yield Batch(_table(info.headers, columns), records, bad)
    finally:
        workbook.close()


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
