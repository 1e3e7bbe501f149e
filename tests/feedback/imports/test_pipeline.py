"""The import engine without a database (feedback/imports/pipeline.py): validation of every
value, all or nothing, keys, touchpoints, XLSX, customer files."""

import pytest

from feedback.imports.files import inspect_file
from feedback.imports.mapping import guess_mapping
from feedback.imports.pipeline import AllOrNothingRejected, Job, run
from feedback.imports.rows import Context
from tests.feedback.imports.uploads import LIMIT, job_for, write


def test_every_bad_value_has_a_row_and_column_message(tmp_path):
    text = (
        "id,date,nps,csat,comment\n"
        'R1,2024-03-01,9,5,"fine, ""quoted""\nnew line 😀"\n'
        "R2,2024-03-02,11,5,x\n"
        "R3,2024-03-02,-1,5,x\n"
        "R4,2024-03-02,N/A,5,x\n"
        "R5,2024-03-02,7.5,5,x\n"
        "R6,not a date,7,5,x\n"
        "R7,2024-03-02,7,9,x\n"
        "R1,2024-03-02,7,5,duplicate\n"
        "R8,2024-03-02,7\n"
        "R9,31.12.2023,7.0,,<script>alert(1)</script>\n"
        "R10,12/31/2023 10:00,0,,\n"
        "R11,2099-01-01,5,,future\n"
    )
    result = run(job_for(write(tmp_path, "bad.csv", text)))
    by_row = {(e["row"], e["column"]): e["message"] for e in result.errors}
    assert "'11' is not a whole number from 0 to 10" in by_row[(3, "nps")]
    assert "'-1'" in by_row[(4, "nps")]
    assert "'N/A'" in by_row[(5, "nps")]
    assert "'7.5'" in by_row[(6, "nps")]
    assert "not a date" in by_row[(7, "date")]
    assert "from 1 to 5" in by_row[(8, "csat")]
    assert "Duplicate response id 'R1': row 2" in by_row[(9, "id")]
    assert "3 values; the header has 5" in by_row[(10, "")]
    assert "in the future" in by_row[(13, "date")]
    assert (result.rows_read, result.new, result.rejected) == (12, 3, 9)


def test_all_or_nothing_raises_with_the_counts(tmp_path):
    path = write(tmp_path, "f.csv", "id,nps\nR1,9\nR2,12\n")
    with pytest.raises(AllOrNothingRejected) as info:
        run(job_for(path), all_or_nothing=True)
    assert info.value.args[0].rejected == 1


def test_rows_without_id_are_keyed_by_content(tmp_path):
    path = write(tmp_path, "f.csv", "nps,comment\n9,a\n9,a\n8,b\n")
    result = run(job_for(path))
    assert (result.new, result.rejected) == (2, 1)
    assert "same row as row 2" in result.errors[0]["message"].lower()


def test_unknown_touchpoint_is_kept_by_name_and_counted(tmp_path):
    names = ["Checkout", "Chatbot", "Kiosk", "chatbot", "", "A", "B", "C", "D"]
    rows = "".join(f"R{i},9,{name}\n" for i, name in enumerate(names))
    path = write(tmp_path, "f.csv", "id,nps,touchpoint\n" + rows + "R99,77,Zed\n")
    result = run(job_for(path, context=Context(touchpoints={"checkout": 5})))
    assert (result.new, result.rejected, result.errors[0]["row"]) == (9, 1, 11)
    assert result.unknown_touchpoints == 7  # a bad row's name is not counted
    assert result.unknown_touchpoint_names == ["Chatbot", "Kiosk", "chatbot", "A", "B"]


def test_xlsx_is_read(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Response ID", "NPS", "Comment"])
    sheet.append(["R1", 9, "good"])
    sheet.append(["R2", 3.0, "bad delivery"])
    path = tmp_path / "f.xlsx"
    workbook.save(path)
    result = run(job_for(path))
    assert (result.rows_read, result.new, result.rejected) == (2, 2, 0)


def test_customers_are_validated(tmp_path):
    text = 'Customer ID,Segment,Customer since,Revenue,CLV,Churned on,Onboarding success\nC1,smb,2020-01-01,"1,200.50",40114.63,,yes\n,smb,2020-01-01,1,1,,no\nC3,smb,2020-01-01,abc,1,,maybe\n'
    path = write(tmp_path, "c.csv", text)
    info = inspect_file(path, max_bytes=LIMIT)
    mapping = guess_mapping(info.headers, kind="customers")
    assert mapping["customer_id"] == "Customer ID"
    result = run(Job(path, info, "customers", mapping, 1, None, None, Context()))
    assert (result.new, result.rejected) == (1, 2)
    messages = " ".join(e["message"] for e in result.errors)
    assert "No customer id" in messages and "not an amount" in messages and "not yes/no" in messages
