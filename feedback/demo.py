"""Demo data of the voice of customer, from `feedback/demo_data/`: northwind's themes and
follow-ups (`northwind.json`), a Qualtrics export and a customer file imported through the
same import service as the page (inline). Idempotent."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.utils import timezone

from cxalign.orgs.demo import demo_data
from feedback.models import FollowUp, ImportBatch, Response, Source, Theme, ThemeRule
from feedback.services import import_file, rule_add

DATA = Path(__file__).resolve().parent / "demo_data"
FEEDBACK_FILE = DATA / "northwind-qualtrics-nps.csv"
CUSTOMER_FILE = DATA / "northwind-customers.csv"
SOURCE = "Qualtrics relationship NPS"
# The touchpoint column is mapped only when the journeys demo gave northwind these touchpoints.
DEMO_TOUCHPOINTS = {"wholesale website", "delivery slot booking", "support desk phone line"}


def _themes(demo, org, rows: list[dict], created: dict) -> None:
    for row in rows:
        theme, was_created = Theme.objects.get_or_create(
            organization=org,
            name=row["name"],
            defaults={
                "business_need": row["business_need"],
                "owner_unit": demo.units.get(f"{org.slug}:{row['owner_unit']}"),
            },
        )
        created["themes"] += int(was_created)
        if not was_created:
            continue
        for pattern in row["rules"]:
            if not ThemeRule.objects.filter(theme=theme, pattern=pattern).exists():
                rule_add(theme=theme, pattern=pattern)
                created["rules"] += 1


def _touchpoint_names(org) -> set[str]:
    from journeys.models import Touchpoint

    names = Touchpoint.objects.filter(organization=org).values_list("name", flat=True)
    return {n.lower() for n in names}


def _imports(demo, org, created: dict) -> None:
    cxlead = demo.member(org, "cxlead")
    # Customers first: the feedback import then compares its customer ids with them.
    customers = ImportBatch.objects.filter(organization=org, kind="customers", status="succeeded")
    if not customers.exists():
        batch = import_file(
            organization=org, path=CUSTOMER_FILE, kind="customers", created_by=cxlead
        )
        created["customers"] = batch.rows_new
    source = Source.objects.filter(organization=org, name=SOURCE).first()
    done = ImportBatch.objects.filter(
        source=source, status="succeeded", file_name=FEEDBACK_FILE.name
    ).exists()
    if not (source and done):
        mapping = {} if _touchpoint_names(org) >= DEMO_TOUCHPOINTS else {"touchpoint": ""}
        batch = import_file(
            organization=org,
            path=FEEDBACK_FILE,
            source_name=SOURCE,
            mapping=mapping,
            created_by=cxlead,
        )
        created["responses"] = batch.rows_new


def _followups(demo, org, data: dict, created: dict) -> None:
    if FollowUp.objects.for_org(org).exists():
        return
    patterns = data["followups"]
    detractors = Response.objects.for_org(org).detractors().order_by("-responded_at", "id")
    for i, response in enumerate(detractors[: data["followup_detractors"]]):
        pattern = patterns[i % len(patterns)]
        owner = pattern["owner"]
        followup = FollowUp.objects.create(
            organization=org,
            response=response,
            owner=demo.member(org, owner) if owner else None,
            status=pattern["status"],
            note=pattern["note"],
        )
        # Raised days ago: the open ones are past the 48-hour service level.
        FollowUp.objects.filter(pk=followup.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=2 + i)
        )
        created["followups"] += 1


def load(demo) -> dict:
    org = demo.northwind
    data = demo_data("feedback", "northwind.json")
    created = {"themes": 0, "rules": 0, "responses": 0, "customers": 0, "followups": 0}
    _themes(demo, org, data["themes"], created)
    _imports(demo, org, created)
    _followups(demo, org, data, created)
    return created
