"""A cycle whose inputs are due (preparing), a company with planted relations and a finished
run, for the tests of runs: services, the recompute command and the API. Import the fixtures
into the test module."""

import datetime

import pytest

from alignment import services
from alignment.models import Run
from kpis.services import kpi_builtins_ensure
from tests.alignment import company
from tests.factories import CycleFactory

INPUTS_DUE = datetime.date(2026, 11, 15)


@pytest.fixture
def cycle(org):
    kpi_builtins_ensure(organization=org)
    return CycleFactory(
        organization=org, name="FY2027", starts_on=datetime.date(2026, 12, 15),
        ends_on=datetime.date(2027, 12, 14), inputs_due_on=INPUTS_DUE, status="preparing",
    )  # fmt: skip


@pytest.fixture
def data(org):
    return company.build(org, theme_ids=company.theme_setup(org))


def finished_run(org, cycle, **kwargs) -> Run:
    run = services.run_request(organization=org, cycle=cycle, enqueue=False, **kwargs)
    services.run_compute(run_id=run.id)
    return services.run_publish(run_id=run.id)
