"""Opening uploaded CSV and XLSX files within limits: the one place that does.

Every import reads its file through here (feedback and customers, goals, journeys), so one set
of limits guards the web process and the workers alike:

* an XLSX is checked part by part before it is opened: the uncompressed sizes and compression
  ratios in its ZIP directory (a 32 KB "zip bomb" that unpacks to gigabytes is refused unread);
* only the cells a sheet really has are read, never its declared dimension (`A1:XFD1048576`
  would be 17 billion empty cells), and a row wider than the column limit is refused;
* NUL characters, which PostgreSQL cannot store, are removed and counted per record (the
  streaming reader refuses their rows instead);
* a CSV whose quote never closes is refused, naming the row where the quote opened;
* a file that is not UTF-8 is read in a guessed encoding, which callers show to the person.

Pure: no database. The limits' defaults come from settings (TABULAR_MAX_COLUMNS, XLSX_MAX_*).
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

MB = 1024 * 1024
RATIO_GRACE_BYTES = MB  # small parts (styles, themes) may compress very well
GUESS_BYTES = 64 * 1024
TAIL_CHARS = 64 * 1024
BLOCK_BYTES = MB  # small read blocks keep Arrow's buffers small...
CHUNK_ROWS = 25_000  # ...and are gathered into batches of this many rows
DELIMITERS = ",;\t|"
NUL_ROW = "The row holds a NUL character (\\0), which cannot be stored: remove it from the file."
NOT_A_WORKBOOK = (
    "This is not a readable Excel workbook (.xlsx). Save it again from Excel, or export CSV."
)
BROKEN_WORKBOOK = (
    "This is a ZIP file but not a readable Excel workbook (.xlsx). Save it again from Excel, "
    "or export CSV."
)

# Codec name -> what a person calls it. Guesses are made among these (in this order of
# preference when several read a file equally well); the feedback import offers them all.
ENCODINGS = {
    "utf-8": "UTF-8",
    "utf-16": "UTF-16",
    "cp1252": "Western European (Windows-1252)",
    "cp1250": "Central European (Windows-1250)",
    "cp1251": "Cyrillic (Windows-1251)",
    "cp1253": "Greek (Windows-1253)",
    "cp1254": "Turkish (Windows-1254)",
    "cp1257": "Baltic (Windows-1257)",
    "cp1255": "Hebrew (Windows-1255)",
    "cp1256": "Arabic (Windows-1256)",
    "cp1258": "Vietnamese (Windows-1258)",
    "cp874": "Thai (Windows-874)",
    "cp932": "Japanese (Shift JIS)",
    "gb18030": "Chinese, simplified (GB18030)",
    "big5": "Chinese, traditional (Big5)",
    "euc_kr": "Korean (EUC-KR)",
    "cp850": "Western European (DOS 850)",
    "cp437": "English (DOS 437)",
    "cp857": "Turkish (DOS 857)",
    "cp866": "Cyrillic (DOS 866)",
}
GUESSES = [name for name in ENCODINGS if not name.startswith("utf")]
UNICODE = {"utf-8", "utf-16"}


class FileProblem(Exception):
    """The file as a whole cannot be imported; the message says why and what to do."""

    def __init__(self, message: str, *, row: int | None = None):
        super().__init__(message)
        self.row = row  # the record it is about, when there is one


@dataclass(frozen=True)
class Limits:
    max_columns: int = 500
    max_unpacked_bytes: int = 1024 * MB  # all parts of a workbook together
    max_shared_strings_bytes: int = 100 * MB  # openpyxl holds this part in memory
    max_ratio: int = 100  # unpacked / packed size of one part

    @classmethod
    def from_settings(cls) -> Limits:
        from django.conf import settings

        return cls(
            max_columns=settings.TABULAR_MAX_COLUMNS,
            max_unpacked_bytes=settings.XLSX_MAX_UNPACKED_BYTES,
            max_shared_strings_bytes=settings.XLSX_MAX_SHARED_STRINGS_BYTES,
            max_ratio=settings.XLSX_MAX_RATIO,
        )


@dataclass
class Record:
    number: int  # the file's record (CSV) or sheet row (XLSX); 1 is the first
    cells: list  # strings (CSV) or cell values (XLSX), trailing empty cells left out for XLSX
    nul: int = 0  # NUL characters removed from its cells


@dataclass
class Batch:
    table: pa.Table  # string columns
    records: list[int]  # the file's record number (1 = first header row) of each row
    bad_rows: list[tuple[int, str]] = field(default_factory=list)  # (record, message)


def _size(n: int) -> str:
    return f"{n / MB:.1f} MB" if n >= MB / 10 else f"{n / 1024:.0f} KB"


# ---------------------------------------------------------------- text: encodings


def detect_encoding(head: bytes) -> str:
    """The encoding of a text file from its first bytes: a BOM, valid UTF-8, else a guess."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8"  # pyarrow and our sniffing skip the BOM
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return _guess(head[:GUESS_BYTES])


