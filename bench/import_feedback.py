"""Benchmark of the feedback import against PostgreSQL's own COPY of the same file.

    .venv/bin/python bench/import_feedback.py [--scale small]

PostgreSQL when DATABASE_URL is set (the bench migrates it), else SQLite in a temp dir. Generates
its CSV under bench/data/ (deleted afterwards), COPYs it into a bare table, imports it with the
app's import service (validation, theme tagging, upsert) in a child process whose peak RSS is
measured, imports it again (must add 0 rows), and times 100k rows on an embedded SQLite DB.
Prints one `key: value` a line.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
ORG = "bench-feedback"
SOURCE = "Bench NPS survey"

THEMES = {
    "Delivery": ["delivery", "delivered", "late", "courier", "shipping", "arrived damaged"],
    "Price": ["price", "expensive", "cheap", "cost", "too much", "value for money"],
    "Support": ["support", "agent", "helpful", "on hold", "call centre", "waited too long"],
    "Billing": ["invoice", "billing", "charged twice", "refund", "payment"],
    "App": ["app", "crash", "login", "password reset", "slow app"],
    "Quality": ["quality", "broken", "defective", "works perfectly"],
    "Onboarding": ["onboarding", "setup", "getting started", "welcome email"],
    "Staff": ["staff", "friendly", "rude", "polite", "store manager"],
    "Returns": ["return", "returns", "exchange", "return label"],
    "Communication": ["email", "newsletter", "spam", "kept me informed", "no reply"],
}
OPENERS = [
    "Honestly",
    "Overall",
    "To be fair",
    "Well",
    "As a long-time customer",
    "This time",
    "Sadly",
    "Great news:",
    "",
]
PHRASES = [
    "the delivery was late again",
    "the courier left the parcel outside",
    "price is too much for what you get",
    "good value for money",
    "support agent was really helpful",
    "I waited too long on hold",
    "I was charged twice and still wait for a refund",
    "the invoice was wrong",
    "the app keeps crashing at login",
    "password reset never works",
    "quality is great and it works perfectly",
    "it arrived damaged and broken",
    "setup was quick thanks to the getting started guide",
    "staff were friendly and polite",
    "the store manager was rude",
    "returns are painless with the return label",
    "you kept me informed all the way",
    "I got no reply to my email",
    "nothing to add",
    "keep it up",
    "would buy again from you",
    "the website checkout took ages",
    "packaging could be greener",
]
CHANNELS = ["email", "web", "app", "sms", "phone", "store"]
SEGMENTS = ["Enterprise", "SMB", "Consumer", "Public sector", "Partner"]
LANGS = ["en", "de", "fr", "es", "nl"]


def generate(path: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            [
                "response_id",
                "customer_id",
                "responded_at",
                "nps",
                "csat",
                "ces",
                "channel",
                "comment",
                "segment",
                "language",
            ]
        )
        for i in range(rows):
            at = start + timedelta(seconds=rng.randrange(0, 660 * 86400))
            nps = rng.choices(range(11), weights=[3, 2, 2, 3, 3, 5, 7, 10, 14, 22, 29])[0]
            parts = rng.sample(PHRASES, rng.choice([1, 1, 2, 2, 3]))
            comment = f"{rng.choice(OPENERS)} {', and '.join(parts)}. (order {rng.randrange(10**6)})".strip()
            writer.writerow(
                [
                    f"R_{i:08d}",
                    f"C{rng.randrange(200_000):06d}",
                    at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    nps,
                    rng.randint(1, 5),
                    rng.randint(1, 7),
                    rng.choice(CHANNELS),
                    comment if rng.random() > 0.08 else "",
                    rng.choice(SEGMENTS),
                    rng.choice(LANGS),
                ]
            )


BARE_TABLE = """
DROP TABLE IF EXISTS bench_bare_feedback;
CREATE TABLE bench_bare_feedback (
    response_id text, customer_id text, responded_at timestamptz, nps smallint, csat smallint,
    ces smallint, channel text, comment text, segment text, language text
);
"""


def checkpoint(cursor) -> None:
    """Start a measurement with no dirty pages from the one before (both sides get one)."""
    try:
        cursor.execute("CHECKPOINT")
    except Exception as exc:  # noqa: BLE001 -- not allowed for this role: measure without
        sys.stderr.write(f"# no CHECKPOINT before measuring: {exc}")


def bare_copy(path: Path) -> float:
    import psycopg2

    conn = psycopg2.connect(os.environ["DATABASE_URL"])
    try:
        with conn.cursor() as cur:
            cur.execute(BARE_TABLE)
            conn.commit()
            checkpoint(cur)
            conn.commit()
            started = time.perf_counter()
            with path.open("rb") as fh:
                cur.copy_expert("COPY bench_bare_feedback FROM STDIN WITH (FORMAT csv, HEADER)", fh)
            conn.commit()
            elapsed = time.perf_counter() - started
            cur.execute("DROP TABLE bench_bare_feedback")
            conn.commit()
    finally:
        conn.close()
    return elapsed


# ------------------------------------------------------------------ child: one import


def bench_org(fresh: bool):
    """The bench's organization with its themes; a fresh run starts from no bench responses."""
    from django.core.management import call_command

    from cxalign.orgs.models import Organization
    from feedback.models import Theme
    from feedback.services import rule_add

    if fresh:
        call_command("migrate", verbosity=0)
    org, _ = Organization.objects.get_or_create(slug=ORG, defaults={"name": "Bench Co"})
    for name, patterns in THEMES.items():
        theme, created = Theme.objects.get_or_create(organization=org, name=name)
        if created:
            for pattern in patterns:
                rule_add(theme=theme, pattern=pattern)
    if fresh:
        empty_bench_rows(org)
    return org


