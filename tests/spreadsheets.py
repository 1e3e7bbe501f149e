"""Spreadsheet files built byte by byte for the import tests: workbooks with a declared size,
zip and shared-text bombs, and a measure of what reading one costs."""

from __future__ import annotations

import gc
import io
import os
import signal
import time
import tracemalloc
import zipfile
from contextlib import contextmanager
from pathlib import Path
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def _parts(shared: bool) -> dict[str, str]:
    override = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{CT}.sharedStrings+xml"/>'
    return {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{CT}.worksheet+xml"/>'
            f"{override if shared else ''}</Types>"
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets><sheet name="Sheet1" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/worksheet" '
            'Target="worksheets/sheet1.xml"/>'
            + (
                f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
                if shared
                else ""
            )
            + "</Relationships>"
        ),
    }


def column_letter(n: int) -> str:
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def sheet_xml(rows: dict[int, list], dimension: str | None = None) -> str:
    """A sheet with these rows (row number -> values; None leaves a cell out, "" is kept)."""
    out = [f'<worksheet xmlns="{MAIN}">']
    if dimension:
        out.append(f'<dimension ref="{dimension}"/>')
    out.append("<sheetData>")
    for number, values in sorted(rows.items()):
        out.append(f'<row r="{number}">')
        for i, value in enumerate(values, start=1):
            ref = f"{column_letter(i)}{number}"
            if value is None:
                continue
            if isinstance(value, int | float):
                out.append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                out.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>')
        out.append("</row>")
    out.append("</sheetData></worksheet>")
    return "".join(out)


def workbook(sheet: str, *, shared_strings: str | None = None) -> bytes:
    """An XLSX holding one sheet (XML as from `sheet_xml`), optionally a shared-strings part."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in _parts(shared_strings is not None).items():
            archive.writestr(name, text)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        if shared_strings is not None:
            archive.writestr("xl/sharedStrings.xml", shared_strings)
    return out.getvalue()


def write_bomb(path: Path, *, part: str, megabytes: int) -> Path:
    """A workbook whose sheet or shared-strings part unpacks to `megabytes` of text."""
    header = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in _parts(part == "shared").items():
            archive.writestr(name, text)
        chunk = "x" * (1024 * 1024)
        if part == "shared":
            archive.writestr(
                "xl/worksheets/sheet1.xml",
                f'<worksheet xmlns="{MAIN}"><sheetData>{header}</sheetData></worksheet>',
            )
            with archive.open("xl/sharedStrings.xml", "w") as fh:
                fh.write(f'<sst xmlns="{MAIN}"><si><t>'.encode())
                for _ in range(megabytes):
                    fh.write(chunk.encode())
                fh.write(b"</t></si></sst>")
        else:
            with archive.open("xl/worksheets/sheet1.xml", "w") as fh:
                fh.write(f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" '.encode())
                fh.write(b't="inlineStr"><is><t>')
                for _ in range(megabytes):
                    fh.write(chunk.encode())
                fh.write(b"</t></is></c></row></sheetData></worksheet>")
    return path


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


class Cost:
    seconds = 0.0
    peak_mb = 0.0  # Python allocations at their peak (tracemalloc)
    rss_growth_mb = 0.0  # the process's resident memory, after minus before

    def __str__(self) -> str:
        return (
            f"{self.seconds:.3f} s, Python peak {self.peak_mb:.1f} MB, "
            f"RSS growth {self.rss_growth_mb:.1f} MB"
        )


@contextmanager
def measured(label: str, *, timeout: float = 20.0):
    """Time and memory of the block, printed; a block running past `timeout` fails."""
    cost = Cost()
    gc.collect()
    before = rss_mb()
    tracemalloc.start()

    def too_long(signum, frame):
        raise TimeoutError(f"{label}: still running after {timeout} s")

    previous = signal.signal(signal.SIGALRM, too_long)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    start = time.perf_counter()
    try:
        yield cost
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        cost.seconds = time.perf_counter() - start
        cost.peak_mb = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        tracemalloc.stop()
        cost.rss_growth_mb = rss_mb() - before
        print(f"\n[measured] {label}: {cost}")
