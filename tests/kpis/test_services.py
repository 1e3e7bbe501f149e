"""Writes of the KPI app (kpis/services.py): built-ins for every organization, custom KPIs,
built-ins and KPIs in use kept."""

import pytest
from django.core.exceptions import ValidationError

from kpis import services
from kpis.catalogue import BUILTIN_KPIS
from kpis.models import KPI
from tests.factories import CycleFactory, GoalFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


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
