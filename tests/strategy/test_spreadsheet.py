"""Goals import and export (strategy/spreadsheet.py): bad rows named, all or nothing,
re-import updates, measures and directions, files built to hurt."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook, load_workbook

from strategy import spreadsheet
from strategy.models import Goal
from tests.factories import CycleFactory, GoalFactory
from tests.spreadsheets import measured, sheet_xml, workbook, write_bomb
from tests.strategy.goal_files import HEADER, csv_of, good_file

pytestmark = pytest.mark.django_db


def run(cycle, content: bytes, name="goals.csv", dry_run=False):
    return spreadsheet.goals_import(
        cycle=cycle, rows=spreadsheet.read_rows(content, filename=name), dry_run=dry_run
    )


def test_good_file_creates_the_cascade(cycle, people):
    summary = run(cycle, good_file(people))
    assert summary == {"created": 3, "updated": 0, "rejected": 0, "errors": [], "warnings": [],
                       "dry_run": False, "cycle": cycle.name}  # fmt: skip
    goals = {g.key: g for g in Goal.objects.filter(cycle=cycle)}
    assert goals["SVC"].parent == goals["TOP"]
    assert goals["TOP"].measure == Goal.Measure.KPI and goals["TOP"].kpi.key == "nps"
    assert goals["TOP"].measure == "kpi"
    assert goals["SVC"].measure == Goal.Measure.NONE  # no KPI, no target: not a silent milestone
    assert str(goals["PPL"].due_on) == "2026-12-31"


def test_reimport_updates_and_adds_no_duplicates(cycle, people):
    run(cycle, good_file(people))
    changed = good_file(people).replace(b"Answer in a day", b"Answer within a day")
    summary = run(cycle, changed)
    assert (summary["created"], summary["updated"]) == (0, 3)
    assert Goal.objects.filter(cycle=cycle).count() == 3
    assert Goal.objects.get(cycle=cycle, key="SVC").title == "Answer within a day"


def test_dry_run_writes_nothing(cycle, people):
    summary = run(cycle, good_file(people), dry_run=True)
    assert summary["created"] == 3 and summary["dry_run"] is True
    assert not Goal.objects.exists()


def test_each_bad_row_is_named_with_why_and_nothing_is_written(org, cycle, people):
    other = CycleFactory(organization=org, name="FY2099")
    GoalFactory(cycle=other, key="ELSEWHERE")
    content = csv_of(
        f"TOP,Top,,{people['exec']},,cx,,,,,1,",
        f"A,No weight,TOP,{people['head']},,cx,,,,,0,",  # row 3
        f"B,Bad leg,TOP,{people['head']},,sideways,,,,,1,",  # row 4
        f"C,No unit,TOP,{people['head']},,cx,nps,10,20,,1,",  # row 5
        "D,Ghost owner,TOP,ghost,,cx,,,,,1,",  # row 6
        f"E,Unknown unit,TOP,{people['head']},Mars,cx,,,,,1,",  # row 7
        f"F,Unknown KPI,TOP,{people['head']},,cx,happiness,1,2,%,1,",  # row 8
        f"G,Bad date,TOP,{people['head']},,cx,,,,,1,tomorrow",  # row 9
        f"TOP,Duplicate key,,{people['exec']},,cx,,,,,1,",  # row 10
        f"H,Parent elsewhere,ELSEWHERE,{people['head']},,cx,,,,,1,",  # row 11
        f"I,Viewer on top,,{people['viewer']},,cx,,,,,1,",  # row 12
        f"J,Loop one,K,{people['head']},,cx,,,,,1,",  # row 13
        f"K,Loop two,J,{people['head']},,cx,,,,,1,",  # row 14
        f",No key,TOP,{people['head']},,cx,,,,,1,",  # row 15
        f"L,Target without KPI,TOP,{people['head']},,cx,,1,2,%,1,",  # row 16
        f"M,Own parent,M,{people['head']},,cx,,,,,1,",  # row 17
        f"N,Not a number,TOP,{people['head']},,cx,nps,ten,20,points,1,",  # row 18
    )
    summary = run(cycle, content)
    by_row = {e["row"]: e["message"] for e in summary["errors"]}
    assert summary["created"] == summary["updated"] == 0
    assert summary["rejected"] == 16
    assert "positive" in by_row[3]
    assert "leg" in by_row[4]
    assert "unit" in by_row[5] and "points" in by_row[5]
    assert "ghost" in by_row[6]
    assert "Mars" in by_row[7]
    assert "happiness" in by_row[8]
    assert "date" in by_row[9]
    assert "used twice" in by_row[10]
    assert "another cycle" in by_row[11]
    assert "goal owners are managers" in by_row[12]
    assert "loop" in by_row[13] and "loop" in by_row[14]
    assert "key is empty" in by_row[15]
    assert "need a KPI" in by_row[16]
    assert "own parent" in by_row[17]
    assert "not a number" in by_row[18]
    assert not Goal.objects.filter(cycle=cycle).exists()


def test_missing_columns_are_named(cycle):
    with pytest.raises(Exception) as exc:
        spreadsheet.read_rows(b"name,owner\nx,y\n", filename="g.csv")
    assert "key" in str(exc.value)


def test_not_a_spreadsheet_is_refused(cycle):
    with pytest.raises(Exception) as exc:
        spreadsheet.read_rows(b"not a zip", filename="g.xlsx")
    assert "xlsx" in str(exc.value)


def test_xlsx_export_reimports_as_pure_updates(cycle, people):
    run(cycle, good_file(people))
    content = spreadsheet.export_response(cycle=cycle, fmt="xlsx", name="c").getvalue()
    sheet = load_workbook(io.BytesIO(content)).active
    assert [c.value for c in sheet[1]][:3] == ["key", "title", "parent key"]
    summary = run(cycle, content, name="cascade.xlsx")
    assert (summary["created"], summary["updated"], summary["errors"]) == (0, 3, [])


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_of_a_formula_like_title_reimports_as_typed(cycle, people, fmt):
    """The export neutralises "=HYPERLINK(...)" (a leading apostrophe); the import reads the
    apostrophe back off, so a round trip changes nothing."""
    run(cycle, good_file(people))
    title = '=HYPERLINK("http://x","y")'
    Goal.objects.filter(key="TOP").update(title=title)
    content = spreadsheet.export_response(cycle=cycle, fmt=fmt, name="c").getvalue()
    assert b"'=HYPERLINK" in content or fmt == "xlsx"
    summary = run(cycle, content, name=f"cascade.{fmt}")
    assert summary["errors"] == [] and Goal.objects.get(key="TOP").title == title


def test_xlsx_with_real_dates_and_numbers_imports(cycle, people):
    import datetime

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(["T", "Top", None, people["exec"], None, "cx", "nps", 20, 35.5, "points", 2,
                  datetime.datetime(2026, 12, 31)])  # fmt: skip
    out = io.BytesIO()
    book.save(out)
    summary = run(cycle, out.getvalue(), name="g.xlsx")
    assert summary["created"] == 1, summary
    goal = Goal.objects.get(key="T")
    assert str(goal.target) == "35.5000" and str(goal.due_on) == "2026-12-31"


def test_csv_export_lists_parents_before_children(cycle, people):
    run(cycle, good_file(people))
    body = spreadsheet.export_response(cycle=cycle, fmt="csv", name="c").getvalue()
    lines = body.decode("utf-8-sig").splitlines()
    keys = [line.split(",")[0] for line in lines[1:]]
    assert keys.index("TOP") < keys.index("SVC")


# ---------------------------------------------------------------- the command


def test_too_long_unit_and_too_many_digits_are_named_per_row(cycle, people):
    content = csv_of(
        f"TOP,Top,,{people['exec']},,cx,nps,10,20,{'x' * 31},1,",
        f"BIG,Big,,{people['exec']},,cx,nps,10,123456789012345678,points,1,",
    )
    summary = run(cycle, content)
    by_row = {e["row"]: e["message"] for e in summary["errors"]}
    assert "measure unit" in by_row[2]
    assert "target" in by_row[3]
    assert not Goal.objects.exists()


def test_import_of_5000_rows_is_a_few_bulk_queries(cycle, people, django_assert_max_num_queries):
    lines = [f"T{i},Top {i},,{people['exec']},,cx,,,,,1," for i in range(5)]
    lines += [f"M{i},Middle {i},T{i % 5},{people['head']},Service,people,,,,,2," for i in range(95)]
    lines += [f"L{i},Leaf {i},M{i % 95},{people['head']},Desk,financial,,,,,1,2026-12-31"
              for i in range(4900)]  # fmt: skip
    content = csv_of(*lines)
    with django_assert_max_num_queries(80):
        summary = run(cycle, content)
    assert (summary["created"], summary["errors"]) == (5000, [])
    leaf = Goal.objects.select_related("parent__parent").get(cycle=cycle, key="L123")
    assert leaf.parent.key == "M28" and leaf.parent.parent.key == "T3"
    assert leaf.history.count() == 1
    with django_assert_max_num_queries(80):
        again = run(cycle, content.replace(b"Leaf 7,", b"Leaf seven,"))
    assert (again["created"], again["updated"]) == (0, 5000)
    assert Goal.objects.get(cycle=cycle, key="L7").title == "Leaf seven"
    assert Goal.objects.get(cycle=cycle, key="L7").version == 2
    history = Goal.objects.get(cycle=cycle, key="L7").history.order_by("history_id")
    assert [(h.history_type, h.title, h.version) for h in history] == [
        ("+", "Leaf 7", 1), ("~", "Leaf seven", 2)]  # fmt: skip


# ---------------------------------------------------------------- owner, measure, direction, C-team


def test_owner_header_means_owner_username(cycle, people):
    content = (
        "key,title,parent key,owner,leg\n"
        f"TOP,Top,,{people['exec']},cx\n"
        f"SUB,Sub,TOP,{people['head']},people\n"
    ).encode()
    summary = run(cycle, content)
    assert (summary["created"], summary["errors"]) == (2, [])
    assert Goal.objects.get(key="SUB").owner.user.username == people["head"]


def test_owner_and_owner_username_together_are_refused(cycle, people):
    content = f"key,title,owner,owner username\nTOP,Top,{people['exec']},{people['exec']}\n"
    with pytest.raises(ValidationError) as exc:
        spreadsheet.read_rows(content.encode(), filename="g.csv")
    assert "owner username" in str(exc.value) and "twice" in str(exc.value)


def test_top_level_goal_outside_the_c_team_is_accepted_with_a_warning(cycle, people):
    content = csv_of(
        f"TOP,Corporate,,{people['exec']},,cx,,,,,1,",  # row 2: an executive, no warning
        f"SIDE,Side project,,{people['head']},,cx,,,,,1,",  # row 3: a manager on top
    )
    preview = run(cycle, content, dry_run=True)
    assert preview["errors"] == [] and preview["created"] == 2
    assert preview["warnings"] == [{
        "row": 3, "column": "owner username",
        "message": f"row 3: top-level goal owned by {people['head']}, who is not on the "
                   "C-team: it will be flagged as an orphan goal",
    }]  # fmt: skip
    assert not Goal.objects.exists()
    summary = run(cycle, content)
    assert summary["created"] == 2 and len(summary["warnings"]) == 1
    side = Goal.objects.get(key="SIDE")
    assert side.parent_id is None and side.owner.user.username == people["head"]


def test_admin_owning_a_top_level_goal_is_warned_too(cycle, people, admin):
    summary = run(cycle, csv_of(f"TOP,Top,,{admin.user.username},,cx,,,,,1,"), dry_run=True)
    assert [w["row"] for w in summary["warnings"]] == [2]


def test_warning_is_not_given_for_a_row_that_is_wrong(cycle, people):
    summary = run(cycle, csv_of(f"SIDE,Side,,{people['head']},,sideways,,,,,1,"))
    assert summary["warnings"] == [] and summary["rejected"] == 1


def test_row_without_kpi_target_or_measure_is_not_measurable_yet(cycle, people):
    run(cycle, csv_of(f"TOP,Vague ambition,,{people['exec']},,cx,,,,,1,"))
    goal = Goal.objects.get(key="TOP")
    assert goal.measure == Goal.Measure.NONE
    assert goal.get_measure_display() == "Not measurable yet"


def test_parent_in_the_file_rolls_up_and_existing_measure_is_kept(cycle, people):
    run(cycle, good_file(people))
    Goal.objects.filter(key="PPL").update(measure=Goal.Measure.MILESTONE)
    content = csv_of(
        f"TOP,Most recommended,,{people['exec']},,cx,,,,,2,",  # KPI dropped, has children
        f"SVC,Answer in a day,TOP,{people['head']},Service,cx,,,,,1,",
        f"PPL,Keep our people,TOP,{people['head']},Service,people,,,,,1.5,",
    )
    run(cycle, content)
    measures = dict(Goal.objects.values_list("key", "measure"))
    assert measures == {"TOP": "rollup", "SVC": "none", "PPL": "milestone"}


MEASURE_HEADER = "key,title,owner username,KPI,baseline,target,unit,measure"


@pytest.mark.parametrize(
    ("given", "stored"),
    [("milestone", "milestone"), ("MILESTONE", "milestone"), ("Rollup", "rollup"),
     ("none", "none"), ("Not measurable yet", "none")],
)  # fmt: skip
def test_explicit_measure_is_honoured_in_any_case(cycle, people, given, stored):
    content = f"{MEASURE_HEADER}\nTOP,Top,{people['exec']},,,,,{given}\n".encode()
    summary = run(cycle, content)
    assert summary["errors"] == []
    assert Goal.objects.get(key="TOP").measure == stored


def test_explicit_measure_kpi_with_a_kpi(cycle, people):
    content = f"{MEASURE_HEADER}\nTOP,Top,{people['exec']},nps,20,35,points,KPI\n".encode()
    assert run(cycle, content)["errors"] == []
    assert Goal.objects.get(key="TOP").measure == Goal.Measure.KPI


def test_explicit_measure_milestone_replaces_an_existing_milestone_default(cycle, people):
    run(cycle, f"{MEASURE_HEADER}\nTOP,Top,{people['exec']},,,,,none\n".encode())
    run(cycle, f"{MEASURE_HEADER}\nTOP,Top,{people['exec']},,,,,milestone\n".encode())
    assert Goal.objects.get(key="TOP").measure == Goal.Measure.MILESTONE


def test_bad_measures_are_named_per_row(cycle, people):
    content = (
        f"{MEASURE_HEADER}\n"
        f"A,Unknown,{people['exec']},,,,,someday\n"  # row 2
        f"B,KPI without KPI,{people['exec']},,,,,kpi\n"  # row 3
        f"C,Milestone with KPI,{people['exec']},nps,20,35,points,milestone\n"  # row 4
        f"D,None with target,{people['exec']},,,35,,none\n"  # row 5
    ).encode()
    summary = run(cycle, content)
    by_row = {e["row"]: e["message"] for e in summary["errors"]}
    assert "“someday” must be kpi, milestone, rollup or none" in by_row[2]
    assert "needs a KPI" in by_row[3]
    assert "no KPI, baseline or target" in by_row[4]
    assert "no KPI, baseline or target" in by_row[5]
    assert summary["rejected"] == 4 and not Goal.objects.exists()


def test_measure_change_clears_stale_progress(cycle, people):
    run(cycle, f"{MEASURE_HEADER}\nTOP,Top,{people['exec']},,,,,milestone\n".encode())
    Goal.objects.filter(key="TOP").update(progress=Decimal("0.4"))
    run(cycle, f"{MEASURE_HEADER}\nTOP,Top,{people['exec']},,,,,none\n".encode())
    goal = Goal.objects.get(key="TOP")
    assert (goal.measure, goal.progress) == (Goal.Measure.NONE, None)


DIRECTION_HEADER = "key,title,owner username,KPI,baseline,target,unit,direction"


@pytest.mark.parametrize("given", ["higher", "HIGHER", "Higher is better", "up", "Up"])
def test_direction_higher_or_up_matches_an_up_kpi(cycle, people, given):
    content = f"{DIRECTION_HEADER}\nTOP,Top,{people['exec']},nps,20,35,points,{given}\n"
    summary = run(cycle, content.encode())
    assert (summary["errors"], summary["warnings"], summary["created"]) == ([], [], 1)


@pytest.mark.parametrize("given", ["lower", "Lower", "down", "DOWN"])
def test_direction_lower_or_down_against_an_up_kpi_is_a_warning(cycle, people, given):
    content = f"{DIRECTION_HEADER}\nTOP,Top,{people['exec']},nps,20,35,points,{given}\n"
    summary = run(cycle, content.encode())
    assert summary["errors"] == [] and summary["created"] == 1
    [warning] = summary["warnings"]
    assert (warning["row"], warning["column"]) == (2, "direction")
    assert "higher is better" in warning["message"]


def test_unknown_direction_is_an_error(cycle, people):
    content = f"{DIRECTION_HEADER}\nTOP,Top,{people['exec']},nps,20,35,points,sideways\n"
    summary = run(cycle, content.encode())
    assert "direction “sideways” must be higher or lower" in summary["errors"][0]["message"]
    assert not Goal.objects.exists()


def test_direction_parse():
    assert [spreadsheet.direction_parse(v) for v in ["Higher", " lower ", "UP", "down", "x", ""]] \
        == ["up", "down", "up", "down", None, None]  # fmt: skip


# ---------------------------------------------------------------- files built to hurt, odd files


def test_declared_dimension_is_not_loaded_into_memory(cycle, people):
    """`A1:XFD3000` with data in rows 1 and 3000 cost +320 MB and seconds before."""
    sheet = sheet_xml({1: HEADER.split(","), 3000: ["T", "Top", None, people["exec"]]},
                      "A1:XFD3000")  # fmt: skip
    content = workbook(sheet)
    with measured("goals read_rows of A1:XFD3000") as cost:
        rows = spreadsheet.read_rows(content, filename="g.xlsx")
    assert [(r["_row"], r["key"]) for r in rows] == [(3000, "T")]
    assert cost.peak_mb < 50
    assert spreadsheet.goals_import(cycle=cycle, rows=rows)["created"] == 1


@pytest.mark.parametrize(("part", "megabytes"), [("sheet", 10), ("shared", 315)])
def test_xlsx_bombs_are_refused_unread(cycle, tmp_path, part, megabytes):
    content = write_bomb(tmp_path / "bomb.xlsx", part=part, megabytes=megabytes).read_bytes()
    label = f"goals read_rows of a {megabytes} MB {part} bomb"
    with measured(label) as cost, pytest.raises(ValidationError, match="zip bomb"):
        spreadsheet.read_rows(content, filename="g.xlsx")
    assert cost.peak_mb < 50


def test_a_value_past_the_column_limit_is_refused(cycle, people):
    sheet = sheet_xml({1: HEADER.split(","), 2: ["T", "Top"] + [None] * 598 + ["x"]})
    with pytest.raises(ValidationError, match="Row 2 has a value in column 601"):
        spreadsheet.read_rows(workbook(sheet), filename="g.xlsx")


def test_nul_characters_are_removed_with_a_warning(cycle, people):
    content = csv_of(f"TOP,Most\x00 recommended,,{people['exec']},,cx,,,,,1,")
    notes: list[dict] = []
    rows = spreadsheet.read_rows(content, filename="g.csv", notes=notes)
    summary = spreadsheet.goals_import(cycle=cycle, rows=rows, notes=notes)
    assert summary["created"] == 1
    assert summary["warnings"] == [
        {"row": 2, "column": "", "message": "row 2: 1 NUL character(s) (\\0) removed; they "
                                            "cannot be stored."}
    ]  # fmt: skip
    assert Goal.objects.get(key="TOP").title == "Most recommended"


def test_csv_that_is_not_utf8_is_read_with_a_warning(cycle, people):
    content = csv_of(f"TOP,Zufriedenheit für Kunden,,{people['exec']},,cx,,,,,1,").decode()
    notes: list[dict] = []
    rows = spreadsheet.read_rows(content.encode("cp1252"), filename="g.csv", notes=notes)
    summary = spreadsheet.goals_import(cycle=cycle, rows=rows, notes=notes)
    assert summary["created"] == 1
    assert Goal.objects.get(key="TOP").title == "Zufriedenheit für Kunden"
    [warning] = summary["warnings"]
    assert warning["row"] is None
    assert (
        "not valid UTF-8, so it was read as Western European (Windows-1252)" in warning["message"]
    )


def test_unclosed_quote_is_refused_naming_its_row(cycle, people):
    content = csv_of(
        f"TOP,Top,,{people['exec']},,cx,,,,,1,",
        f'SVC,"Answer in a day,TOP,{people["head"]},,cx,,,,,1,',
        f"PPL,Keep our people,TOP,{people['head']},,people,,,,,1,",
    )
    with pytest.raises(ValidationError) as exc:
        spreadsheet.read_rows(content, filename="g.csv")
    assert 'Row 3: a quote (") opens in this row and is never closed' in str(exc.value)
