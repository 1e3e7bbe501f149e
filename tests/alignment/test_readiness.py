"""Readiness for a planning cycle: the checklist ticks itself from the data."""

import datetime

import pytest
from django.utils import timezone

from alignment.readiness import readiness
from cxalign.orgs.roles import Role
from strategy.models import GoverningModel
from tests.factories import (
    CommitmentFactory,
    CycleFactory,
    FlagFactory,
    GoverningModelFactory,
    ImportBatchFactory,
    MembershipFactory,
    ResponseFactory,
    RunFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db
KEYS = [
    "feedback_imported",
    "recompute_fresh",
    "models_reviewed",
    "contributions_stated",
    "high_flags_handled",
]


@pytest.fixture
def upcoming(org):
    """A cycle starting in 40 days whose customer inputs are due in 10 days."""
    today = timezone.localdate()
    return CycleFactory(
        organization=org,
        name="FY next",
        starts_on=today + datetime.timedelta(days=40),
        ends_on=today + datetime.timedelta(days=400),
        inputs_due_on=today + datetime.timedelta(days=10),
        status="preparing",
    )


def _exec(org, first, last=""):
    return MembershipFactory(
        organization=org, role=Role.EXECUTIVE, user__first_name=first, user__last_name=last
    )


def _items(result) -> dict:
    return {i.key: i for i in result.items}


def test_empty_organization_has_nothing_ready_and_says_why(upcoming):
    result = readiness(cycle=upcoming)
    assert [i.key for i in result.items] == KEYS
    items = _items(result)
    assert result.days_left == 10
    assert result.countdown.startswith("Inputs due in 10 days (")
    assert not items["feedback_imported"].done
    assert "no import finished in the 60 days" in items["feedback_imported"].detail
    assert not items["recompute_fresh"].done
    assert items["recompute_fresh"].detail == "No recompute has finished for this cycle yet."
    assert not items["models_reviewed"].done
    assert items["models_reviewed"].detail.startswith("0 of 5 governing models reviewed")
    assert "CX model not set up" in items["models_reviewed"].detail
    assert not items["contributions_stated"].done
    assert items["high_flags_handled"].done  # nothing raised, nothing to acknowledge
    # Where each is done (the runs and flags pages come with the alignment pages).
    for key in ("feedback_imported", "models_reviewed", "contributions_stated"):
        assert items[key].url.startswith(f"/o/{upcoming.organization.slug}/")


def test_countdown_after_the_due_date(upcoming):
    later = upcoming.inputs_due_on + datetime.timedelta(days=3)
    result = readiness(cycle=upcoming, today=later)
    assert result.days_left == -3
    assert result.countdown.startswith("Inputs were due 3 days ago")


def test_contributions_name_the_missing_executives(upcoming):
    dana, lee, sam = (
        _exec(upcoming.organization, "Dana"),
        _exec(upcoming.organization, "Lee"),
        _exec(upcoming.organization, "Sam"),
    )
    CommitmentFactory(cycle=upcoming, executive=sam)
    item = _items(readiness(cycle=upcoming))["contributions_stated"]
    assert not item.done
    assert item.detail == "1 of 3 executives stated their contribution: Dana, Lee missing."
    CommitmentFactory(cycle=upcoming, executive=dana)
    CommitmentFactory(cycle=upcoming, executive=lee)
    item = _items(readiness(cycle=upcoming))["contributions_stated"]
    assert item.done and item.detail == "3 of 3 executives stated their contribution."


def test_models_reviewed_within_their_cadence(upcoming):
    org, today = upcoming.organization, timezone.localdate()
    for kind in GoverningModel.Kind.values:
        GoverningModelFactory(organization=org, kind=kind, last_reviewed_on=today,
                              review_cadence_months=3)  # fmt: skip
    assert _items(readiness(cycle=upcoming))["models_reviewed"].done
    GoverningModel.objects.filter(organization=org, kind="risk").update(
        last_reviewed_on=today - datetime.timedelta(days=200)
    )
    item = _items(readiness(cycle=upcoming))["models_reviewed"]
    assert not item.done
    assert item.detail.startswith(
        "4 of 5 governing models reviewed within their cadence: Risk model due "
    )


def test_feedback_in_the_window_before_the_due_date_counts(upcoming):
    org = upcoming.organization
    ImportBatchFactory(organization=org, finished_at=timezone.now() - datetime.timedelta(days=80))
    assert not _items(readiness(cycle=upcoming))["feedback_imported"].done
    ImportBatchFactory(organization=org, finished_at=timezone.now() - datetime.timedelta(days=5))
    assert _items(readiness(cycle=upcoming))["feedback_imported"].done
    # A dry run or a failed import never counts.
    ImportBatchFactory(organization=org, status="failed", finished_at=timezone.now())


def test_feedback_covering_the_runs_period_counts_even_when_imported_long_ago(upcoming):
    org = upcoming.organization
    batch = ImportBatchFactory(
        organization=org, finished_at=timezone.now() - datetime.timedelta(days=300)
    )
    run = RunFactory(cycle=upcoming, finished_at=timezone.now())
    source = SourceFactory(organization=org)
    ResponseFactory(source=source, batch=batch, responded_at=datetime.datetime(
        2026, 8, 15, 12, tzinfo=datetime.UTC))  # fmt: skip
    item = _items(readiness(cycle=upcoming, run=run))["feedback_imported"]
    assert item.done
    assert item.detail == "Imported feedback covers the period 1 Jul 2026 – 30 Sep 2026."


def test_recompute_must_be_fresher_than_the_last_import(upcoming):
    org, now = upcoming.organization, timezone.now()
    run = RunFactory(cycle=upcoming, finished_at=now - datetime.timedelta(hours=2))
    ImportBatchFactory(organization=org, finished_at=now - datetime.timedelta(hours=1))
    item = _items(readiness(cycle=upcoming, run=run))["recompute_fresh"]
    assert not item.done and "older than the last import" in item.detail
    newer = RunFactory(cycle=upcoming, finished_at=now)
    item = _items(readiness(cycle=upcoming))["recompute_fresh"]  # reads the latest run itself
    assert item.done and item.detail.startswith(f"Run {newer.id} finished")


def test_high_flags_must_be_acknowledged_or_resolved(upcoming):
    open_flag = FlagFactory(cycle=upcoming, severity="high")
    FlagFactory(cycle=upcoming, severity="high", state="resolved")
    FlagFactory(cycle=upcoming, severity="medium")  # not high: does not count
    item = _items(readiness(cycle=upcoming))["high_flags_handled"]
    assert not item.done and item.detail == "1 of 2 high flags still open."
    open_flag.state = "acknowledged"
    open_flag.save()
    item = _items(readiness(cycle=upcoming))["high_flags_handled"]
    assert item.done and item.detail == "All 2 high flags acknowledged or resolved."


def test_query_count_does_not_grow(upcoming, django_assert_max_num_queries):
    org = upcoming.organization

    def grow(n):
        for i in range(n):
            member = _exec(org, f"Exec{i}")
            if i % 2:
                CommitmentFactory(cycle=upcoming, executive=member)
            FlagFactory(cycle=upcoming, severity="high")
            ImportBatchFactory(organization=org, finished_at=timezone.now())

    grow(2)
    with django_assert_max_num_queries(7):
        readiness(cycle=upcoming)
    grow(40)
    for kind in GoverningModel.Kind.values:
        GoverningModelFactory(organization=org, kind=kind)
    with django_assert_max_num_queries(7):
        result = readiness(cycle=upcoming)
    assert _items(result)["contributions_stated"].detail.startswith("21 of 42 executives")
