"""Fixtures and helpers of the KPI tests: the API address, a measurement, and 15 months of
NPS history."""

import datetime
from decimal import Decimal

import pytest

from kpis.models import KPI, Measurement


def api(org, path=""):
    return f"/api/v1/orgs/{org.slug}/{path}"


def measure(kpi, days_ago: int, value, *, segment="", source="entered", note=""):
    return Measurement.objects.create(
        organization=kpi.organization, kpi=kpi, value=Decimal(value), segment=segment,
        measured_on=DAY - datetime.timedelta(days=days_ago), source=source, note=note,
    )  # fmt: skip


@pytest.fixture
def nps_history(org):
    """15 company-wide NPS values (engine-measured), plus segment values that must not count."""
    nps = KPI.objects.get(organization=org, key="nps")
    values = [Decimal(v) for v in ("12.5", "14", "9.25", "11", "13.75", "15.5", "10", "16.125",
                                   "17", "14.5", "18", "19.25", "18.5", "21", "20.4567")]  # fmt: skip
    for i, value in enumerate(values):
        measure(nps, 30 * (len(values) - 1 - i), value, source="engine",
                note=f"Measured by recompute run {i + 1}")  # fmt: skip
    measure(nps, -30, "99", segment="SMB")  # later, but a segment: not the company's value
    return nps, values


DAY = datetime.date(2026, 1, 31)
