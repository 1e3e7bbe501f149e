"""Alignment fixtures: a cycle under way (today inside it) and a rule context builder."""

import datetime

import pytest
from django.utils import timezone

from tests.alignment.figures import make_ctx
from tests.factories import CycleFactory


@pytest.fixture
def cycle(org):
    today = timezone.localdate()
    return CycleFactory(
        organization=org,
        name="FY",
        starts_on=today - datetime.timedelta(days=100),
        ends_on=today + datetime.timedelta(days=265),
    )


@pytest.fixture
def ctx(org, cycle):
    """ctx(figures=None, now=None) -> a RuleContext of `org` and `cycle`."""

    def build(figures=None, **kw):
        org.refresh_from_db()
        return make_ctx(org, cycle, figures, **kw)

    return build
