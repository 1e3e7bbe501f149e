"""How the bases call a service (cxalign/orgs/servicecall.py)."""

import pytest

from cxalign.orgs.servicecall import service_call

pytestmark = pytest.mark.django_db


def _update(*, thing, data: dict, version: int, by=None):
    return {"thing": thing, "data": data, "version": version, "by": by}


def _create(*, organization, **fields):
    return {"organization": organization, **fields}


def _delete(*, thing):
    return {"thing": thing}


def test_service_call_passes_the_object_and_only_what_the_service_declares(admin):
    updated = service_call(_update, membership=admin, instance="x", data={"a": 1}, version=2)
    assert updated == {"thing": "x", "data": {"a": 1}, "version": 2, "by": admin}
    created = service_call(_create, membership=admin, name="N")
    assert created == {"organization": admin.organization, "name": "N"}
    assert service_call(_delete, membership=admin, instance="y") == {"thing": "y"}
