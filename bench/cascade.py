"""Benchmark of the goal cascade: page and API time, query count, and the roll-up.

    .venv/bin/python bench/cascade.py [--scale small]

PostgreSQL when DATABASE_URL is set (the bench migrates it), else SQLite in a temp dir. Builds a
throwaway organization with 5,000 goals on four levels (500 with --scale small) and check-ins
on the leaves, measures the cascade page, the compact tree API and the roll-up (median of a few
runs), deletes everything it made, and prints one `key: value` a line.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ORG = "bench-cascade"


def setup_django() -> None:
    if not os.environ.get("DATABASE_URL"):
        os.environ["CXALIGN_VAR_DIR"] = tempfile.mkdtemp(prefix="cxalign-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxalign.settings")
    os.environ.setdefault("STATIC_MANIFEST", "false")  # no collectstatic needed
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()  # lets the test client talk to the app (testserver, no SSL)
    call_command("migrate", verbosity=0, interactive=False)


def build(total: int):
    """An organization, an executive to sign in as, and `total` goals on four levels."""
    from django.contrib.auth import get_user_model

    from cxalign.orgs.models import Membership, Organization, OrgUnit
    from cxalign.orgs.roles import Role
    from strategy.models import Cycle, Goal

    rng = random.Random(7)
    org = Organization.objects.create(name="Bench cascade", slug=ORG)
    user = get_user_model().objects.create_user(username="bench-cascade-exec")
    executive = Membership.objects.create(organization=org, user=user, role=Role.EXECUTIVE)
    units = [OrgUnit.objects.create(organization=org, name=f"Unit {i}") for i in range(20)]
    managers = []
    for i in range(20):
        u = get_user_model().objects.create_user(username=f"bench-cascade-m{i}")
        managers.append(
            Membership.objects.create(organization=org, user=u, role=Role.MANAGER, unit=units[i])
        )
    cycle = Cycle.objects.create(
        organization=org, name="Bench FY", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31),
        status=Cycle.Status.ACTIVE,
    )  # fmt: skip
    # 5 corporate goals, then fan-outs of 10, 10 and the rest: 5 + 50 + 500 + 4,445 = 5,000.
    shape = [5, 50, 500, total - 555] if total >= 1000 else [5, 20, 100, total - 125]
    parents: list[int | None] = [None]
    made = 0
    for level, count in enumerate(shape):
        rows = []
        for i in range(count):
            leaf = level == len(shape) - 1
            progress = Decimal(str(round(rng.random(), 4))) if leaf and rng.random() < 0.8 else None
            rows.append(
                Goal(
                    organization=org,
                    cycle=cycle,
                    parent_id=parents[i % len(parents)],
                    key=f"B{level}-{i}",
                    title=f"Bench goal {level}.{i}",
                    owner=executive if level == 0 else managers[i % len(managers)],
                    org_unit=units[i % len(units)],
                    leg=("cx", "financial", "people")[i % 3],
                    measure=Goal.Measure.MILESTONE if leaf else Goal.Measure.ROLLUP,
                    weight=Decimal(rng.choice([1, 1, 2, 3])),
                    progress=progress,
                    confidence="on_track" if progress is not None else "",
                )
            )
        created = Goal.objects.bulk_create(rows, batch_size=1000)
        parents = [g.id for g in created]
        made += len(created)
    return org, user, cycle, made


def cleanup() -> None:
    from django.contrib.auth import get_user_model

    from cxalign.orgs.models import Organization
    from strategy.models import CheckIn, Cycle, Goal

    org = Organization.objects.filter(slug=ORG).first()
    if org is not None:
        CheckIn.objects.filter(organization=org).delete()
        Goal.objects.filter(organization=org).update(parent=None)
        Goal.objects.filter(organization=org).delete()
        Cycle.objects.filter(organization=org).delete()
        Organization.history.filter(id=org.id).delete()
        org.delete()
    get_user_model().objects.filter(username__startswith="bench-cascade-").delete()


def timed(fn, runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", choices=["small", "full"], default="full")
    args = parser.parse_args()
    total = 500 if args.scale == "small" else 5000
    setup_django()

    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from strategy import selectors

    cleanup()
    try:
        org, user, cycle, made = build(total)
        client = Client()
        client.force_login(user)

        def get(url):
            return client.get(url, secure=True)  # production settings redirect plain HTTP

        page_url = f"/o/{org.slug}/strategy/cascade/"
        api_url = f"/api/v1/orgs/{org.slug}/goals/tree/?depth=2"
        assert get(page_url).status_code == 200  # warm up
        reset_queries()  # each request resets the log; count from a clean one
        with CaptureQueriesContext(connection) as queries:
            response = get(page_url)
        assert response.status_code == 200, response.status_code
        cascade_queries = len(queries.captured_queries)  # read now: later requests reset the log
        page_ms = timed(lambda: get(page_url), 5)
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            assert get(api_url).status_code == 200
        api_queries = len(queries.captured_queries)
        api_ms = timed(lambda: get(api_url), 5)
        rollup_ms = timed(lambda: selectors.cascade_progress(cycle=cycle), 5)
        filtered_ms = timed(lambda: get(page_url + "?leg=cx&status=active"), 3)
        print(f"goals: {made}")
        print(f"cascade_queries: {cascade_queries}")
        print(f"cascade_api_queries: {api_queries}")
        print(f"cascade_page_ms: {page_ms:.1f}")
        print(f"cascade_api_ms: {api_ms:.1f}")
        print(f"rollup_ms: {rollup_ms:.1f}")
        print(f"cascade_filtered_page_ms: {filtered_ms:.1f}")
        print(f"database: {connection.vendor}")
    finally:
        cleanup()


if __name__ == "__main__":
    main()
