"""The KPI API (kpis/api/views.py): custom KPIs, roles, builtins kept, versions, directions."""

import pytest
from django.urls import reverse

from kpis import services
from kpis.models import KPI
from tests.kpis.conftest import api

pytestmark = pytest.mark.django_db


def test_cx_lead_adds_a_custom_kpi_through_the_api(as_user, cx_lead, org):
    response = as_user(cx_lead).post(api(org, "kpis/"), {"key": "otd", "name": "On-time delivery",
                                     "unit": "%", "direction": "up"})  # fmt: skip
    assert response.status_code == 201, response.json()
    assert response.json()["is_builtin"] is False


def test_manager_cannot_write_kpis(as_user, manager, org):
    assert as_user(manager).post(api(org, "kpis/"), {"key": "x"}).status_code == 403


def test_builtin_delete_through_the_api_is_400(as_user, admin, org):
    nps = KPI.objects.get(organization=org, key="nps")
    assert as_user(admin).delete(api(org, f"kpis/{nps.pk}/")).status_code == 400


def test_outsider_gets_404(as_user, outsider, org):
    nps = KPI.objects.get(organization=org, key="nps")
    client = as_user(outsider)
    assert client.get(api(org, "kpis/")).status_code == 404
    assert client.get(api(org, f"kpis/{nps.pk}/")).status_code == 404


def test_stale_kpi_edit_answers_409(as_user, cx_lead, org):
    kpi = services.kpi_create(organization=org, key="otd", name="OTD", unit="%")
    client = as_user(cx_lead)
    assert (
        client.patch(api(org, f"kpis/{kpi.pk}/"), {"unit": "pct", "version": 1}).status_code == 200
    )
    response = client.patch(api(org, f"kpis/{kpi.pk}/"), {"unit": "x", "version": 1})
    assert response.status_code == 409 and response.json()["current"]["unit"] == "pct"


@pytest.mark.parametrize(
    ("given", "stored"), [("higher", "up"), ("Lower", "down"), ("down", "down")]
)
def test_kpi_direction_accepts_higher_and_lower(as_user, client, cx_lead, org, given, stored):
    response = as_user(cx_lead).post(api(org, "kpis/"), {"key": "otd", "name": "On-time delivery",
                                     "unit": "%", "direction": given})  # fmt: skip
    assert response.status_code == 201, response.json()
    assert response.json()["direction"] == stored
    client.force_login(cx_lead.user)
    page = client.post(reverse("kpis:kpi_list", args=[org.slug]),
                       {"key": "aht", "name": "Handling time", "unit": "min", "direction": given})  # fmt: skip
    assert page.status_code == 302
    assert KPI.objects.get(organization=org, key="aht").direction == stored


def test_kpi_direction_nonsense_is_a_clear_error(as_user, cx_lead, org):
    response = as_user(cx_lead).post(api(org, "kpis/"), {"key": "otd", "name": "OTD", "unit": "%",
                                     "direction": "sideways"})  # fmt: skip
    assert response.status_code == 400 and "direction" in response.json()


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
