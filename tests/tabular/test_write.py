"""The one writer of spreadsheets: formulas neutralised in every cell, numbers kept as numbers,
CSV streamed with a BOM, XLSX from openpyxl's streaming mode (hardening issue, item 5)."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from cxalign.tabular.write import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    CsvWriter,
    csv_response,
    neutralise,
    table_response,
    xlsx_response,
)

FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r"]


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_text_starting_like_a_formula_gets_an_apostrophe(start):
    assert neutralise(start + "SUM(A1)") == "'" + start + "SUM(A1)"
    assert neutralise(start) == "'" + start


@pytest.mark.parametrize(
    "value",
    [0, -5, 3.5, -0.25, Decimal("-12.50"), True, None, datetime.date(2026, 1, 2)],
)
def test_numbers_and_other_values_stay_as_they_are(value):
    assert neutralise(value) is value


@pytest.mark.parametrize("text", ["-5", "+3.5", "-0.25", "-1e5", "-.5", "12"])
def test_text_that_is_only_a_number_is_left_alone(text):
    """No spreadsheet runs it, and a re-import reads it back (cascade baselines, journeys)."""
    assert neutralise(text) == text


@pytest.mark.parametrize(
    "text", ["-2+3+cmd|' /C calc'!A0", "+5 )", "-inf", "-nan", "- 5", "-5\n=1", "-1_000"]
)
def test_text_that_only_starts_like_a_number_is_neutralised(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["Plain", "", "a=b", " =x", "'=already", "2026-01-02"])
def test_other_text_is_unchanged(text):
    assert neutralise(text) == text


def test_csv_writer_neutralises_every_cell_and_writes_none_as_empty():
    out = io.StringIO()
    CsvWriter(out).writerow(["=1+1", None, -5, "@x", "ok"])
    assert next(csv.reader(io.StringIO(out.getvalue()))) == ["'=1+1", "", "-5", "'@x", "ok"]


def test_csv_response_streams_a_bom_the_header_and_neutralised_rows():
    rows = iter([['=HYPERLINK("http://x","y")', 1.5], ["@SUM(A1)", None]])
    response = csv_response(["title", "value"], rows, filename="out.csv")
    assert response.streaming
    assert response["Content-Type"] == CSV_CONTENT_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="out.csv"'
    body = response.getvalue().decode("utf-8")
    assert body.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(body[1:]))) == [
        ["title", "value"],
        ['\'=HYPERLINK("http://x","y")', "1.5"],
        ["'@SUM(A1)", ""],
    ]


def test_xlsx_response_writes_text_as_text_and_numbers_as_numbers():
    rows = [["=1+1", 3, Decimal("-2.5"), None], ["ok\x01=2+2", -7, "-5", "\x02@x"]]
    response = xlsx_response(["a", "b", "c", "d"], rows, filename="out.xlsx", sheet="Data")
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="out.xlsx"'
    book = load_workbook(io.BytesIO(response.getvalue()))
    sheet = book["Data"]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold
    values = list(sheet.iter_rows(values_only=True))
    assert values == [
        ("a", "b", "c", "d"),
        ("'=1+1", 3, -2.5, None),
        ("ok=2+2", -7, "-5", "'@x"),  # a dropped control character uncovers no formula
    ]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_table_response_picks_the_format_and_the_extension():
    assert table_response("xlsx", ["a"], [], name="n")["Content-Type"] == XLSX_CONTENT_TYPE
    csv_one = table_response("anything", ["a"], [], name="n")
    assert csv_one["Content-Type"] == CSV_CONTENT_TYPE
    assert csv_one["Content-Disposition"] == 'attachment; filename="n.csv"'


def test_a_filename_with_quotes_or_accents_stays_one_header():
    response = csv_response(["a"], [], filename='Q1 "plan" é.csv')
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename") and "\n" not in disposition
    assert "utf-8''" in disposition


@pytest.mark.parametrize("text", ["=SUM(A1)", "+1+1", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)",
                                  "\tx", "\rx", "plain", "'quoted by a person", "-5", ""])  # fmt: skip
def test_restore_reads_back_what_neutralise_wrote(text):
    from cxalign.tabular.write import restore

    assert restore(neutralise(text)) == text
