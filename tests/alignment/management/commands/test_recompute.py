"""The recompute command: one JSON object, clear errors for bad input."""

import json

import pytest
from django.core.management import CommandError, call_command

from alignment.models import Run
from tests.alignment import runs

cycle, data = runs.cycle, runs.data  # fixtures: a cycle whose inputs are due, a company


def test_recompute_command_prints_one_json_object(org, cycle, data, capsys):
    call_command("recompute", "--org", org.slug, "--cycle", cycle.name)
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"status", "run", "seconds", "periods", "responses", "customers",
                        "flags_open", "flags_new", "flags_resolved"}  # fmt: skip
    assert out["status"] == "succeeded" and out["flags_new"] == out["flags_open"] > 0
    run = Run.objects.get(id=out["run"])
    assert run.trigger == Run.Trigger.COMMAND
    assert out["responses"] == run.results["data_quality"]["current"]["responses"]
    call_command("recompute", "--org", org.slug, "--period-start", "2026-08-01",
                 "--period-end", "2026-08-31", "--previous-start", "2026-06-01",
                 "--previous-end", "2026-06-30")  # fmt: skip
    assert json.loads(capsys.readouterr().out)["periods"]["previous"]["first_day"] == "2026-06-01"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--org", "nope"], "No organization"),
        (["--org", "acme", "--cycle", "FY1999"], "No cycle “FY1999”"),
        (["--org", "acme", "--period-start", "2026-07-01"], "Give both"),
        (["--org", "acme", "--period-start", "July", "--period-end", "2026-07-31"], "not a date"),
        (["--org", "acme", "--period-start", "2026-09-01", "--period-end", "2026-08-01"], "ends"),
    ],
)
def test_recompute_command_bad_input_is_a_clear_error(org, cycle, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("recompute", *args)
    assert not Run.objects.exists()
