"""Reads of the KPI app (kpis/selectors.py): a KPI's trend."""

import pytest

from kpis import selectors

pytestmark = pytest.mark.django_db


def test_trend_is_the_last_twelve_values_in_date_order(org, nps_history):
    nps, values = nps_history
    trend = selectors.kpi_trends(organization=org)[nps.id]
    assert [m.value for m in trend] == values[-12:]
    assert trend == sorted(trend, key=lambda m: m.measured_on)