def _guess(sample: bytes) -> str:
    from charset_normalizer import from_bytes

    matches = list(from_bytes(sample, cp_isolation=GUESSES))  # those that decode cleanly
    if not matches:
        return "cp1252"
    rank = {name: i for i, name in enumerate(GUESSES)}

    def names(match) -> list[str]:
        return [match.encoding, *match.could_be_from_charset]

    # charset-normalizer alone read French as cp1250 ("Trčs") and German as cp850 ("f³r"):
    # in a short sample its measures barely differ. What tells is whether the characters
    # beyond ASCII come out as letters (or quotes and dashes) rather than symbols; then which
    # language the words look like; then Windows-1252, what Excel writes in the West; then the
    # fewest odd characters, and the more common code page.
    def key(match) -> tuple:
        return (
            -_plausible(str(match)),
            -round(match.coherence, 2),
            "cp1252" not in names(match),
            round(match.chaos, 2),
            min(rank.get(name, len(rank)) for name in names(match)),
        )

    best = min(matches, key=key)
    return min(names(best), key=lambda name: rank.get(name, len(rank)))


LETTERS = {"Lu", "Ll", "Lt", "Lo", "Mn", "Mc"}  # not Lm: the spacing accents ˇ ˘ ˙ are symbols
TYPOGRAPHY = set("“”„‘’‚«»‹›–—…€£¥¢§°·•¡¿ªº\u00a0")


def _plausible(text: str) -> float:
    """The share of non-ASCII characters that are letters or typographic punctuation."""
    beyond = [c for c in text if ord(c) > 127]
    if not beyond:
        return 1.0
    good = sum(1 for c in beyond if c in TYPOGRAPHY or unicodedata.category(c) in LETTERS)
    return round(good / len(beyond), 2)


def check_encoding(encoding: str) -> str:
    """The codec's own name for an encoding a person chose; FileProblem if Python lacks it."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError as exc:
        raise FileProblem(f"“{encoding}” is not a text encoding this server knows.") from exc
    return {"utf-8-sig": "utf-8", "utf-16-le": "utf-16", "utf-16-be": "utf-16"}.get(name, name)


def encoding_label(encoding: str) -> str:
    return ENCODINGS.get(encoding, encoding)


def encoding_note(encoding: str) -> str:
    """What to tell a person about the encoding their file was read in (empty for Unicode)."""
    if encoding in UNICODE:
        return ""
    return (
        f"The file is not valid UTF-8, so it was read as {encoding_label(encoding)}; if "
        "letters look wrong, save it as UTF-8 (in Excel: CSV UTF-8) and upload it again."
    )


def decode_head(head: bytes, encoding: str) -> str:
    """The text of a file's first bytes (the last character may be cut; no BOM)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    return decoder.decode(head, final=False).lstrip("\ufeff")


def decode(content: bytes, *, encoding: str | None = None) -> tuple[str, str]:
    """A whole small file as text, and the encoding it was read in (detected unless given)."""
    if encoding is None:
        encoding = detect_encoding(content[: 256 * 1024])
        if encoding == "utf-8":
            try:
                content.decode("utf-8")
            except UnicodeDecodeError as exc:  # valid at the start only: guess from where not
                start = max(0, exc.start - GUESS_BYTES // 2)
                encoding = _guess(content[start : start + GUESS_BYTES])
    codec = "utf-8-sig" if encoding == "utf-8" else encoding
    return content.decode(codec, errors="replace").lstrip("\ufeff"), encoding


# ---------------------------------------------------------------- text: CSV records


def sniff_delimiter(text: str, delimiters: str = DELIMITERS) -> str:
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines[:10]), delimiters=delimiters).delimiter
    except csv.Error:
        counts = {d: lines[0].count(d) for d in delimiters}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


class _Lines:
    """A text's lines for the csv module, counted; `done` once it asked past the last one."""

    def __init__(self, text: str):
        self._lines = iter(io.StringIO(text, newline=""))
        self.count = 0
        self.done = False

    def __iter__(self):
        return self

    def __next__(self) -> str:
        try:
            line = next(self._lines)
        except StopIteration:
            self.done = True
            raise
        self.count += 1
        return line


