"""Exports of flags and links: content read back (CSV parsed, XLSX via openpyxl), same filters
as the page, formulas neutralised, numbers unrounded."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from alignment.models import Run
from tests.factories import FlagFactory, OrgUnitFactory, RunFactory

RESULTS = {
    "periods": {
        "previous": {"first_day": "2026-04-01", "last_day": "2026-06-30"},
        "current": {"first_day": "2026-07-01", "last_day": "2026-09-30"},
    },
    "nps": {
        "=HYPERLINK(1)": {
            "previous": {"responses": 10, "nps": 10.0},
            "current": {"responses": 12, "nps": 100 / 3},
            "change_points": 100 / 3 - 10,
            "change_z": 1.2345678901,
            "significant": False,
        }
    },
    "links": {
        "all": {
            "previous": {"customers": 4, "churn_rate": 0.25, "promoters": {"clv_mean": 1.5}},
            "current": {
                "customers": 3,
                "churn_rate": 1 / 3,
                "detractors": {"customers": 1, "clv_mean": 123.456789},
                "score_vs_churned": {"pearson_r": -0.123456789, "pearson_p": 0.5},
            },
        }
    },
    "value_of_moving": {
        "share": 0.1,
        "segments": {"SMB": {"value": 12.5, "moved": 0.3}},
        "value": 12.5,
        "simpson": False,
    },
}


def read_csv(response) -> list[dict]:
    text = response.getvalue().decode("utf-8-sig")  # streamed
    return list(csv.DictReader(io.StringIO(text)))


def read_xlsx(response) -> list[dict]:
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.fixture
def flags(cycle):
    unit = OrgUnitFactory(organization=cycle.organization, name="+Sales")
    return [
        FlagFactory(
            cycle=cycle,
            severity="high",
            unit=unit,
            title="=cmd|' /C calc'!A0",
            subjects=[{"type": "goal", "id": 7, "label": "@SUM(A1)", "url": "/x/"}],
            evidence={"nps": -12.5},
        ),  # fmt: skip
        FlagFactory(cycle=cycle, severity="low", rule="data_asked_twice", title="Asked twice"),
        FlagFactory(cycle=cycle, severity="low", state="resolved", title="Resolved one"),
    ]


def export_url(org, name, query=""):
    return reverse(f"alignment:{name}", args=[org.slug]) + query


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_flags_export_neutralises_formulas_and_keeps_filters(client, viewer, flags, fmt):
    client.force_login(viewer.user)
    org = viewer.organization
    response = client.get(export_url(org, "flags_export", f"?format={fmt}"))
    assert response.status_code == 200
    assert f'filename="{org.slug}-flags.{fmt}"' in response["Content-Disposition"]
    rows = read_csv(response) if fmt == "csv" else read_xlsx(response)
    assert [r["title"] for r in rows] == ["'=cmd|' /C calc'!A0", "Asked twice"]
    first = rows[0]
    assert first["unit"] == "'+Sales"
    assert first["subjects"] == "goal: @SUM(A1)"  # not at the start of the cell: kept
    assert first["severity"] == "high" and '"nps": -12.5' in first["evidence"]
    filtered = client.get(export_url(org, "flags_export", f"?rule=data_asked_twice&format={fmt}"))
    rows = read_csv(filtered) if fmt == "csv" else read_xlsx(filtered)
    assert [r["title"] for r in rows] == ["Asked twice"]


def test_flags_export_of_every_state(client, viewer, flags):
    client.force_login(viewer.user)
    rows = read_csv(client.get(export_url(viewer.organization, "flags_export", "?state=all")))
    assert {r["state"] for r in rows} == {"open", "resolved"}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_links_export_one_row_per_period_segment_figure(client, viewer, cycle, fmt):
    run = RunFactory(cycle=cycle, results=RESULTS)
    client.force_login(viewer.user)
    response = client.get(export_url(cycle.organization, "links_export", f"?format={fmt}"))
    assert response.status_code == 200
    rows = read_csv(response) if fmt == "csv" else read_xlsx(response)

    def value(period, segment, group, figure):
        found = [r for r in rows if (r["period"], r["segment"], r["group"], r["figure"])
                 == (period, segment, group, figure)]  # fmt: skip
        assert len(found) == 1, (period, segment, group, figure)
        assert str(found[0]["run"]) == str(run.id)
        return float(found[0]["value"])

    seg = "'=HYPERLINK(1)"  # neutralised
    assert value("current", seg, "responses", "nps") == pytest.approx(100 / 3, abs=1e-12)
    assert value("previous", seg, "responses", "responses") == 10
    assert value("current", seg, "change", "change_z") == pytest.approx(1.2345678901, abs=1e-12)
    assert value("current", "all", "customers", "churn_rate") == pytest.approx(1 / 3, abs=1e-12)
    assert value("current", "all", "detractors", "clv_mean") == pytest.approx(123.456789)
    assert value("current", "all", "score_vs_churned", "pearson_r") == pytest.approx(-0.123456789)
    assert value("previous", "all", "promoters", "clv_mean") == 1.5
    assert value("current", "SMB", "value_of_moving", "value") == 12.5
    assert value("current", "all (sum over segments)", "value_of_moving", "value") == 12.5
    first_days = {r["period"]: r["first_day"] for r in rows}
    assert first_days == {"previous": "2026-04-01", "current": "2026-07-01"}


def test_links_export_without_a_finished_run_is_404(client, viewer, cycle):
    RunFactory(cycle=cycle, status=Run.Status.RUNNING)
    client.force_login(viewer.user)
    assert client.get(export_url(cycle.organization, "links_export")).status_code == 404
