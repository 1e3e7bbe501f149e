"""The KPI pages (kpis/views.py): the catalogue shows each KPI's current value, trend, source and
the goals that target it; a goal with a KPI target shows the measured value beside the one
typed at a check-in. Issue "first run and daily use", item 6.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from kpis.charts import sparkline
from kpis.models import KPI
from strategy.models import Goal
from tests.factories import CycleFactory, GoalFactory
from tests.kpis.conftest import measure

pytestmark = pytest.mark.django_db


def catalogue_url(org) -> str:
    return reverse("kpis:kpi_list", args=[org.slug])


def row_of(page: str, key: str) -> str:
    found = re.search(rf'<tr data-testid="kpi-{key}">(.*?)</tr>', page, re.S)
    assert found, key
    return found.group(1)


def test_current_value_is_the_latest_company_wide_measurement(client, viewer, org, nps_history):
    nps, values = nps_history
    client.force_login(viewer.user)
    row = row_of(client.get(catalogue_url(org)).content.decode(), "nps")
    now = re.search(r'data-testid="kpi-now">.*?data-value="([^"]+)">([^<]+)<', row, re.S)
    assert Decimal(now.group(1)) == values[-1]  # unrounded in the data attribute
    assert now.group(2) == "20.46"  # rounded only by the template
    assert "Measured by the engine" in row and "Measured by recompute run 15" in row


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


def test_catalogue_page_lists_builtins_and_adds_custom(client, cx_lead, viewer, org):
    client.force_login(viewer.user)
    page = client.get(reverse("kpis:kpi_list", args=[org.slug])).content.decode()
    assert "Net Promoter Score" in page and "Add your own KPI" not in page
    client.force_login(cx_lead.user)
    response = client.post(reverse("kpis:kpi_list", args=[org.slug]),
                           {"key": "otd", "name": "OTD", "unit": "%", "direction": "up"})  # fmt: skip
    assert response.status_code == 302
    assert KPI.objects.for_org(org).filter(key="otd").exists()
