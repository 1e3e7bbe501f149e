"""The journeys demo, read from journeys/demo_data/*.json: the rows the tuples gave, twice safe."""

import pytest

from cxalign.orgs.models import Organization
from journeys import demo as journeys_demo
from journeys.models import Journey, PainPoint, Touchpoint
from strategy import demo as strategy_demo
from tests.demo_core import core_demo

pytestmark = pytest.mark.django_db


def test_demo_journeys_load_once_with_their_owners_and_links():
    strategy_demo.load(core_demo())
    first = journeys_demo.load(core_demo())
    assert first == {
        "audiences": 5,
        "stages": 23,
        "touchpoints": 52,
        "pain_points": 24,
        "journeys": 5,
        "strategy_links": 8,
    }
    assert journeys_demo.load(core_demo()) == {}
    northwind = Organization.objects.get(slug="northwind")
    onboarding = Journey.objects.get(organization=northwind, name="New retailer onboarding")
    form = Touchpoint.objects.get(journey=onboarding, name="Credit application form")
    assert form.owner.name == "Finance"
    assert form.data_fields == ["vat number", "company name", "bank account", "email"]
    assert list(PainPoint.objects.filter(touchpoint=form).values_list("text", flat=True)) == [
        "Form asks again for data the rep already took"
    ]
    slots = Touchpoint.objects.get(organization=northwind, name="Delivery slot booking")
    assert list(slots.initiatives.values_list("name", flat=True)) == [
        "Fewer delivery slots per route"
    ]


def test_demo_loads_twice_without_creating_anything_the_second_time(db):
    from cxalign.orgs.demo import demo_load

    first = demo_load()
    assert first["journeys"]["touchpoints"] >= 40
    assert first["journeys"]["journeys"] == 5
    northwind = Journey.objects.filter(organization__slug="northwind")
    assert northwind.count() == 4
    assert {
        a.kind
        for a in northwind[0].audience.__class__.objects.filter(organization__slug="northwind")
    } == {"customer", "employee"}
    second = demo_load()
    assert second["journeys"] == {}
