"""Factories and figure builders of the alignment tests."""

import datetime

import factory
from django.utils import timezone

from alignment.models import Flag, Run
from alignment.rules.base import Finding, RuleContext, Subject
from feedback.models import FollowUp, ImportBatch, Response, Source, Theme
from strategy.models import Commitment, GoverningModel, KPIEffect
from tests.factories import OrganizationFactory


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


def score(nps: float | None, responses: int = 200) -> dict:
    """An NPS block F of the figures document (only what the rules read)."""
    return {"responses": responses, "nps": nps}


def change(previous: float, current: float, *, significant: bool = True, **extra) -> dict:
    """A {"previous", "current", "change_points", "change_z", "significant"} block."""
    return {
        "previous": score(previous),
        "current": score(current),
        "change_points": current - previous,
        "change_z": -3.0 if significant else -0.5,
        "significant": significant,
        **extra,
    }


def make_ctx(org, cycle, figures: dict | None = None, *, now=None) -> RuleContext:
    now = now or timezone.now()
    today = timezone.localdate(now)
    return RuleContext(organization=org, cycle=cycle, figures=figures or {}, today=today, now=now)


def finding(key: str = "a", magnitude: float = 1.0, **kw) -> Finding:
    """A finding whose subject is a goal id `key` (its identity)."""
    fields = {"rule": "orphan_goal", "severity": "medium", "title": f"Finding {key}"}
    fields.update(kw)
    return Finding(
        subjects=[Subject("goal", key, f"Goal {key}")],
        evidence={"n": magnitude},
        magnitude=magnitude,
        **fields,
    )
