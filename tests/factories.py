"""Factories of every app's models (factory_boy), in the order of the apps: the tenancy core,
strategy, journeys, feedback, alignment. Tests and conftest fixtures import them from here."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from alignment.models import Flag, Run
from cxalign.orgs.models import Membership, Organization, OrgUnit
from cxalign.orgs.roles import Role
from feedback.models import FollowUp, ImportBatch, Response, Source, Theme
from journeys.models import Audience, Journey, PainPoint, Stage, Touchpoint
from strategy.models import (
    Capability,
    CheckIn,
    Commitment,
    Cycle,
    Decision,
    Goal,
    GoverningModel,
    Initiative,
    KPIEffect,
)

PASSWORD = "correct-horse-battery"


# The tenancy core.
class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Company {n}")
    slug = factory.Sequence(lambda n: f"company-{n}")


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Unit {n}")
    kind = OrgUnit.Kind.DEPARTMENT


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.MEMBER


# Strategy.
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


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment

    organization = factory.SelfAttribute("cycle.organization")
    statement = "I will help."


class KPIEffectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KPIEffect

    organization = factory.SelfAttribute("initiative.organization")


class GoverningModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GoverningModel

    organization = factory.SubFactory(OrganizationFactory)
    kind = GoverningModel.Kind.CX


# Journeys.
class AudienceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Audience

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Audience {n}")
    kind = Audience.Kind.CUSTOMER
    rank = factory.Sequence(lambda n: n + 1)


class JourneyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Journey

    organization = factory.SelfAttribute("audience.organization")
    audience = factory.SubFactory(AudienceFactory)
    name = factory.Sequence(lambda n: f"Journey {n}")


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stage

    journey = factory.SubFactory(JourneyFactory)
    organization = factory.SelfAttribute("journey.organization")
    name = factory.Sequence(lambda n: f"Stage {n}")
    position = factory.Sequence(lambda n: (n + 1) * 1024)


class TouchpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Touchpoint

    stage = factory.SubFactory(StageFactory)
    journey = factory.SelfAttribute("stage.journey")
    organization = factory.SelfAttribute("stage.organization")
    name = factory.Sequence(lambda n: f"Touchpoint {n}")
    position = factory.Sequence(lambda n: (n + 1) * 1024)


class PainPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PainPoint

    stage = factory.SubFactory(StageFactory)
    journey = factory.SelfAttribute("stage.journey")
    organization = factory.SelfAttribute("stage.organization")
    text = factory.Sequence(lambda n: f"Pain {n}")


# Feedback.
class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Theme {n}")


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Survey {n}")


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Response

    source = factory.SubFactory(SourceFactory)
    organization = factory.SelfAttribute("source.organization")
    key = factory.Sequence(lambda n: f"r{n}")
    nps = 3


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUp

    response = factory.SubFactory(ResponseFactory)
    organization = factory.SelfAttribute("response.organization")


class ImportBatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportBatch

    organization = factory.SubFactory(OrganizationFactory)
    kind = ImportBatch.Kind.FEEDBACK
    status = ImportBatch.Status.SUCCEEDED
    file_name = "voc.csv"


# Alignment.
class RunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Run

    organization = factory.SelfAttribute("cycle.organization")
    cycle = None
    status = Run.Status.SUCCEEDED
    current_first = datetime.date(2026, 7, 1)
    current_last = datetime.date(2026, 9, 30)
    previous_first = datetime.date(2026, 4, 1)
    previous_last = datetime.date(2026, 6, 30)


class FlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Flag

    organization = factory.SelfAttribute("cycle.organization")
    cycle = None
    rule = "orphan_goal"
    key = factory.Sequence(lambda n: f"key-{n}")
    severity = "medium"
    title = factory.Sequence(lambda n: f"Flag {n}")
    magnitude = 1.0
