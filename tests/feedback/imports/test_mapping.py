"""Guessing which column holds which field (feedback/imports/mapping.py)."""

from feedback.imports.mapping import guess_mapping, mapping_problems


def test_remembered_mapping_wins(tmp_path):
    assert guess_mapping(["A", "nps", "B"], remembered={"nps": "B", "comment": "gone"}) == {
        "nps": "B"
    }


def test_mapping_problems_are_worded():
    problems = mapping_problems({"nps": "X", "bogus": "A"}, ["A"], kind="feedback")
    assert any("no column 'X'" in p for p in problems)
    assert any("no field called bogus" in p for p in problems)
