"""Responses of the feedback tests: detractors with their customers (the follow-up queue and
bulk actions), comments to tag, scored responses for figures (`make`, compared within `TOL`)
and the messages a page showed."""

import datetime

from django.utils import timezone

from feedback.models import Customer, Response, Source


def url(org, rest=""):
    return f"/o/{org.slug}/feedback/followups/{rest}"


def detractors(org, n, *, start=0, segment="smb", nps=3, ago_hours=0):
    """n detractors' responses of customers C<i> (CLV 1000·i), imported `ago_hours` ago."""
    source, _ = Source.objects.get_or_create(organization=org, name="S")
    rows = Response.objects.bulk_create(
        [
            Response(
                organization=org,
                source=source,
                key=f"r{i}",
                response_id=f"r{i}",
                customer_id=f"C{i}",
                segment=segment,
                nps=nps,
                comment=f"comment {i}",
                responded_at=timezone.now() - datetime.timedelta(days=i % 30),
            )
            for i in range(start, start + n)
        ]
    )
    Customer.objects.bulk_create(
        [
            Customer(organization=org, customer_id=f"C{i}", segment=segment, clv=1000 * i)
            for i in range(start, start + n)
        ]
    )
    if ago_hours:
        Response.objects.filter(id__in=[r.id for r in rows]).update(
            created_at=timezone.now() - datetime.timedelta(hours=ago_hours)
        )
    return list(Response.objects.filter(id__in=[r.id for r in rows]).order_by("id"))


def comments(org, texts, *, start=0):
    source, _ = Source.objects.get_or_create(organization=org, name="S")
    return Response.objects.bulk_create(
        [
            Response(organization=org, source=source, key=f"k{start + i}", comment=text, nps=i % 11)
            for i, text in enumerate(texts)
        ]
    )


def notes(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


TOL = 1e-9


def make(org, scores, *, theme_ids=(), month=1, prefix="r"):
    source, _ = Source.objects.get_or_create(organization=org, name="S")
    Response.objects.bulk_create(
        Response(
            organization=org,
            source=source,
            key=f"{prefix}{i}",
            response_id=f"{prefix}{i}",
            nps=score,
            comment="late",
            theme_ids=list(theme_ids),
            responded_at=datetime.datetime(2024, month, 1 + i % 27, 10, tzinfo=datetime.UTC),
        )
        for i, score in enumerate(scores)
    )


def make_responses(org, n, start=0):
    source, _ = Source.objects.get_or_create(organization=org, name="S")
    Response.objects.bulk_create(
        [
            Response(
                organization=org,
                source=source,
                key=f"k{i}",
                response_id=f"k{i}",
                nps=i % 11,
                comment=f"c {i}",
            )
            for i in range(start, start + n)
        ]
    )
