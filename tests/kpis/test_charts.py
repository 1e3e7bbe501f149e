"""Charts of the KPI pages (kpis/charts.py): the server-side sparkline."""

from decimal import Decimal

import pytest

from kpis.charts import sparkline

pytestmark = pytest.mark.django_db


def test_sparkline_scales_values_into_the_box():
    values = [Decimal("10"), Decimal("20"), Decimal("15"), Decimal("12.5")]
    spark = sparkline(values, width=100, height=30, pad=5)
    xs, ys = zip(*(map(float, p.split(",")) for p in spark["points"].split()), strict=True)
    assert xs == pytest.approx([5, 35, 65, 95])
    low, high = 10.0, 20.0  # independent: top is the highest value, bottom the lowest
    assert ys == pytest.approx([5 + (high - float(v)) / (high - low) * 20 for v in values])
    assert spark["first_value"] == values[0] and spark["last_value"] == values[-1]
    assert spark["low"] == Decimal("10") and spark["high"] == Decimal("20")
    assert sparkline([]) is None
    flat = sparkline([Decimal("3"), Decimal("3")], height=30)
    assert {p.split(",")[1] for p in flat["points"].split()} == {"15.0"}
    assert sparkline([Decimal("7")], width=100)["last"] == (50.0, 14.0)
