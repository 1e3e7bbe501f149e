"""The embedded mode's path (SQLite, executemany) end to end, in a subprocess with its own DB."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.feedback.theme_flow import check_flow

ROOT = Path(__file__).resolve().parents[2]
DB_FILE = "cxalign.sqlite3"  # in CXALIGN_VAR_DIR (cxalign/settings.py)


@pytest.fixture(scope="module")
def embedded_template(tmp_path_factory) -> Path:
    """One migrated embedded (SQLite) database with northwind, built once for this module."""
    where = tmp_path_factory.mktemp("embedded")
    env = _embedded_env(where)
    migrated = run_command(["migrate", "-v0"], env)
    assert migrated.returncode == 0, migrated.stderr
    demo = run_command(["demo", "--core-only"], env)
    assert demo.returncode == 0, demo.stderr
    return where / DB_FILE


def _embedded_env(var_dir: Path) -> dict:
    return {**os.environ, "DATABASE_URL": "", "REDIS_URL": "", "CXALIGN_VAR_DIR": str(var_dir),
            "DEBUG": "true"}  # fmt: skip


@pytest.fixture
def embedded_org(tmp_path, embedded_template) -> dict:
    """A copy of the template database in tmp_path (each test its own); its environment."""
    shutil.copyfile(embedded_template, tmp_path / DB_FILE)
    return _embedded_env(tmp_path)


def run_command(args, env):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return result


def run_commands(commands: list[list], env) -> list[dict]:
    """The commands in one subprocess (tests/feedback/embedded_commands.py): code and stdout."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.feedback.embedded_commands", json.dumps(commands)],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def summaries(results: list[dict]) -> list[dict]:
    return [json.loads(r["stdout"]) for r in results]


def test_sqlite_import_reimport_and_update(tmp_path, embedded_org):
    first = tmp_path / "f1.csv"
    first.write_text(
        "id,when,nps,comment\nR1,2024-03-01,9,late delivery\nR2,2024-03-02,11,x\nR3,2024-03-03,5,ok\n"
    )
    changed = tmp_path / "f2.csv"
    changed.write_text("id,when,nps,comment\nR1,2024-03-01,10,late delivery\nR4,2024-03-04,8,new\n")
    bad = tmp_path / "x.csv"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n")
    imports = [["import_feedback", str(path), "--org", "northwind", "--source", "S"]
               for path in (first, first, changed, bad)]  # fmt: skip
    results = run_commands(imports, embedded_org)
    once, again, updated, failed = summaries(results)
    assert (once["status"], once["new"], once["rejected"]) == ("succeeded", 2, 1)
    assert (again["new"], again["unchanged"]) == (0, 2)
    assert (updated["new"], updated["updated"], updated["unchanged"]) == (1, 1, 0)
    assert results[3]["code"] == 2 and failed["status"] == "failed"


def test_sqlite_themes_stored_in_the_row(tmp_path, embedded_org):
    """Tagging, manual tags across a re-import, theme filter, names, figures and delete."""
    env = embedded_org
    code = (
        "import json; from cxalign.orgs.models import Organization; "
        "from tests.feedback.theme_flow import run_flow; "
        f"print(json.dumps(run_flow(Organization.objects.get(slug='northwind'), '{tmp_path}')))"
    )
    out = run_command(["shell", "-c", code], env)
    assert out.returncode == 0, out.stderr
    check_flow(json.loads(out.stdout.strip().splitlines()[-1]))


def test_sqlite_reimport_keeps_unmapped_columns_and_scheduled_churn(tmp_path, embedded_org):
    env = embedded_org
    files = {
        "c1.csv": "customer_id,clv,churned_on\nC1,100.50,2024-01-31\nC2,20,2099-12-31\n",
        "c2.csv": "customer_id,segment\nC1,smb\nC2,\n",
        "f1.csv": "id,date,nps,comment,segment\nR1,2024-03-01,9,late delivery,smb\n",
        "f2.csv": "id,nps\nR1,9\n",
        "f3.csv": "id,nps\nR1,4\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    people = [
        ["import_customers", str(tmp_path / n), "--org", "northwind"] for n in ("c1.csv", "c2.csv")
    ]
    answers = [["import_feedback", str(tmp_path / n), "--org", "northwind", "--source", "S"]
               for n in ("f1.csv", "f2.csv", "f3.csv")]  # fmt: skip
    first, again, new, unchanged, updated = summaries(run_commands([*people, *answers], env))
    assert (first["new"], first["rejected"]) == (2, 0)
    assert (again["updated"], again["unchanged"]) == (1, 1)
    assert (new["new"], unchanged["unchanged"], updated["updated"]) == (1, 1, 1)
    code = (
        "import json; from feedback.models import Customer, Response; "
        "c = {x.customer_id: [str(x.churned_on), str(x.clv), x.segment] "
        "for x in Customer.objects.all()}; r = Response.objects.get(response_id='R1'); "
        "print(json.dumps([c, [r.nps, r.comment, r.segment, str(r.responded_at)]]))"
    )
    out = run_command(["shell", "-c", code], env)
    assert out.returncode == 0, out.stderr
    stored, response = json.loads(out.stdout.strip().splitlines()[-1])
    assert stored["C1"] == ["2024-01-31", "100.50", "smb"]
    assert stored["C2"][0] == "2099-12-31"
    assert response == [4, "late delivery", "smb", "2024-03-01 00:00:00+00:00"]
