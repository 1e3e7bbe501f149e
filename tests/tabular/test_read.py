"""The one reader of uploaded spreadsheets (cxalign/tabular/read.py), without a database: XLSX
bombs refused before they are unpacked, declared dimensions ignored, the column limit, NUL
characters, unclosed quotes and files that are not UTF-8."""

import io
import zipfile

import openpyxl  # noqa: F401  (imported here, so the measurements below leave its import out)
import pytest

from cxalign.tabular.read import (
    NUL_ROW,
    FileProblem,
    Limits,
    check_xlsx,
    csv_batches,
    csv_records,
    decode,
    detect_encoding,
    encoding_note,
    xlsx_records,
)
from tests.spreadsheets import measured, sheet_xml, workbook, write_bomb

LIMITS = Limits()


def records(data: bytes, limits: Limits = LIMITS) -> list[tuple[int, list]]:
    return [(r.number, r.cells) for r in xlsx_records(io.BytesIO(data), limits)]


# ---------------------------------------------------------------- XLSX bombs


def test_zip_bomb_is_refused_unread(tmp_path):
    """A 10 MB sheet packed into a few KB (the issue's 32 KB workbook) is refused by its ratio."""
    path = write_bomb(tmp_path / "bomb.xlsx", part="sheet", megabytes=10)
    assert path.stat().st_size < 40 * 1024
    with measured("zip bomb, 10 MB sheet") as cost, pytest.raises(FileProblem) as exc:
        list(xlsx_records(path, LIMITS))
    assert "zip bomb" in str(exc.value) and "xl/worksheets/sheet1.xml" in str(exc.value)
    assert cost.peak_mb < 50


def test_shared_strings_bomb_is_refused_unread(tmp_path):
    """The issue's 678 KB workbook with a 315 MB shared-strings part took the server to 1.36 GB."""
    path = write_bomb(tmp_path / "strings.xlsx", part="shared", megabytes=315)
    assert path.stat().st_size < 1024 * 1024
    with measured("shared-strings bomb, 315 MB") as cost, pytest.raises(FileProblem) as exc:
        list(xlsx_records(path, LIMITS))
    assert "zip bomb" in str(exc.value) and "sharedStrings.xml" in str(exc.value)
    assert cost.peak_mb < 50


def test_large_shared_strings_are_refused_even_when_they_pack_badly():
    text = "".join(f"<si><t>{i:08x}{'%032x' % (i * 2654435761)}</t></si>" for i in range(60_000))
    shared = f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{text}</sst>'
    data = workbook(sheet_xml({1: ["a"]}), shared_strings=shared)
    with pytest.raises(FileProblem, match=r"text \(xl/sharedStrings.xml\) unpacks to \d\.\d MB"):
        check_xlsx(io.BytesIO(data), Limits(max_shared_strings_bytes=1024 * 1024))
    check_xlsx(io.BytesIO(data), LIMITS)  # within the default limit


def test_the_whole_workbook_has_an_unpacked_limit():
    data = workbook(sheet_xml({1: ["a"], 2: ["b"]}))
    with pytest.raises(FileProblem, match="The workbook unpacks to"):
        check_xlsx(io.BytesIO(data), Limits(max_unpacked_bytes=1000))


def test_a_part_lying_about_its_size_fails_its_checksum():
    data = bytearray(workbook(sheet_xml({1: ["a" * 5_000_000]})))
    name = b"xl/worksheets/sheet1.xml"
    at = data.find(b"PK\x01\x02")
    while at != -1:  # declare 1,000 bytes in the ZIP directory for the 5 MB sheet
        length = int.from_bytes(data[at + 28 : at + 30], "little")
        if data[at + 46 : at + 46 + length] == name:
            data[at + 24 : at + 28] = (1000).to_bytes(4, "little")
        at = data.find(b"PK\x01\x02", at + 4)
    with measured("sheet declaring 1 KB, holding 5 MB") as cost, pytest.raises(FileProblem):
        records(bytes(data))
    assert cost.peak_mb < 50


