"""Charts are built from plain values: tested without a database."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

from strategy.charts import checkin_figure


def at(day):
    return datetime.datetime(2026, 10, day, 9, tzinfo=datetime.UTC)


def test_kpi_chart_has_title_axis_units_target_and_baseline():
    kpi = SimpleNamespace(name="Net Promoter Score", unit="points")
    goal = SimpleNamespace(key="C1", measure="kpi", measure_unit="points", kpi=kpi, kpi_id=1,
                           target=Decimal("35"), baseline=Decimal("18"))  # fmt: skip
    checkins = [SimpleNamespace(created_at=at(20), value=Decimal(24), progress=None),
                SimpleNamespace(created_at=at(1), value=Decimal(20), progress=None)]  # fmt: skip
    fig = checkin_figure(goal=goal, checkins=checkins)
    assert fig["data"][0]["y"] == [20.0, 24.0]
    assert "Net Promoter Score" in fig["layout"]["title"]["text"]
    assert fig["layout"]["yaxis"]["title"]["text"] == "Net Promoter Score (points)"
    assert "2026-10-01 to 2026-10-20" in fig["layout"]["xaxis"]["title"]["text"]
    assert {s["y0"] for s in fig["layout"]["shapes"]} == {35.0, 18.0}


def test_milestone_chart_is_in_percent_and_needs_two_checkins():
    goal = SimpleNamespace(key="CS-2", measure="milestone", measure_unit="", kpi=None, kpi_id=None,
                           target=None, baseline=None)  # fmt: skip
    one = [SimpleNamespace(created_at=at(1), value=None, progress=Decimal("0.4"))]
    assert checkin_figure(goal=goal, checkins=one) is None
    two = [*one, SimpleNamespace(created_at=at(9), value=None, progress=Decimal("0.65"))]
    fig = checkin_figure(goal=goal, checkins=two)
    assert fig["data"][0]["y"] == [40.0, 65.0]
    assert fig["layout"]["yaxis"]["title"]["text"] == "Progress (%)"
