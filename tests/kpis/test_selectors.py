"""The KPI catalogue shows each KPI's current value, trend, source and the goals that target
it; a goal with a KPI target shows the measured value beside the one typed at a check-in.

Issue "first run and daily use", item 6.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from kpis import selectors
from kpis.charts import sparkline
from kpis.models import KPI, Measurement
from strategy.models import Goal
from tests.factories import CycleFactory, GoalFactory

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 1, 31)


def catalogue_url(org) -> str:
    return reverse("kpis:kpi_list", args=[org.slug])


def measure(kpi, days_ago: int, value, *, segment="", source="entered", note=""):
    return Measurement.objects.create(
        organization=kpi.organization, kpi=kpi, value=Decimal(value), segment=segment,
        measured_on=DAY - datetime.timedelta(days=days_ago), source=source, note=note,
    )  # fmt: skip


def row_of(page: str, key: str) -> str:
    found = re.search(rf'<tr data-testid="kpi-{key}">(.*?)</tr>', page, re.S)
    assert found, key
    return found.group(1)


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


def test_current_value_is_the_latest_company_wide_measurement(client, viewer, org, nps_history):
    nps, values = nps_history
    client.force_login(viewer.user)
    row = row_of(client.get(catalogue_url(org)).content.decode(), "nps")
    now = re.search(r'data-testid="kpi-now">.*?data-value="([^"]+)">([^<]+)<', row, re.S)
    assert Decimal(now.group(1)) == values[-1]  # unrounded in the data attribute
    assert now.group(2) == "20.46"  # rounded only by the template
    assert "Measured by the engine" in row and "Measured by recompute run 15" in row


def test_trend_is_the_last_twelve_values_in_date_order(org, nps_history):
    nps, values = nps_history
    trend = selectors.kpi_trends(organization=org)[nps.id]
    assert [m.value for m in trend] == values[-12:]
    assert trend == sorted(trend, key=lambda m: m.measured_on)


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


def test_catalogue_draws_the_sparkline_server_side(client, viewer, org, nps_history):
    client.force_login(viewer.user)
    row = row_of(client.get(catalogue_url(org)).content.decode(), "nps")
    nps, values = nps_history
    points = re.search(r'<polyline points="([^"]+)"', row).group(1)
    expected = sparkline(values[-12:])["points"]
    assert points == expected and len(points.split()) == 12
    assert "<script" not in row


def test_each_source_is_named(client, viewer, org):
    kpis = {k.key: k for k in KPI.objects.for_org(org)}
    measure(kpis["csat"], 0, "71", source="entered")
    measure(kpis["ces"], 0, "3.1", source="imported", note="Imported from the survey tool")
    client.force_login(viewer.user)
    page = client.get(catalogue_url(org)).content.decode()
    assert "Entered" in row_of(page, "csat")
    assert "Imported" in row_of(page, "ces") and "survey tool" in row_of(page, "ces")
    assert "not measured yet" in row_of(page, "clv")


def test_goals_that_target_a_kpi_are_listed_newest_cycle_first(client, viewer, org):
    nps = KPI.objects.get(organization=org, key="nps")
    old = CycleFactory(organization=org, name="FY2025", starts_on=datetime.date(2025, 1, 1),
                       ends_on=datetime.date(2025, 12, 31), status="closed")  # fmt: skip
    new = CycleFactory(organization=org, name="FY2026")
    kpi_goal = {"measure": Goal.Measure.KPI, "kpi": nps, "baseline": 10, "target": 30,
                "measure_unit": "points"}  # fmt: skip
    GoalFactory(cycle=old, key="OLD-1", title="Old NPS goal", **kpi_goal)
    for i in range(6):
        GoalFactory(cycle=new, key=f"NEW-{i}", title=f"New NPS goal {i}", **kpi_goal)
    GoalFactory(cycle=new, key="OTHER", title="Not an NPS goal")
    client.force_login(viewer.user)
    row = row_of(client.get(catalogue_url(org)).content.decode(), "nps")
    shown = re.findall(r">((?:NEW|OLD)-\d) · ", row)
    assert shown == [f"NEW-{i}" for i in range(5)]  # five named, newest cycle first
    assert "and 2 more" in row and "OTHER" not in row
    assert "FY2026" in row


def test_catalogue_reads_a_constant_number_of_queries(
    client, cx_lead, org, django_assert_max_num_queries
):
    client.force_login(cx_lead.user)
    with django_assert_max_num_queries(12) as small:
        assert client.get(catalogue_url(org)).status_code == 200
    cycle = CycleFactory(organization=org)
    for i in range(15):
        kpi = KPI.objects.create(organization=org, key=f"k{i}", name=f"K {i}", unit="%")
        for d in range(20):
            measure(kpi, d, str(i + d), source=["engine", "entered", "imported"][d % 3])
            measure(kpi, d, str(i), segment=f"S{d % 4}")
        for _ in range(3):
            GoalFactory(cycle=cycle, measure="kpi", kpi=kpi, baseline=0, target=1,
                        measure_unit="%")  # fmt: skip
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(catalogue_url(org)).content.decode()
    assert page.count("<polyline") == 15


def test_api_names_the_source_and_keeps_engine_values_to_the_engine(as_user, cx_lead, org):
    nps = KPI.objects.get(organization=org, key="nps")
    api = as_user(cx_lead)
    url = f"/api/v1/orgs/{org.slug}/kpi-measurements/"
    entered = api.post(url, {"kpi": nps.id, "measured_on": "2026-01-31", "value": "12.5"})
    assert entered.status_code == 201 and entered.json()["source"] == "entered"
    imported = api.post(url, {"kpi": nps.id, "measured_on": "2026-02-28", "value": "13",
                              "source": "imported"})  # fmt: skip
    assert imported.status_code == 201 and imported.json()["source"] == "imported"
    engine = api.post(url, {"kpi": nps.id, "measured_on": "2026-03-31", "value": "14",
                            "source": "engine"})  # fmt: skip
    assert engine.status_code == 400 and "engine" in str(engine.json())


@pytest.fixture
def kpi_goal(org, manager):
    nps = KPI.objects.get(organization=org, key="nps")
    cycle = CycleFactory(organization=org, name="FY2026")
    goal = GoalFactory(cycle=cycle, key="NPS-1", owner=manager, measure="kpi", kpi=nps,
                       baseline=10, target=30, measure_unit="points",
                       current_value=Decimal("22"))  # fmt: skip
    return goal


def test_a_kpi_goal_shows_the_measured_value_beside_the_typed_one(client, manager, org, kpi_goal):
    client.force_login(manager.user)
    detail = reverse("strategy:goal_detail", args=[org.slug, kpi_goal.pk])
    mine = reverse("strategy:my_goals", args=[org.slug])
    for url in (detail, mine):
        page = client.get(url).content.decode()
        pair = re.search(rf'data-testid="measured-{kpi_goal.id}">(.*?)</span></span>', page, re.S)
        assert "last check-in <strong>22</strong> points" in pair.group(1)
        assert "not measured yet" in pair.group(1)
    measure(kpi_goal.kpi, 40, "15", source="engine")
    measure(kpi_goal.kpi, 10, "17.125", source="engine")
    measure(kpi_goal.kpi, 0, "50", segment="SMB")
    for url in (detail, mine):
        page = client.get(url).content.decode()
        pair = re.search(rf'data-testid="measured-{kpi_goal.id}">(.*?)</span></span>', page, re.S)
        assert "last check-in <strong>22</strong> points" in pair.group(1)
        assert "measured <strong>17.13</strong> points on 21 Jan 2026" in pair.group(1)
        assert "measured by the engine" in pair.group(1)