def test_not_a_zip_is_not_a_workbook():
    with pytest.raises(FileProblem, match=r"not a readable Excel workbook \(.xlsx\)"):
        records(b"not a zip")
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(FileProblem, match="ZIP file but not a readable Excel workbook"):
        records(broken.getvalue())


# ---------------------------------------------------------------- declared dimension, columns


def test_declared_dimension_is_ignored():
    """`A1:XFD1048576`, data in rows 1 and 1,048,576: only real cells are read (was hours)."""
    sheet = sheet_xml({1: ["id", "nps", "comment"], 1048576: ["R1", 9, "fine"]}, "A1:XFD1048576")
    # 0.1 s alone; tracemalloc slows openpyxl's million empty rows to seconds: a loose guard.
    with measured("dimension A1:XFD1048576, rows 1 and 1,048,576", timeout=120) as cost:
        rows = records(workbook(sheet))
    assert rows == [(1, ["id", "nps", "comment"]), (1048576, ["R1", 9, "fine"])]
    assert cost.peak_mb < 50


def test_declared_3000_rows_read_in_a_blink():
    """The issue's workbook: `A1:XFD3000`, data in rows 1 and 3000 (4 to 6 s per step before)."""
    sheet = sheet_xml({1: ["key", "title"], 3000: ["G1", "Grow"]}, "A1:XFD3000")
    with measured("dimension A1:XFD3000, rows 1 and 3000") as cost:
        rows = records(workbook(sheet))
    assert rows == [(1, ["key", "title"]), (3000, ["G1", "Grow"])]
    assert cost.peak_mb < 50


def test_a_value_past_the_column_limit_is_refused_with_its_place():
    sheet = sheet_xml({1: ["a", "b"], 2: ["x"] + [None] * 599 + ["far"]})
    with pytest.raises(FileProblem) as exc:
        records(workbook(sheet))
    assert "Row 2 has a value in column 601 (WC)" in str(exc.value)
    assert "at most 500 columns" in str(exc.value)
    assert exc.value.row == 2


def test_empty_cells_far_right_are_not_a_value():
    sheet = sheet_xml({1: ["a", "b"] + [""] * 3000 + [""], 2: ["x", 1]})
    sheet = sheet.replace("</row>", '<c r="XFD1" s="0"/></row>', 1)
    assert records(workbook(sheet)) == [(1, ["a", "b"]), (2, ["x", 1])]


def test_a_csv_row_past_the_column_limit_is_refused():
    text = "a,b\n" + ",".join(["x"] * 501) + "\n"
    with pytest.raises(FileProblem, match="Row 2 has a value in column 501"):
        list(csv_records(text, limits=LIMITS))
    assert [len(r.cells) for r in csv_records("a,b\n1,2" + "," * 900 + "\n", limits=LIMITS)] == [
        2,
        2,
    ]


# ---------------------------------------------------------------- NUL, quotes


def test_nul_characters_are_removed_and_counted():
    rows = list(csv_records("key,title\nG1,Gr\x00ow\x00\nG2,Fine\n", limits=LIMITS))
    assert [(r.number, r.cells, r.nul) for r in rows] == [
        (1, ["key", "title"], 0),
        (2, ["G1", "Grow"], 2),
        (3, ["G2", "Fine"], 0),
    ]


def test_unclosed_quote_names_the_row_where_it_opened():
    text = 'id,comment\nR1,fine\nR2,"it swallows\nR3,everything\nR4,after it\n'
    with pytest.raises(FileProblem) as exc:
        list(csv_records(text, limits=LIMITS))
    assert str(exc.value).startswith('Row 3: a quote (") opens in this row and is never closed')
    assert exc.value.row == 3
    rows = list(csv_records(text, limits=LIMITS, complete=False))  # a sample of a longer file
    assert [r.number for r in rows] == [1, 2]


def test_closed_quotes_across_lines_are_fine():
    text = 'id,comment\nR1,"two\nlines"\nR2,"ends ""quoted""\nat the end"'
    rows = list(csv_records(text, limits=LIMITS))
    assert [r.cells for r in rows][1:] == [
        ["R1", "two\nlines"],
        ["R2", 'ends "quoted"\nat the end'],
    ]


