"""Reading an uploaded file without a database (feedback/imports/files.py): encodings,
delimiters, survey tools' layouts, unusable files."""

import json

import pytest

from feedback.imports.files import FileProblem, inspect_file
from feedback.imports.mapping import guess_mapping
from feedback.imports.pipeline import run
from tests.feedback.imports.uploads import LIMIT, job_for, write


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_encodings_are_detected(tmp_path, encoding):
    path = write(tmp_path, "f.csv", "id;nps;comment\nR1;9;Très bien, café\n", encoding)
    info = inspect_file(path, max_bytes=LIMIT)
    assert info.delimiter == ";"
    result = run(job_for(path))
    assert (result.rows_read, result.new, result.rejected) == (1, 1, 0)


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters_are_sniffed(tmp_path, delimiter):
    path = write(
        tmp_path, "f.csv", delimiter.join(["id", "nps"]) + "\n" + delimiter.join(["R1", "7"]) + "\n"
    )
    assert inspect_file(path, max_bytes=LIMIT).delimiter == delimiter


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"id,nps,comment\n", "header but no rows"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "PNG image"),
        (b"\x00\x01\x02binary", "binary"),
    ],
)
def test_unusable_files_get_a_file_level_message(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(FileProblem, match=message):
        inspect_file(path, max_bytes=LIMIT)


def test_file_over_the_limit_is_refused(tmp_path):
    path = write(tmp_path, "big.csv", "id,nps\n" + "R,1\n" * 1000)
    with pytest.raises(FileProblem, match="the limit is"):
        inspect_file(path, max_bytes=1000)


def test_qualtrics_three_header_rows_and_question_texts(tmp_path):
    rows = [
        ["ResponseId", "RecordedDate", "Q1", "Q1_NPS_GROUP", "Q2"],
        ["Response ID", "Recorded Date", "How likely are you to recommend us?", "Group", "Why?"],
        [json.dumps({"ImportId": x}) for x in ["_r", "_d", "QID1", "QID1g", "QID2"]],
        ["R_1", "2024-03-01 10:00:00", "9", "Promoter", "Great"],
    ]
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path = write(tmp_path, "q.csv", buffer.getvalue())
    info = inspect_file(path, max_bytes=LIMIT)
    assert (info.flavor, info.header_rows) == ("qualtrics", 3)
    mapping = guess_mapping(info.headers, descriptions=info.descriptions)
    assert mapping == {
        "response_id": "ResponseId",
        "responded_at": "RecordedDate",
        "nps": "Q1",
        "comment": "Q2",
    }
    result = run(job_for(path, mapping=mapping))
    assert (result.new, result.rejected) == (1, 0)


def test_surveymonkey_two_header_rows(tmp_path):
    text = (
        "Respondent ID,Collector ID,Start Date,How likely are you to recommend us?,Any comments?\n"
        ",,,Response,Open-Ended Response\n"
        "1001,5,03/15/2024 10:00:00 AM,8,Fine\n"
    )
    info = inspect_file(write(tmp_path, "sm.csv", text), max_bytes=LIMIT)
    assert (info.flavor, info.header_rows) == ("surveymonkey", 2)
    mapping = guess_mapping(info.headers)
    assert mapping["response_id"] == "Respondent ID"
    assert mapping["nps"] == "How likely are you to recommend us?"
    assert mapping["comment"] == "Any comments?"


def test_typeform_shape(tmp_path):
    text = "#,How likely are you to recommend us?,What could we do better?,Submitted At,Network ID\nabc,10,Nothing,2024-03-01 10:00:00,n1\n"
    info = inspect_file(write(tmp_path, "tf.csv", text), max_bytes=LIMIT)
    assert info.flavor == "typeform"
    mapping = guess_mapping(info.headers)
    assert mapping["responded_at"] == "Submitted At"
    assert mapping["nps"].startswith("How likely")