def unclosed_quote(row: int, line: int | None = None) -> FileProblem:
    where = f" (line {line} of the file)" if line and line != row else ""
    return FileProblem(
        f'Row {row}{where}: a quote (") opens in this row and is never closed, so every row '
        "after it would be read as part of one value. Close the quote (a quote meant as text "
        'is written twice, ""), then upload the file again.',
        row=row,
    )


def csv_records(
    text: str, *, delimiter: str = ",", limits: Limits | None = None, complete: bool = True
) -> Iterator[Record]:
    """The records of a CSV text (blank lines too, as empty records), NUL characters removed.

    FileProblem when a quote never closes (unless `complete` is False: the text is the start
    of a longer file, and its last record may be cut), a record cannot be parsed or is wider
    than the column limit.
    """
    limits = limits or Limits.from_settings()
    lines = _Lines(text)
    reader = csv.reader(lines, delimiter=delimiter)
    has_nul = "\x00" in text
    number = 0
    while True:
        first_line = lines.count + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise FileProblem(
                f"This is not a readable CSV (row {number + 1}, line {lines.count}): {exc}.",
                row=number + 1,
            ) from exc
        number += 1
        if lines.done:  # the reader hit the end inside a record: inside a quoted value
            if not complete:
                return
            raise unclosed_quote(number, first_line)
        nul = 0
        if has_nul:
            nul = sum(cell.count("\x00") for cell in cells)
            cells = [cell.replace("\x00", "") for cell in cells] if nul else cells
        if len(cells) > limits.max_columns:
            cells = cells[: _check_width(number, cells, limits)]
        yield Record(number, cells, nul)


def _check_width(number: int, cells, limits: Limits) -> int:
    """The row's width without trailing empty cells; FileProblem past the column limit."""
    width = len(cells)
    if width > limits.max_columns:
        tail = cells[limits.max_columns :]
        if tail.count(None) + tail.count("") == len(tail):
            width = limits.max_columns
        else:
            last = max(i for i, v in enumerate(cells) if v is not None and v != "") + 1
            raise FileProblem(
                f"Row {number} has a value in column {last:,} ({_column_letter(last)}); at most "
                f"{limits.max_columns:,} columns are read. Delete the columns the import does "
                "not need (or stray values far to the right), then upload the file again.",
                row=number,
            )
    while width and (cells[width - 1] is None or cells[width - 1] == ""):
        width -= 1
    return width


def _column_letter(n: int) -> str:
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# ---------------------------------------------------------------- XLSX


def check_xlsx(source: str | Path | IO[bytes], limits: Limits | None = None) -> None:
    """Refuse a workbook whose parts would unpack too big, before any part is unpacked.

    The sizes come from the ZIP directory; Python's zipfile never unpacks a part beyond its
    declared size (a part that lies about it fails its checksum instead).
    """
    limits = limits or Limits.from_settings()
    try:
        with zipfile.ZipFile(source) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise FileProblem(NOT_A_WORKBOOK) from exc
    for part in parts:
        _check_part(part, limits)
    total = sum(part.file_size for part in parts)
    if total > limits.max_unpacked_bytes:
        raise FileProblem(
            f"The workbook unpacks to {_size(total)}; at most "
            f"{_size(limits.max_unpacked_bytes)} is read. Export the sheet as CSV instead."
        )


def _check_part(part: zipfile.ZipInfo, limits: Limits) -> None:
    size, packed = part.file_size, max(part.compress_size, 1)
    if size > RATIO_GRACE_BYTES and size > limits.max_ratio * packed:
        raise FileProblem(
            f"The workbook's part {part.filename} unpacks from {_size(packed)} to {_size(size)}, "
            f"{size // packed:,} times its packed size (at most {limits.max_ratio} is accepted). "
            "A file packed this tightly is made to exhaust the server (a zip bomb), so it is "
            "not opened. Save it again from Excel, or export CSV."
        )
    shared = part.filename.lower().endswith("sharedstrings.xml")
    if shared and size > limits.max_shared_strings_bytes:
        raise FileProblem(
            f"The workbook's text ({part.filename}) unpacks to {_size(size)}; at most "
            f"{_size(limits.max_shared_strings_bytes)} is read. Export the sheet as CSV instead."
        )


