"""The KPI catalogue: built-ins for every organization, custom KPIs, tenancy and roles."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kpis import services
from kpis.catalogue import BUILTIN_KPIS
from kpis.models import KPI
from tests.factories import CycleFactory, GoalFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def api(org, path=""):
    return f"/api/v1/orgs/{org.slug}/{path}"


def test_every_new_organization_gets_the_builtin_kpis():
    org = OrganizationFactory()
    keys = set(KPI.objects.for_org(org).filter(is_builtin=True).values_list("key", flat=True))
    assert keys == {"nps", "clv", "churn_rate", "onboarding_success_rate",
                    "customer_asset_value", "csat", "ces"}  # fmt: skip
    assert len(BUILTIN_KPIS) == 7


def test_builtins_ensure_is_idempotent(org):
    assert services.kpi_builtins_ensure(organization=org) == 0
    KPI.objects.for_org(org).filter(key="ces").delete()
    assert services.kpi_builtins_ensure(organization=org) == 1
    assert KPI.objects.for_org(org).count() == 7


def test_custom_kpi_needs_a_unit_and_a_unique_key(org):
    kpi = services.kpi_create(organization=org, key="otd", name="On-time delivery", unit="%",
                              direction="up")  # fmt: skip
    assert not kpi.is_builtin
    with pytest.raises(ValidationError):
        services.kpi_create(organization=org, key="otd", name="Other", unit="%")
    with pytest.raises(ValidationError):
        services.kpi_create(organization=org, key="x", name="No unit", unit=" ")


def test_builtin_kpis_cannot_be_deleted_or_rekeyed(org):
    nps = KPI.objects.get(organization=org, key="nps")
    with pytest.raises(ValidationError):
        services.kpi_delete(kpi=nps)
    with pytest.raises(ValidationError):
        services.kpi_update(kpi=nps, data={"key": "net"}, version=1)


def test_kpi_used_by_a_goal_cannot_be_deleted(org):
    kpi = services.kpi_create(organization=org, key="otd", name="OTD", unit="%")
    GoalFactory(cycle=CycleFactory(organization=org), measure="kpi", kpi=kpi, baseline=1,
                target=2, measure_unit="%")  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        services.kpi_delete(kpi=kpi)
    assert "still use" in " ".join(exc.value.messages)


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


def test_catalogue_page_lists_builtins_and_adds_custom(client, cx_lead, viewer, org):
    client.force_login(viewer.user)
    page = client.get(reverse("kpis:kpi_list", args=[org.slug])).content.decode()
    assert "Net Promoter Score" in page and "Add your own KPI" not in page
    client.force_login(cx_lead.user)
    response = client.post(reverse("kpis:kpi_list", args=[org.slug]),
                           {"key": "otd", "name": "OTD", "unit": "%", "direction": "up"})  # fmt: skip
    assert response.status_code == 302
    assert KPI.objects.for_org(org).filter(key="otd").exists()


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
