"""The embedded mode's path (SQLite, executemany) end to end, in a subprocess with its own DB."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa

from feedback.charts import theme_trend, theme_trend_figure, trend_frame
from feedback.imports.writers import _python_rows
from tests.feedback.theme_flow import check_flow

ROOT = Path(__file__).resolve().parents[2]


def test_python_rows_format_dates_for_sqlite():
    from datetime import UTC, date, datetime

    table = pa.table(
        {
            "at": pa.array(
                [datetime(2024, 3, 1, 10, 0, tzinfo=UTC), None], pa.timestamp("s", tz="UTC")
            ),
            "day": pa.array([date(2024, 1, 2), None]),
            "n": pa.array([1, None], pa.int16()),
        }
    )
    assert _python_rows(table) == [("2024-03-01 10:00:00", "2024-01-02", 1), (None, None, None)]


def test_trend_chart_has_title_units_and_period():
    rows = [
        {
            "theme_id": 1,
            "theme__name": "Delivery",
            "month": "2024-01-01T00:00:00Z",
            "volume": 3,
            "scored": 3,
            "promoters": 1,
            "detractors": 1,
        },
        {
            "theme_id": 1,
            "theme__name": "Delivery",
            "month": "2024-02-01T00:00:00Z",
            "volume": 5,
            "scored": 4,
            "promoters": 3,
            "detractors": 0,
        },
    ]
    fig = theme_trend(trend_frame(rows), metric="nps", title="NPS by theme")
    assert fig.layout.title.text == "NPS by theme · Jan 2024 – Feb 2024"
    assert fig.layout.yaxis.title.text == "NPS (−100 to 100)"
    assert fig.layout.xaxis.title.text == "Month the response was given"
    assert list(fig.data[0].y) == [0, 75]
    assert "plotly" in theme_trend_figure(trend_frame(rows))
    assert theme_trend_figure(trend_frame([]), metric="volume") == ""


def embedded_org(tmp_path) -> dict:
    """A migrated embedded (SQLite) database in tmp_path with northwind; its environment."""
    env = {
        **os.environ,
        "DATABASE_URL": "",
        "REDIS_URL": "",
        "CXALIGN_VAR_DIR": str(tmp_path),
        "DEBUG": "true",
    }
    assert run_command(["migrate", "-v0"], env).returncode == 0
    assert run_command(["demo", "--core-only"], env).returncode == 0
    return env


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


def test_sqlite_import_reimport_and_update(tmp_path):
    env = embedded_org(tmp_path)
    path = tmp_path / "f.csv"
    path.write_text(
        "id,when,nps,comment\nR1,2024-03-01,9,late delivery\nR2,2024-03-02,11,x\nR3,2024-03-03,5,ok\n"
    )
    args = ["import_feedback", str(path), "--org", "northwind", "--source", "S"]
    first = json.loads(run_command(args, env).stdout)
    assert (first["status"], first["new"], first["rejected"]) == ("succeeded", 2, 1)
    again = json.loads(run_command(args, env).stdout)
    assert (again["new"], again["unchanged"]) == (0, 2)
    path.write_text("id,when,nps,comment\nR1,2024-03-01,10,late delivery\nR4,2024-03-04,8,new\n")
    changed = json.loads(run_command(args, env).stdout)
    assert (changed["new"], changed["updated"], changed["unchanged"]) == (1, 1, 0)
    bad = tmp_path / "x.csv"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n")
    failed = run_command(["import_feedback", str(bad), "--org", "northwind", "--source", "S"], env)
    assert failed.returncode == 2
    assert json.loads(failed.stdout)["status"] == "failed"


def test_sqlite_themes_stored_in_the_row(tmp_path):
    """Tagging, manual tags across a re-import, theme filter, names, figures and delete."""
    env = embedded_org(tmp_path)
    code = (
        "import json; from cxalign.orgs.models import Organization; "
        "from tests.feedback.theme_flow import run_flow; "
        f"print(json.dumps(run_flow(Organization.objects.get(slug='northwind'), '{tmp_path}')))"
    )
    out = run_command(["shell", "-c", code], env)
    assert out.returncode == 0, out.stderr
    check_flow(json.loads(out.stdout.strip().splitlines()[-1]))


def test_sqlite_reimport_keeps_unmapped_columns_and_scheduled_churn(tmp_path):
    env = embedded_org(tmp_path)
    people = tmp_path / "c.csv"
    people.write_text("customer_id,clv,churned_on\nC1,100.50,2024-01-31\nC2,20,2099-12-31\n")
    args = ["import_customers", str(people), "--org", "northwind"]
    first = json.loads(run_command(args, env).stdout)
    assert (first["new"], first["rejected"]) == (2, 0)
    people.write_text("customer_id,segment\nC1,smb\nC2,\n")
    again = json.loads(run_command(args, env).stdout)
    assert (again["updated"], again["unchanged"]) == (1, 1)
    answers = tmp_path / "f.csv"
    answers.write_text("id,date,nps,comment,segment\nR1,2024-03-01,9,late delivery,smb\n")
    feedback = ["import_feedback", str(answers), "--org", "northwind", "--source", "S"]
    assert json.loads(run_command(feedback, env).stdout)["new"] == 1
    answers.write_text("id,nps\nR1,9\n")
    assert json.loads(run_command(feedback, env).stdout)["unchanged"] == 1
    answers.write_text("id,nps\nR1,4\n")
    assert json.loads(run_command(feedback, env).stdout)["updated"] == 1
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
