"""Benchmark of the alignment engine's recompute against one plain SQL aggregate.

    .venv/bin/python bench/recompute.py [--scale small]

PostgreSQL when DATABASE_URL is set (the bench migrates it), else SQLite in a temp dir. Builds a
throwaway organization (full scale: 1,000,000 responses over two quarters, 200,000 customers,
5,000 goals, 2,000 touchpoints, 500 initiatives, 50 themes; COPY on PostgreSQL, bulk_create
elsewhere), then in a child process each (peak RSS measured there) runs a full recompute
(compute + publish) twice, timing one plain SQL aggregate of NPS per segment over the same rows
in the same process; then 100,000 responses on the embedded SQLite default. Deletes what it
made. Prints one `key: value` a line; per-step seconds of the engine go to stderr.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ORG = "bench-recompute"
SEGMENTS = ["Enterprise", "SMB", "Consumer", "Public sector", "Partner"]
# (promoter, passive, detractor) mix and churn rate by class, per segment
MIX = {"Enterprise": (0.25, 0.30, 0.45), "SMB": (0.5, 0.3, 0.2), "Consumer": (0.4, 0.3, 0.3),
       "Public sector": (0.3, 0.4, 0.3), "Partner": (0.45, 0.35, 0.2)}  # fmt: skip
CHURN = (0.05, 0.1, 0.2)
CURRENT = (date(2026, 4, 1), date(2026, 6, 30))
PREVIOUS = (date(2026, 1, 1), date(2026, 3, 31))
SCALES = {
    # responses, customers, goals, touchpoints, initiatives, themes
    "full": (1_000_000, 200_000, 5_000, 2_000, 500, 50),
    "small": (50_000, 10_000, 500, 200, 50, 20),
    "sqlite": (100_000, 20_000, 500, 200, 50, 20),
}


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxalign.settings")
    os.environ.setdefault("STATIC_MANIFEST", "false")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# ------------------------------------------------------------------ building the organization


def cleanup() -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from cxalign.orgs.models import Organization

    org = Organization.objects.filter(slug=ORG).first()
    if org is not None:
        with connection.cursor() as cursor:  # raw: the ORM would load a million rows to cascade
            for table in ("feedback_response", "feedback_customer"):
                cursor.execute(f"DELETE FROM {table} WHERE organization_id = %s", [org.id])  # noqa: S608
        from alignment.models import Flag, Run
        from journeys.models import Audience, Journey
        from strategy.models import Goal, Initiative

        Flag.objects.filter(organization=org).delete()
        Run.objects.filter(organization=org).delete()
        Initiative.objects.filter(organization=org).delete()
        Goal.objects.filter(organization=org).update(parent=None)
        Goal.objects.filter(organization=org).delete()
        Journey.objects.filter(organization=org).delete()
        Audience.objects.filter(organization=org).delete()
        Organization.history.filter(id=org.id).delete()
        org.delete()
    get_user_model().objects.filter(username__startswith="bench-recompute-").delete()


def build_people(org):
    from django.contrib.auth import get_user_model

    from cxalign.orgs.models import Membership, OrgUnit
    from cxalign.orgs.roles import Role

    units = [OrgUnit.objects.create(organization=org, name=f"Unit {i}") for i in range(20)]
    members = []
    for i in range(25):
        user = get_user_model().objects.create_user(username=f"bench-recompute-{i}")
        role = Role.EXECUTIVE if i < 5 else Role.MANAGER
        members.append(
            Membership.objects.create(organization=org, user=user, role=role, unit=units[i % 20])
        )
    return units, members


def build_strategy(org, units, members, goals: int, initiatives: int):
    from kpis.models import KPI
    from strategy.models import Cycle, Goal, Initiative, KPIEffect

    rng = random.Random(11)
    nps, _ = KPI.objects.get_or_create(organization=org, key="nps", defaults={
        "name": "NPS", "unit": "points", "direction": "up", "is_builtin": True})  # fmt: skip
    cost, _ = KPI.objects.get_or_create(organization=org, key="cost", defaults={
        "name": "Cost", "unit": "EUR m", "direction": "down"})  # fmt: skip
    cycle = Cycle.objects.create(organization=org, name="Bench FY", starts_on=date(2026, 7, 1),
                                 ends_on=date(2027, 6, 30), inputs_due_on=date(2026, 7, 1),
                                 status=Cycle.Status.ACTIVE)  # fmt: skip
    shape = [5, 50, 500, goals - 555] if goals >= 1000 else [5, 20, 100, goals - 125]
    parents: list[int | None] = [None]
    for level, count in enumerate(shape):
        rows = [
            Goal(organization=org, cycle=cycle, parent_id=parents[i % len(parents)],
                 key=f"B{level}-{i}", title=f"Bench goal {level}.{i}",
                 owner=members[0 if level == 0 else 5 + i % 20], org_unit=units[i % 20],
                 leg=("cx", "financial", "people")[i % 3],
                 measure=Goal.Measure.KPI if i % 4 == 0 else Goal.Measure.MILESTONE,
                 kpi=nps if i % 4 == 0 else None, baseline=Decimal(10), target=Decimal(30),
                 measure_unit="points", confidence="on_track")
            for i in range(count)
        ]  # fmt: skip
        parents = [g.id for g in Goal.objects.bulk_create(rows, batch_size=1000)]
    made = Initiative.objects.bulk_create(
        [Initiative(organization=org, cycle=cycle, name=f"Bench initiative {i}",
                    org_unit=units[i % 20], owner=members[5 + i % 20],
                    starts_on=date(2026, 1, 1) + timedelta(days=rng.randrange(150)))
         for i in range(initiatives)], batch_size=1000)  # fmt: skip
    KPIEffect.objects.bulk_create(
        [KPIEffect(organization=org, initiative=ini, kpi=rng.choice((nps, cost)),
                   direction=rng.choice(("up", "down")), amount=Decimal(rng.randint(1, 5)))
         for ini in made], batch_size=1000)  # fmt: skip
    return cycle, made


def build_journeys(org, units, initiatives, touchpoints: int) -> list[tuple[int, str]]:
    from journeys.models import Audience, Journey, Stage, Touchpoint

    audience = Audience.objects.create(organization=org, name="Bench customers", rank=1)
    journeys = Journey.objects.bulk_create(
        [Journey(organization=org, audience=audience, name=f"Journey {i}") for i in range(20)]
    )
    stages = Stage.objects.bulk_create(
        [Stage(organization=org, journey=j, name=f"Stage {k}") for j in journeys for k in range(10)]
    )
    rows = [
        Touchpoint(organization=org, journey_id=stages[i % len(stages)].journey_id,
                   stage=stages[i % len(stages)], name=f"Touchpoint {i}", owner=units[i % 20])
        for i in range(touchpoints)
    ]  # fmt: skip
    made = Touchpoint.objects.bulk_create(rows, batch_size=1000)
    through = Touchpoint.initiatives.through
    through.objects.bulk_create(
        [through(touchpoint_id=made[(3 * i + k) % len(made)].id, initiative_id=ini.id)
         for i, ini in enumerate(initiatives) for k in range(2)], batch_size=1000)  # fmt: skip
    return [(tp.id, tp.name) for tp in made]


def build_themes(org, count: int) -> list[int]:
    from feedback.models import Theme

    themes = Theme.objects.bulk_create(
        [Theme(organization=org, name=f"Theme {i}", owner_unit=None) for i in range(count)]
    )
    return [t.id for t in themes]


def customer_rows(org_id: int, count: int) -> list[tuple]:
    """(customer_id, segment, start_date, revenue, clv, churned_on, onboarding, class index)."""
    rng = random.Random(5)
    rows = []
    for i in range(count):
        segment = SEGMENTS[i % len(SEGMENTS)]
        cls = rng.choices((0, 1, 2), weights=MIX[segment])[0]
        clv = round(
            rng.lognormvariate(9 + 0.4 * (SEGMENTS.index(segment) == 0) - 0.1 * cls, 0.8), 2
        )
        churned = (
            CURRENT[1] + timedelta(days=rng.randrange(60)) if rng.random() < CHURN[cls] else None
        )
        start = date(2025, 10, 1) + timedelta(days=rng.randrange(270))
        rows.append((f"C{i:07d}", segment, start, round(clv / 4, 2), clv, churned,
                     rng.random() < 0.8 if rng.random() < 0.5 else None, cls))  # fmt: skip
    return rows


def response_rows(customers: list[tuple], count: int, touchpoints, themes) -> list[tuple]:
    """(key, customer_id, responded_at, nps, csat, ces, segment, touchpoint name, id, theme ids)."""
    rng = random.Random(9)
    first = datetime.combine(PREVIOUS[0], datetime.min.time(), tzinfo=UTC)
    seconds = int(
        (datetime.combine(CURRENT[1], datetime.min.time(), tzinfo=UTC) - first).total_seconds()
    )
    scores = ((9, 10), (7, 8), (0, 6))
    rows = []
    for i in range(count):
        customer = customers[rng.randrange(len(customers))] if rng.random() > 0.04 else None
        cls = customer[7] if customer else rng.randrange(3)
        tp_id, tp_name = touchpoints[rng.randrange(len(touchpoints))]
        if rng.random() < 0.02:
            tp_id, tp_name = None, "Unknown touchpoint"
        tags = sorted(rng.sample(themes, rng.choice((0, 1, 1, 2))))
        at = first + timedelta(seconds=rng.randrange(seconds))
        rows.append((f"R{i:08d}", customer[0] if customer else "", at, rng.randint(*scores[cls]),
                     rng.randint(1, 5), rng.randint(1, 7),
                     customer[1] if customer else rng.choice(SEGMENTS), tp_name, tp_id, tags))  # fmt: skip
    return rows


def write_rows(org, source, customers, responses) -> None:
    from django.db import connection

    from feedback.models import Customer, Response

    if connection.vendor == "postgresql":
        copy_rows(org, source, customers, responses)
        return
    Customer.objects.bulk_create(
        [Customer(organization=org, customer_id=c[0], segment=c[1], start_date=c[2],
                  revenue=Decimal(str(c[3])), clv=Decimal(str(c[4])), churned_on=c[5],
                  onboarding_success=c[6]) for c in customers], batch_size=5000)  # fmt: skip
    for start in range(0, len(responses), 20_000):
        Response.objects.bulk_create(
            [Response(organization=org, source=source, key=r[0], response_id=r[0],
                      customer_id=r[1], responded_at=r[2], nps=r[3], csat=r[4], ces=r[5],
                      segment=r[6], touchpoint_name=r[7], touchpoint_id=r[8], theme_ids=r[9])
             for r in responses[start:start + 20_000]], batch_size=5000)  # fmt: skip


def _copy(cursor, table: str, columns: str, lines) -> None:
    buffer = io.StringIO()
    for line in lines:
        buffer.write("\t".join(r"\N" if v is None else str(v) for v in line) + "\n")
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)


def copy_rows(org, source, customers, responses) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        raw = cursor.cursor
        _copy(raw, "feedback_customer", "organization_id, customer_id, segment, start_date, revenue, "
              "clv, churned_on, onboarding_success, fingerprint",
              ((org.id, *c[:6], {True: "t", False: "f", None: None}[c[6]], 0) for c in customers))  # fmt: skip
        columns = ("organization_id, source_id, key, response_id, customer_id, responded_at, nps, "
                   "csat, ces, channel, comment, segment, touchpoint_name, touchpoint_id, extra, "
                   "fingerprint, theme_ids, manual_theme_ids")  # fmt: skip
        for start in range(0, len(responses), 100_000):
            _copy(raw, "feedback_response", columns,
                  ((org.id, source.id, r[0], r[0], r[1], r[2].isoformat(), *r[3:6], "email", "",
                    r[6], r[7], r[8], "{}", 0, "{" + ",".join(map(str, r[9])) + "}", "{}")
                   for r in responses[start:start + 100_000]))  # fmt: skip
        cursor.execute("ANALYZE feedback_response")
        cursor.execute("ANALYZE feedback_customer")


def build(scale: str) -> dict:
    from django.core.management import call_command

    from cxalign.orgs.models import Organization
    from feedback.models import Source

    call_command("migrate", verbosity=0, interactive=False)
    cleanup()
    n_responses, n_customers, n_goals, n_touchpoints, n_initiatives, n_themes = SCALES[scale]
    started = time.perf_counter()
    org = Organization.objects.create(name="Bench recompute", slug=ORG, time_zone="UTC")
    units, members = build_people(org)
    cycle, initiatives = build_strategy(org, units, members, n_goals, n_initiatives)
    touchpoints = build_journeys(org, units, initiatives, n_touchpoints)
    themes = build_themes(org, n_themes)
    source = Source.objects.create(organization=org, name="Bench survey")
    customers = customer_rows(org.id, n_customers)
    write_rows(org, source, customers, response_rows(customers, n_responses, touchpoints, themes))
    # What the product's import does after writing this many rows (feedback/imports/jobs.py).
    from feedback.imports.jobs import tables_tidy

    tables_tidy(kind="customers")
    tables_tidy(kind="feedback")
    return {"build_s": time.perf_counter() - started, "cycle": cycle.id}


# ------------------------------------------------------------------ measuring


FLOOR = """
    SELECT segment, COUNT(*), SUM(CASE WHEN nps >= 9 THEN 1 ELSE 0 END),
        SUM(CASE WHEN nps <= 6 THEN 1 ELSE 0 END)
    FROM feedback_response
    WHERE organization_id = %s AND responded_at >= %s AND responded_at < %s AND nps IS NOT NULL
    GROUP BY segment
