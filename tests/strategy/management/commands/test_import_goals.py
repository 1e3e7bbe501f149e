"""The import_goals command: one JSON summary, dry run, bad rows, warnings, a missing
organization or cycle."""

import io
import json

import pytest
from django.core.management import call_command

from strategy.models import Goal
from tests.strategy.goal_files import csv_of, good_file

pytestmark = pytest.mark.django_db


def command(tmp_path, content: bytes, *args):
    path = tmp_path / "goals.csv"
    path.write_bytes(content)
    out = io.StringIO()
    code = 0
    try:
        call_command("import_goals", str(path), *args, stdout=out)
    except SystemExit as exc:
        code = exc.code
    return code, json.loads(out.getvalue())


def test_command_prints_one_json_summary(tmp_path, org, cycle, people):
    code, summary = command(tmp_path, good_file(people), "--org", org.slug, "--cycle", cycle.name)
    assert code == 0
    assert summary["created"] == 3 and summary["errors"] == []
    code, again = command(tmp_path, good_file(people), "--org", org.slug, "--cycle", cycle.name)
    assert (again["created"], again["updated"]) == (0, 3)


def test_command_dry_run_and_bad_rows(tmp_path, org, cycle, people):
    code, summary = command(
        tmp_path, good_file(people), "--org", org.slug, "--cycle", cycle.name, "--dry-run"
    )
    assert code == 0 and summary["dry_run"] and not Goal.objects.exists()
    code, summary = command(
        tmp_path, csv_of("A,Top,,ghost,,cx,,,,,1,"), "--org", org.slug, "--cycle", cycle.name
    )
    assert code == 1
    assert summary["rejected"] == 1
    assert summary["errors"] == [{"row": 2, "message": summary["errors"][0]["message"]}]


def test_command_names_a_missing_org_or_cycle(tmp_path, org, cycle, people):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        command(tmp_path, good_file(people), "--org", "nope", "--cycle", cycle.name)
    with pytest.raises(CommandError):
        command(tmp_path, good_file(people), "--org", org.slug, "--cycle", "FY1900")


def test_command_returns_warnings_without_failing(tmp_path, org, cycle, people):
    content = csv_of(f"SIDE,Side,,{people['head']},,cx,,,,,1,")
    code, summary = command(tmp_path, content, "--org", org.slug, "--cycle", cycle.name)
    assert code == 0 and summary["created"] == 1
    assert summary["warnings"][0]["row"] == 2 and "orphan goal" in summary["warnings"][0]["message"]