def empty_bench_rows(org) -> None:
    from django.db import connection

    from feedback.models import ImportBatch, Source

    source = Source.objects.filter(organization=org, name=SOURCE).first()
    if source:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT EXISTS (SELECT 1 FROM feedback_response WHERE organization_id <> %s)",
                [org.id],
            )
            others = cursor.fetchone()[0]
            if connection.vendor == "postgresql" and not others:
                # Only the bench's rows in the table: start from an empty one, like the bare
                # table COPY is measured on.
                cursor.execute("TRUNCATE feedback_response")
            else:
                # Raw delete: the ORM would load a million rows to cascade (and skew RSS).
                cursor.execute("DELETE FROM feedback_response WHERE source_id = %s", [source.id])
        ImportBatch.objects.filter(source=source).delete()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE feedback_response")
    if connection.vendor == "postgresql":
        checkpoint(connection.cursor())


def child(path: str, fresh: bool) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxalign.settings")
    import django

    django.setup()
    from feedback.models import Response
    from feedback.services import import_file

    org = bench_org(fresh)
    started = time.perf_counter()
    batch = import_file(organization=org, path=path, source_name=SOURCE)
    elapsed = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tags = None
    if fresh:
        theme_lists = Response.objects.filter(organization=org).values_list("theme_ids", flat=True)
        tags = sum(len(ids) for ids in theme_lists.iterator(chunk_size=50_000))
    print(json.dumps({"seconds": elapsed, "status": batch.status, "message": batch.message,
                      "rows_read": batch.rows_read, "new": batch.rows_new,
                      "updated": batch.rows_updated, "unchanged": batch.rows_unchanged,
                      "rejected": batch.rows_rejected, "tags": tags,
                      "peak_rss_mb": peak_kb / 1024}))  # fmt: skip


def run_child(path: Path, *, fresh: bool, env: dict) -> dict:
    args = [sys.executable, __file__, "--child", str(path)]
    if fresh:
        args.append("--fresh")
    out = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        sys.stderr.write(out.stdout + out.stderr)
        raise SystemExit(f"import child failed ({out.returncode})")
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(big: Path, small: Path, rows: int, env: dict) -> dict:
    """The bench's keys: COPY floor and import on the database of DATABASE_URL (SQLite when
    unset), the re-import, and the 100,000-row import on SQLite."""
    results: dict[str, object] = {}
    if os.environ.get("DATABASE_URL"):
        copy_s = bare_copy(big)
        first = run_child(big, fresh=True, env=env)
        again = run_child(big, fresh=False, env=env)
        results["copy_rows_per_s"] = round(rows / copy_s)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            local = {**env, "DATABASE_URL": "", "CXALIGN_VAR_DIR": tmp, "DEBUG": "true"}
            first = run_child(big, fresh=True, env=local)
            again = run_child(big, fresh=False, env=local)
        results["copy_rows_per_s"] = "n/a (SQLite)"
    import_rate = rows / first["seconds"]
    results["import_rows_per_s"] = round(import_rate)
    copy_rate = results["copy_rows_per_s"]
    results["ratio_to_copy"] = (
        round(import_rate / copy_rate, 3) if isinstance(copy_rate, int) else "n/a"
    )
    results["peak_rss_mb"] = round(max(first["peak_rss_mb"], again["peak_rss_mb"]), 1)
    results["reimport_rows_per_s"] = round(rows / again["seconds"])
    results["reimport_new_rows"] = again["new"]
    with tempfile.TemporaryDirectory() as tmp:
        local = {**env, "DATABASE_URL": "", "CXALIGN_VAR_DIR": tmp, "DEBUG": "true"}
        sqlite = run_child(small, fresh=True, env=local)
    results["sqlite_100k_s"] = round(sqlite["seconds"], 2)
    sys.stderr.write(f"# rows {rows}; first import {json.dumps(first)}\n"
                     f"# re-import {json.dumps(again)}\n")  # fmt: skip
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", choices=["small", "full"], default="full")
    parser.add_argument("--child")
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--keep", action="store_true", help="Keep the generated CSV files.")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.fresh)
        return
    rows = 50_000 if args.scale == "small" else 1_000_000
    DATA.mkdir(parents=True, exist_ok=True)
    big = DATA / f"feedback-{rows}.csv"
    small = DATA / "feedback-100000.csv"
    env = {**os.environ, "CELERY_TASK_ALWAYS_EAGER": "true", "REDIS_URL": "",
           "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-secret-key-not-for-production")}  # fmt: skip
    try:
        generate(big, rows)
        if rows == 100_000:
            small = big
        else:
            generate(small, 100_000)
        for key, value in measure(big, small, rows, env).items():
            print(f"{key}: {value}")
    finally:
        if not args.keep:
            for path in {big, small}:
                path.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
