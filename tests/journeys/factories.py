"""Factories of journeys: audiences, journeys, stages, touchpoints and pain points."""

import factory

from journeys.models import Audience, Journey, PainPoint, Stage, Touchpoint
from tests.factories import OrganizationFactory


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
