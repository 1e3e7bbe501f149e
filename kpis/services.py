"""Writes of the KPI catalogue."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError

from cxalign.orgs.concurrency import object_update
from cxalign.orgs.models import Organization
from kpis.catalogue import BUILTIN_KPIS
from kpis.models import KPI


def kpi_builtins_ensure(*, organization: Organization) -> int:
    """Give the organization the built-in KPIs it lacks; returns how many were created."""
    have = set(KPI.objects.for_org(organization).values_list("key", flat=True))
    missing = [
        KPI(
            organization=organization,
            key=key,
            name=name,
            unit=unit,
            direction=direction,
            description=description,
            is_builtin=True,
        )
        for key, name, unit, direction, description in BUILTIN_KPIS
        if key not in have
    ]
    # bulk_create skips change history, which is right for rows nobody edited yet.
    KPI.objects.bulk_create(missing, ignore_conflicts=True)
    return len(missing)


@transaction.atomic
def kpi_create(*, organization: Organization, **fields) -> KPI:
    """A custom KPI with its unit and direction."""
    kpi = KPI(organization=organization, is_builtin=False, **fields)
    if KPI.objects.for_org(organization).filter(key=kpi.key).exists():
        raise ValidationError({"key": f"There is already a KPI with the key “{kpi.key}”."})
    kpi.full_clean()
    kpi.save()
    return kpi


@transaction.atomic
def kpi_update(*, kpi: KPI, data: dict, version: int) -> KPI:
    if kpi.is_builtin and "key" in data and data["key"] != kpi.key:
        raise ValidationError({"key": "The key of a built-in KPI cannot change."})
    return object_update(instance=kpi, data=data, version=version)


@transaction.atomic
def kpi_delete(*, kpi: KPI) -> None:
    if kpi.is_builtin:
        raise ValidationError("Built-in KPIs cannot be deleted.")
    try:
        kpi.delete()
    except ProtectedError as exc:
        raise ValidationError(
            f"Goals, initiatives or model choices still use “{kpi.name}”; point them at "
            "another KPI first."
        ) from exc
