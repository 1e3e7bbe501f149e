"""The demo shows the engine at work: a finished run, planted relations, most rules raised."""

import zoneinfo

import pytest

from alignment.models import Flag, Run
from alignment.selectors import cycle_current, run_latest
from cxalign.orgs.demo import demo_load
from cxalign.orgs.models import Organization
from feedback.models import Customer, Response
from strategy.models import Cycle

pytestmark = pytest.mark.django_db
SEGMENTS = ("smb-retail", "horeca-groups", "key-accounts")


def _consistency_problems(org: Organization) -> list[str]:
    """Responses whose segment differs from their customer's, or that come after the churn."""
    tz = zoneinfo.ZoneInfo(org.time_zone)
    customers = {
        c.customer_id: c
        for c in Customer.objects.for_org(org).only("customer_id", "segment", "churned_on")
    }
    problems = []
    rows = Response.objects.for_org(org).values_list("customer_id", "segment", "responded_at")
    for customer_id, segment, at in rows:
        customer = customers.get(customer_id)
        if customer is None or at is None:
            continue
        if customer.segment != segment:
            problems.append(f"{customer_id}: answers as {segment}, is {customer.segment}")
        if customer.churned_on and at.astimezone(tz).date() > customer.churned_on:
            problems.append(f"{customer_id}: answers on {at.date()} after churning")
    return problems


def test_demo_recomputes_northwind_with_planted_relations_and_a_second_run_adds_nothing():
    summary = demo_load()
    org = Organization.objects.get(slug="northwind")
    cycle = cycle_current(organization=org)
    run = run_latest(organization=org, cycle=cycle)
    assert summary["alignment"]["recompute_runs"] == 1
    assert run is not None and run.status == Run.Status.SUCCEEDED

    figures = run.results
    assert figures["data_quality"]["current"]["responses"] > 2000
    assert figures["data_quality"]["previous"]["responses"] > 2000
    ratios = {
        s: figures["links"][s]["current"]["churn_ratio_detractors_to_promoters"] for s in SEGMENTS
    }
    assert all(r is not None and r > 1 for r in ratios.values()), ratios
    assert ratios["smb-retail"] > 3 and ratios["key-accounts"] < 2, ratios
    assert max(ratios.values()) - min(ratios.values()) > 1, ratios
    assert figures["value_of_moving"]["simpson"] is True
    assert figures["nps"]["horeca-groups"]["significant"]
    assert figures["nps"]["horeca-groups"]["change_points"] < -20

    rules = set(Flag.objects.for_org(org).filter(cycle=cycle).values_list("rule", flat=True))
    # In December the cycle being prepared (only its corporate goal so far) is the current one.
    needed = 15 if cycle.status == Cycle.Status.ACTIVE else 10
    assert len(rules) >= needed, sorted(rules)
    assert {"segment_nps_fell", "rising_theme_unanswered", "unlinked_feedback",
            "touchpoint_unaddressed", "followup_backlog"} <= rules  # fmt: skip
    assert _consistency_problems(org) == []

    counts = (Response.objects.count(), Customer.objects.count(), Run.objects.count())
    again = demo_load()
    assert again["alignment"] == {}
    assert again["kpis"] == {}  # the KPI values are there once
    assert summary["kpis"]["measurements"] > 0
    assert all(not created for created in again["strategy"].values())
    assert (Response.objects.count(), Customer.objects.count(), Run.objects.count()) == counts
