"""The import engine's pure parts, without a database: files, mapping, validation, tagging."""

import json
from pathlib import Path

import pytest

from feedback.imports.files import FileProblem, inspect_file
from feedback.imports.mapping import guess_mapping, mapping_problems
from feedback.imports.pipeline import AllOrNothingRejected, Job, run
from feedback.imports.rows import Context
from feedback.imports.tagging import Tagger, normalize_pattern, suggest_phrases, tag_texts

LIMIT = 10 * 1024 * 1024


def write(tmp_path: Path, name: str, text: str, encoding="utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def job_for(path: Path, **kw) -> Job:
    info = inspect_file(path, max_bytes=LIMIT)
    mapping = kw.pop("mapping", None) or guess_mapping(info.headers, descriptions=info.descriptions)
    return Job(
        path,
        info,
        kw.pop("kind", "feedback"),
        mapping,
        1,
        1,
        None,
        kw.pop("context", Context()),
        kw.pop("tagger", None),
    )


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


def test_remembered_mapping_wins(tmp_path):
    assert guess_mapping(["A", "nps", "B"], remembered={"nps": "B", "comment": "gone"}) == {
        "nps": "B"
    }


def test_mapping_problems_are_worded():
    problems = mapping_problems({"nps": "X", "bogus": "A"}, ["A"], kind="feedback")
    assert any("no column 'X'" in p for p in problems)
    assert any("no field called bogus" in p for p in problems)


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


def test_tagging_matches_words_and_phrases_once():
    rules = [(1, "refund"), (2, "waited too long"), (3, "Delivery"), (2, "slow"), (4, "don't")]
    tags = tag_texts(
        rules,
        [
            "A REFUND!",
            "We waited too long for delivery.",
            "",
            None,
            "slow, slow",
            "I don't",
            "waited too",
        ],
    )
    assert tags == [{1}, {2, 3}, set(), set(), {2}, {4}, set()]


def test_tagger_with_no_rules_tags_nothing():
    rows, themes = Tagger.build([]).tag(["anything"])
    assert len(rows) == 0


def test_normalize_pattern():
    assert normalize_pattern("  Waited   TOO long! ") == "waited too long"


def test_suggestions_are_frequent_distinctive_phrases():
    comments = ["The app crashed at login"] * 4 + ["login page broken", "App crashed again."]
    suggestions = suggest_phrases(comments, known=set())
    assert suggestions[0]["phrase"] == "app crashed"
    assert (
        suggest_phrases(comments, known={"app crashed"}) == []
        or suggest_phrases(comments, known={"app crashed"})[0]["phrase"] != "app crashed"
    )


def test_long_phrase_tags_whole_matches_only():
    phrase = "still waiting for my account to be set up"
    rules = [(1, phrase), (2, "one two three four five six seven eight nine ten eleven twelve")]
    tags = tag_texts(
        rules,
        [
            "Still waiting for my account to be set up!",
            "I am still waiting, for my account to be set up.",
            "still waiting for my account to be",
            "still waiting for my new account to be set up",
            "waiting for my account to be set up",
            "still waiting for my account to be set upright",
            "So: one two three four five six seven eight nine ten eleven twelve.",
            "one two three four five six seven eight nine ten eleven",
        ],
    )
    assert tags == [{1}, {1}, set(), set(), set(), set(), {2}, set()]


def test_rule_of_twelve_words_is_valid_and_thirteen_is_refused():
    from django.core.exceptions import ValidationError

    from feedback.models import ThemeRule

    twelve = " ".join(["word"] * 12)
    rule = ThemeRule(pattern=twelve.upper())
    rule.clean()
    assert rule.pattern == twelve
    with pytest.raises(ValidationError) as info:
        ThemeRule(pattern=twelve + " word").clean()
    assert info.value.message_dict["pattern"] == ["A phrase has at most 12 words; this one has 13."]