"""


def sql_floor(org) -> float:
    """One plain SQL aggregate of NPS per segment over the run's rows (both quarters)."""
    from django.db import connection

    adapt = connection.ops.adapt_datetimefield_value
    bounds = [adapt(datetime.combine(PREVIOUS[0], datetime.min.time(), tzinfo=UTC)),
              adapt(datetime.combine(CURRENT[1] + timedelta(days=1), datetime.min.time(), tzinfo=UTC))]  # fmt: skip
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(FLOOR, [org.id, *bounds])
        cursor.fetchall()
    return time.perf_counter() - started


def warm_up() -> None:
    """Load what a long-lived worker has loaded after its first task: the URLconf (rules link
    their flags to pages; the first reverse() imports every app's views, 5-15 s on this box)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018


def recompute() -> dict:
    from alignment import services
    from alignment.models import Run
    from cxalign.orgs.models import Organization
    from strategy.models import Cycle

    warm_up()
    org = Organization.objects.get(slug=ORG)
    cycle = Cycle.objects.get(organization=org, name="Bench FY")
    floor = min(sql_floor(org) for _ in range(2))  # the first one warms the cache for both
    started = time.perf_counter()
    run = services.run_request(organization=org, cycle=cycle, trigger=Run.Trigger.COMMAND,
                               enqueue=False)  # fmt: skip
    services.run_compute(run_id=run.id)
    run = services.run_publish(run_id=run.id)
    seconds = time.perf_counter() - started
    if run.status != Run.Status.SUCCEEDED:
        raise SystemExit(f"the recompute failed: {run.message}")
    return {
        "seconds": seconds,
        "floor_s": floor,
        "timings": run.timings,
        "flags": run.flags_open,
        "responses": run.results["data_quality"]["current"]["responses"]
        + run.results["data_quality"]["previous"]["responses"],
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def child(mode: str, scale: str) -> None:
    setup_django()
    result = {"build": lambda: build(scale), "run": recompute, "cleanup": lambda: cleanup() or {}}[
        mode
    ]()
    print(json.dumps(result))


def run_child(mode: str, scale: str, env: dict) -> dict:
    args = [sys.executable, __file__, "--child", mode, "--scale", scale]
    out = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        sys.stderr.write(out.stdout + out.stderr)
        raise SystemExit(f"{mode} child failed ({out.returncode})")
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(scale: str, env: dict) -> tuple[dict, dict, dict]:
    built = run_child("build", scale, env)
    try:
        first = run_child("run", scale, env)
        again = run_child("run", scale, env)
    finally:
        run_child("cleanup", scale, env)
    return built, first, again


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", choices=["small", "full", "sqlite"], default="full")
    parser.add_argument("--child", choices=["build", "run", "cleanup"])
    args = parser.parse_args()
    if args.child:
        child(args.child, args.scale)
        return
    env = {**os.environ, "CELERY_TASK_ALWAYS_EAGER": "true", "REDIS_URL": "",
           "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)}  # fmt: skip
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        if not os.environ.get("DATABASE_URL"):
            env = {**env, "DATABASE_URL": "", "CXALIGN_VAR_DIR": tmp}
        built, first, again = measure(args.scale, env)
    results["responses"] = first["responses"]
    results["recompute_s"] = round(first["seconds"], 2)
    results["sql_floor_s"] = round(first["floor_s"], 3)
    results["ratio_to_floor"] = round(first["seconds"] / first["floor_s"], 1)
    results["peak_rss_mb"] = round(max(first["peak_rss_mb"], again["peak_rss_mb"]), 1)
    results["rerun_s"] = round(again["seconds"], 2)
    with tempfile.TemporaryDirectory() as tmp:
        local = {**env, "DATABASE_URL": "", "CXALIGN_VAR_DIR": tmp}
        _, sqlite, _ = measure("sqlite", local)
    results["sqlite_100k_s"] = round(sqlite["seconds"], 2)
    for key, value in results.items():
        print(f"{key}: {value}")
    sys.stderr.write(f"# build {json.dumps(built)}\n# first run {json.dumps(first)}\n"
                     f"# second run {json.dumps(again)}\n# sqlite run {json.dumps(sqlite)}\n")  # fmt: skip


if __name__ == "__main__":
    main()