def test_unclosed_quote_after_a_multiline_value_names_the_line_too():
    text = 'id,comment\nR1,"two\nlines"\nR2,"oops\nR3,x\n'
    with pytest.raises(FileProblem, match=r"Row 3 \(line 4 of the file\): a quote"):
        list(csv_records(text, limits=LIMITS))


def stream(path, headers=("id", "comment")) -> list:
    return list(
        csv_batches(path, encoding="utf-8", delimiter=",", column_names=list(headers), skip_rows=1)
    )


@pytest.mark.parametrize(
    "tail",
    ['R3,"swallows\nR4,the rest\nR5,of the file\n', 'R3,"swallows\r\nR4,no newline at the end'],
)
def test_streaming_reader_reports_an_unclosed_quote_in_the_last_column(tmp_path, tail):
    path = tmp_path / "f.csv"
    path.write_text("id,comment\nR1,a\nR2,b\n" + tail)
    with pytest.raises(FileProblem, match="Row 4: a quote"):
        stream(path)


def test_streaming_reader_reports_an_unclosed_quote_in_a_middle_column(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text('id,comment,nps\nR1,a,9\nR2,"swallows,9\nR3,the rest,9\n')
    with pytest.raises(FileProblem, match="Row 3: a quote"):
        stream(path, ("id", "comment", "nps"))


def test_streaming_reader_accepts_a_quoted_multiline_last_value(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text('id,comment\nR1,a\nR2,"two\nlines ""quoted"""\n')
    [batch] = stream(path)
    assert batch.table.column("comment").to_pylist() == ["a", 'two\nlines "quoted"']
    assert (batch.records, batch.bad_rows) == ([2, 3], [])


def test_streaming_reader_refuses_rows_holding_nul(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b"id,comment\nR1,a\nR2,b\x00c\nR3,d\n")
    [batch] = stream(path)
    assert batch.table.column("id").to_pylist() == ["R1", "R3"]
    assert (batch.records, batch.bad_rows) == ([2, 4], [(3, NUL_ROW)])


# ---------------------------------------------------------------- encodings


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("id;nps;comment\nR1;9;Très bien, café\n", "cp1252"),  # was cp1250: "Trčs"
        ("key,title\nG1,Zufriedenheit steigern für Kunden\n", "cp1252"),  # was big5hkscs
        ("a,b\n1,ü\n", "cp1252"),  # was utf_16_be
        ("id,comment\n1,“quoted” — dash €5\n", "cp1252"),
        ("id,comment\n1,Очень хорошо, спасибо за доставку\n2,Плохо\n", "cp1251"),
        ("id,comment\n1,Müşteri memnuniyeti çok iyi, teşekkürler\n", "cp1254"),
        ("id,comment\n1,Ünlü müşteri şikayeti ığdır\n", "cp857"),
        ("key,title,owner\nTOP,Zufriedenheit für Kunden,exec\n", "cp1252"),  # was cp850: "f³r"
        ("id,comment\n1,¡Excelente atención! Señora\n", "cp1252"),
        ("id,comment\n1,Καλή εξυπηρέτηση\n", "cp1253"),
        ("id,comment\n1,Bardzo dobra obsługa, dziękuję\n", "cp1250"),
    ],
)
def test_text_that_is_not_utf8_gets_a_plausible_encoding(text, encoding):
    content = text.encode(encoding)
    assert detect_encoding(content) == encoding
    assert decode(content) == (text, encoding)


def test_the_encoding_guess_is_worded_for_people():
    assert encoding_note("utf-8") == encoding_note("utf-16") == ""
    note = encoding_note("cp1252")
    assert "not valid UTF-8" in note and "Western European (Windows-1252)" in note


def test_utf8_that_breaks_late_is_not_read_as_utf8():
    content = ("id,comment\n" + "R,ok\n" * 70_000).encode() + "R,café\n".encode("cp1252")
    text, encoding = decode(content)
    assert encoding == "cp1252" and text.endswith("R,café\n")
