"""Demo data of the voice of customer: northwind's themes, a Qualtrics export, customers,
follow-ups. Imported through the same import service as the page (inline). Idempotent."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.utils import timezone

from feedback.models import FollowUp, ImportBatch, Response, Source, Theme, ThemeRule
from feedback.services import import_file, rule_add

DATA = Path(__file__).resolve().parent / "demo_data"
FEEDBACK_FILE = DATA / "northwind-qualtrics-nps.csv"
CUSTOMER_FILE = DATA / "northwind-customers.csv"
SOURCE = "Qualtrics relationship NPS"

THEMES = [
    # (name, business need, owning unit, rules)
    (
        "Delivery reliability",
        "Deliveries arrive complete, in the agreed window, announced ahead",
        "Logistics",
        [
            "delivery",
            "partial delivery",
            "backorders",
            "delivery slot",
            "truck",
            "delivery windows",
            "pallets",
        ],
    ),
    (
        "Invoicing and credit notes",
        "Correct invoices; credit notes within days, not weeks",
        "Finance",
        ["invoice", "invoicing", "credit note", "charged"],
    ),
    (
        "Case ownership",
        "One owner per case from first contact to fix",
        "Customer Service",
        [
            "passed between departments",
            "on hold",
            "nobody answered",
            "support desk",
            "owned my case",
        ],
    ),
    (
        "Web shop",
        "Ordering online is quick and always works",
        "Digital",
        ["web shop", "login", "reordering", "website"],
    ),
    (
        "Account opening",
        "Opening an account asks each fact once and takes days",
        "Risk & Compliance",
        ["account opening", "form asks", "kyc"],
    ),
    (
        "Advice and relationship",
        "Reps and Customer Success act as partners of the shop",
        "Customer Success",
        ["rep", "assortment advice", "quarterly review", "customer success"],
    ),
    (
        "Price and value",
        "Prices customers see as fair for the reliability they get",
        "Sales",
        ["prices", "value for money", "minimum order"],
    ),
]


def _touchpoint_names(org) -> set[str]:
    from journeys.models import Touchpoint

    return {
        n.lower()
        for n in Touchpoint.objects.filter(organization=org).values_list("name", flat=True)
    }


def load(demo) -> dict:
    org = demo.northwind
    created = {"themes": 0, "rules": 0, "responses": 0, "customers": 0, "followups": 0}
    for name, need, unit_name, patterns in THEMES:
        theme, was_created = Theme.objects.get_or_create(
            organization=org,
            name=name,
            defaults={
                "business_need": need,
                "owner_unit": demo.units.get(f"{org.slug}:{unit_name}"),
            },
        )
        created["themes"] += int(was_created)
        if was_created:
            for pattern in patterns:
                if not ThemeRule.objects.filter(theme=theme, pattern=pattern).exists():
                    rule_add(theme=theme, pattern=pattern)
                    created["rules"] += 1

    # Customers first: the feedback import then compares its customer ids with them.
    if not ImportBatch.objects.filter(
        organization=org, kind="customers", status="succeeded"
    ).exists():
        batch = import_file(
            organization=org,
            path=CUSTOMER_FILE,
            kind="customers",
            created_by=demo.member(org, "cxlead"),
        )
        created["customers"] = batch.rows_new
    source = Source.objects.filter(organization=org, name=SOURCE).first()
    done = (
        source
        and ImportBatch.objects.filter(
            source=source, status="succeeded", file_name=FEEDBACK_FILE.name
        ).exists()
    )
    if not done:
        # Map the touchpoint column only when the journeys demo gave northwind its touchpoints.
        mapping = {}
        if (
            len(
                _touchpoint_names(org)
                & {"wholesale website", "delivery slot booking", "support desk phone line"}
            )
            < 3
        ):
            mapping["touchpoint"] = ""
        batch = import_file(
            organization=org,
            path=FEEDBACK_FILE,
            source_name=SOURCE,
            mapping=mapping,
            created_by=demo.member(org, "cxlead"),
        )
        created["responses"] = batch.rows_new

    if not FollowUp.objects.for_org(org).exists():
        owners = [demo.member(org, "member"), demo.member(org, "manager"), None]
        detractors = Response.objects.for_org(org).detractors().order_by("-responded_at", "id")[:9]
        for i, response in enumerate(detractors):
            status = ["open", "contacted", "resolved"][i % 3]
            note = {
                "open": "",
                "contacted": "Called the shop owner; agreed to announce backorders by SMS.",
                "resolved": "Credit note issued and case closed with the customer.",
            }[status]
            followup = FollowUp.objects.create(
                organization=org, response=response, owner=owners[i % 3], status=status, note=note
            )
            # Raised days ago: the open ones are past the 48-hour service level.
            FollowUp.objects.filter(pk=followup.pk).update(
                created_at=timezone.now() - datetime.timedelta(days=2 + i)
            )
            created["followups"] += 1
    return created
