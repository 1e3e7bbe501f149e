"""Factories of the strategy app's tests."""

import datetime
from decimal import Decimal

import factory

from strategy.models import Capability, CheckIn, Cycle, Decision, Goal, Initiative
from tests.factories import OrganizationFactory


class CycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cycle

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"FY{2026 + n}")
    starts_on = datetime.date(2026, 1, 1)
    ends_on = datetime.date(2026, 12, 31)
    status = Cycle.Status.ACTIVE


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    organization = factory.SelfAttribute("cycle.organization")
    cycle = factory.SubFactory(CycleFactory)
    key = factory.Sequence(lambda n: f"G-{n}")
    title = factory.Sequence(lambda n: f"Goal {n}")
    leg = "cx"
    measure = Goal.Measure.MILESTONE
    weight = Decimal("1")


class CheckInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckIn

    organization = factory.SelfAttribute("goal.organization")
    goal = factory.SubFactory(GoalFactory)
    confidence = "on_track"
    statement = "Moving."


class InitiativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Initiative

    organization = factory.SelfAttribute("cycle.organization")
    cycle = factory.SubFactory(CycleFactory)
    name = factory.Sequence(lambda n: f"Initiative {n}")
    org_unit = None


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Decision {n}")
    customer_view = "approve"
    customer_view_why = "They asked for it."


class CapabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Capability

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Capability {n}")
    current_level = 1
    needed_level = 3
