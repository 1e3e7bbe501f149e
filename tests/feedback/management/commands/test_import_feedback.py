"""The import_feedback command: one JSON summary, idempotent, dry run, all or nothing, exit
codes."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from feedback.models import Response
from tests.feedback.imports.uploads import (
    BAD,
)

pytestmark = pytest.mark.django_db


def test_command_prints_one_json_and_is_idempotent(org, tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(BAD)
    out = StringIO()
    call_command("import_feedback", str(path), "--org", org.slug, "--source", "Cmd", stdout=out)
    summary = json.loads(out.getvalue())
    assert {k: summary[k] for k in ["status", "rows_read", "new", "rejected"]} == {
        "status": "succeeded",
        "rows_read": 4,
        "new": 3,
        "rejected": 1,
    }
    assert summary["errors"][0]["column"] == "NPS"
    out = StringIO()
    call_command("import_feedback", str(path), "--org", org.slug, "--source", "Cmd", stdout=out)
    assert json.loads(out.getvalue())["unchanged"] == 3


def test_command_dry_run_and_all_or_nothing(org, tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(BAD)
    out = StringIO()
    call_command(
        "import_feedback", str(path), "--org", org.slug, "--source", "Cmd", "--dry-run", stdout=out
    )
    assert json.loads(out.getvalue())["status"] == "previewed"
    out = StringIO()
    call_command(
        "import_feedback",
        str(path),
        "--org",
        org.slug,
        "--source",
        "Cmd",
        "--all-or-nothing",
        stdout=out,
    )
    assert json.loads(out.getvalue())["status"] == "rejected"
    assert not Response.objects.exists()


def test_command_exits_non_zero_for_unusable_file(org, tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n")
    out = StringIO()
    with pytest.raises(CommandError) as info:
        call_command("import_feedback", str(path), "--org", org.slug, "--source", "S", stdout=out)
    assert info.value.returncode == 2
    assert json.loads(out.getvalue())["status"] == "failed"