def _open_workbook(source):
    import openpyxl

    if hasattr(source, "seek"):
        source.seek(0)
    try:
        return openpyxl.load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a ZIP that is not a workbook
        raise FileProblem(BROKEN_WORKBOOK) from exc


def xlsx_records(source: str | Path | IO[bytes], limits: Limits | None = None) -> Iterator[Record]:
    """The first sheet's rows that hold a value, as cell values (NUL characters removed).

    The workbook is checked (`check_xlsx`) before it is opened, and only the cells the sheet
    really has are read: its declared dimension is ignored. Close the iterator, or read it to
    the end, to close the workbook.
    """
    limits = limits or Limits.from_settings()
    check_xlsx(source, limits)
    workbook = _open_workbook(source)
    try:
        if not workbook.worksheets:
            raise FileProblem("The workbook has no sheet.")
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # a declared A1:XFD1048576 would be 17 billion empty cells
        yield from _sheet_records(sheet, limits)
    finally:
        workbook.close()


def _sheet_records(sheet, limits: Limits) -> Iterator[Record]:
    rows = sheet.iter_rows(values_only=True)
    number = 0
    while True:
        try:
            values = next(rows, None)
        except (SyntaxError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            raise FileProblem(
                f"The sheet cannot be read after row {number} ({exc}). Save it again from "
                "Excel, or export CSV.",
                row=number + 1,
            ) from exc
        if values is None:
            return
        number += 1
        if not values:
            continue  # a row the sheet does not have
        width = _check_width(number, values, limits)
        if not width:
            continue
        cells = list(values[:width])
        nul = 0
        for i, value in enumerate(cells):
            if isinstance(value, str) and "\x00" in value:  # from an escaped _x0000_
                nul += value.count("\x00")
                cells[i] = value.replace("\x00", "")
        yield Record(number, cells, nul)


# ---------------------------------------------------------------- CSV: streaming batches


class _CountingReader(io.RawIOBase):
    """Counts the bytes read (for progress) and notes whether one of them was NUL."""

    def __init__(self, fh, *, watch_nul: bool):
        self.fh = fh
        self.count = 0
        self.watch_nul = watch_nul
        self.nul_seen = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self.fh.readinto(buffer)
        self.count += n or 0
        if n and self.watch_nul and not self.nul_seen:
            self.nul_seen = b"\x00" in memoryview(buffer)[:n].tobytes()
        return n


def csv_batches(
    path: str | Path,
    *,
    encoding: str,
    delimiter: str,
    column_names: list[str],
    skip_rows: int,
    on_bytes: Callable[[int], None] | None = None,
    block_bytes: int = BLOCK_BYTES,
) -> Iterator[Batch]:
    """A CSV file's data records as batches of string columns, in file order (pyarrow, C++).

    Ragged records and records holding NUL come back as the batches' bad rows; FileProblem
    when the file is not in `encoding` or a quote never closes (found at the end of the file).
    """
    stream = _ArrowStream(Path(path), encoding, column_names, skip_rows)
    with stream.path.open("rb") as raw:
        counting = _CountingReader(raw, watch_nul=not encoding.startswith("utf-16"))
        reader = stream.open(io.BufferedReader(counting, buffer_size=MB), delimiter, block_bytes)
        pending: list[pa.RecordBatch] = []
        records: list[int] = []
        last = None
        for batch, numbers in stream.read(reader):
            last = (batch, numbers[-1]) if numbers else last
            if counting.nul_seen or not counting.watch_nul:
                batch, numbers = stream.drop_nul_rows(batch, numbers)
            pending.append(batch)
            records.extend(numbers)
            if len(records) >= CHUNK_ROWS:
                if on_bytes:
                    on_bytes(counting.count)
                yield Batch(pa.Table.from_batches(pending), records, stream.take_bad())
                pending, records = [], []
        stream.check_end(last)
        if pending or stream.has_bad():
            if on_bytes:
                on_bytes(counting.count)
            table = pa.Table.from_batches(pending) if pending else _empty_table(column_names)
            yield Batch(table, records, stream.take_bad())


class _ArrowStream:
    """pyarrow's streaming CSV reader, with the file's record number of every row."""

    def __init__(self, path: Path, encoding: str, column_names: list[str], skip_rows: int):
        self.path, self.encoding = path, encoding
        self.column_names, self.skip_rows = column_names, skip_rows
        self.ragged: list[tuple[int, str]] = []
        self.nul_rows: list[tuple[int, str]] = []
        self.last_ragged_text = ""
        self.taken = (0, 0)
        self.invalid: set[int] = set()
        self.registered = 0
        self.next_record = skip_rows + 1

    def _on_invalid(self, row) -> str:
        number = row.number if row.number is not None else -1
        message = f"The row has {row.actual_columns} values; the header has {row.expected_columns}."
        self.ragged.append((number, message))
        self.last_ragged_text = row.text or ""
        return "skip"

    def open(self, stream, delimiter: str, block_bytes: int):
        read_options = pacsv.ReadOptions(
            column_names=self.column_names,
            skip_rows=self.skip_rows,
            block_size=block_bytes,
            use_threads=False,
            encoding="utf8" if self.encoding in {"utf-8", "utf8"} else self.encoding,
        )
        parse_options = pacsv.ParseOptions(
            delimiter=delimiter,
            newlines_in_values=True,
            invalid_row_handler=self._on_invalid,
            ignore_empty_lines=True,
        )
        convert_options = pacsv.ConvertOptions(
            column_types={name: pa.string() for name in self.column_names},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        )
        try:
            return pacsv.open_csv(
                stream,
                read_options=read_options,
                parse_options=parse_options,
                convert_options=convert_options,
            )
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            raise FileProblem(_arrow_message(exc)) from exc

    def read(self, reader) -> Iterator[tuple[pa.RecordBatch, list[int]]]:
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                return
            except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
                raise FileProblem(_arrow_message(exc)) from exc
            yield batch, self._numbers(batch.num_rows)

    def _numbers(self, n: int) -> list[int]:
        for number, _ in self.ragged[self.registered :]:
            self.invalid.add(number)
        self.registered = len(self.ragged)
        if not self.invalid or max(self.invalid) < self.next_record:
            numbers = list(range(self.next_record, self.next_record + n))
            self.next_record += n
            return numbers
        numbers = []
        for _ in range(n):
            while self.next_record in self.invalid:
                self.next_record += 1
            numbers.append(self.next_record)
            self.next_record += 1
        return numbers

    def drop_nul_rows(self, batch: pa.RecordBatch, numbers: list[int]):
        """The batch without its rows holding NUL, which become bad rows."""
        mask = None
        for column in batch.columns:
            hit = pc.match_substring(column, "\x00")
            mask = hit if mask is None else pc.or_(mask, hit)
        if mask is None or not pc.any(mask).as_py():
            return batch, numbers
        flags = mask.to_pylist()
        self.nul_rows += [(n, NUL_ROW) for n, bad in zip(numbers, flags, strict=True) if bad]
        kept = [n for n, bad in zip(numbers, flags, strict=True) if not bad]
        return batch.filter(pc.invert(mask)), kept

    def take_bad(self) -> list[tuple[int, str]]:
        ragged, nul = self.taken
        self.taken = (len(self.ragged), len(self.nul_rows))
        return sorted(self.ragged[ragged:] + self.nul_rows[nul:])

    def has_bad(self) -> bool:
        return self.taken != (len(self.ragged), len(self.nul_rows))

    def check_end(self, last: tuple[pa.RecordBatch, int] | None) -> None:
        """FileProblem when the last record ran to the end of the file inside a quote."""
        text = self.last_ragged_text
        if text.count('"') % 2 and ("\n" in text or "\r" in text) and self._ends_file(text):
            raise unclosed_quote(self.next_record)
        if last is None:
            return
        batch, number = last
        value = batch.column(batch.num_columns - 1)[batch.num_rows - 1].as_py() or ""
        if ("\n" in value or "\r" in value) and self._ends_file(value):
            raise unclosed_quote(number)

    def _ends_file(self, text: str) -> bool:
        """Whether `text` (a value, or a record as written) runs to the very end of the file.

        A value that was properly quoted never does: the closing quote follows it.
        """
        needle = text.rstrip("\r\n")[-TAIL_CHARS:]
        codec = "utf-8" if self.encoding in {"utf-8", "utf8"} else self.encoding
        if codec == "utf-16":
            with self.path.open("rb") as fh:
                big = fh.read(2) == codecs.BOM_UTF16_BE
            codec = "utf-16-be" if big else "utf-16-le"
        size = self.path.stat().st_size
        want = min(size, len(needle.encode(codec, errors="replace")) + 16)
        with self.path.open("rb") as fh:
            fh.seek(size - want)
            tail = fh.read()
        return bool(needle) and tail.decode(codec, "ignore").rstrip("\r\n").endswith(needle)


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
