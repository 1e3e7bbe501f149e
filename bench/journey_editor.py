"""Bench of the journey-map editor: queries and time to load a big board, and drag-drop saves.

Runs against PostgreSQL when DATABASE_URL is set, else against the embedded SQLite default
(in a throwaway directory, migrated on the fly). Makes its own data and removes it after.

    .venv/bin/python bench/journey_editor.py [--scale small]

Prints one `key: value` a line: editor_queries, editor_load_ms, save_median_ms.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

SCALES = {
    # stages, touchpoints, page loads, moves
    "full": (30, 500, 7, 60),
    "small": (10, 100, 5, 30),
}


def setup_django() -> str | None:
    """Configure settings from the environment; embedded runs get a throwaway var dir."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    tmp = None
    if not os.environ.get("DATABASE_URL"):
        tmp = tempfile.mkdtemp(prefix="cx-bench-journeys-")
        os.environ["CXALIGN_VAR_DIR"] = tmp
    os.environ.setdefault("SECRET_KEY", "bench-only-" + uuid.uuid4().hex * 2)
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("STATIC_MANIFEST", "false")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxalign.settings")
    import django

    django.setup()
    if tmp:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    return tmp


def make_data(stages_n: int, cards_n: int):
    from django.contrib.auth import get_user_model

    from cxalign.orgs.models import Membership, Organization, OrgUnit
    from cxalign.orgs.roles import Role
    from journeys.models import Audience, Journey, PainPoint, Stage, Touchpoint

    tag = uuid.uuid4().hex[:10]
    org = Organization.objects.create(name=f"Bench {tag}", slug=f"bench-{tag}")
    user = get_user_model().objects.create_user(username=f"bench-{tag}", password=uuid.uuid4().hex)
    Membership.objects.create(organization=org, user=user, role=Role.MEMBER)
    units = [OrgUnit.objects.create(organization=org, name=f"Unit {i}") for i in range(8)]
    audience = Audience.objects.create(organization=org, name="Bench audience")
    journey = Journey.objects.create(organization=org, audience=audience, name="Bench journey")
    stages = Stage.objects.bulk_create(
        Stage(
            organization=org,
            journey=journey,
            name=f"Stage {i}",
            position=(i + 1) * 1024,
            emotion=random.choice([-2, -1, 0, 1, 2]),
            customer_actions="Does things " * 5,
        )
        for i in range(stages_n)
    )
    fields = ["email", "phone", "address", "vat number", "order number"]
    cards = Touchpoint.objects.bulk_create(
        Touchpoint(
            organization=org,
            journey=journey,
            stage=stages[i % stages_n],
            position=(i // stages_n + 1) * 1024,
            name=f"Touchpoint {i}",
            owner=units[i % 8] if i % 5 else None,
            moment_that_matters=i % 9 == 0,
            data_fields=random.sample(fields, 2),
            notes="A note. " * 10,
        )
        for i in range(cards_n)
    )
    PainPoint.objects.bulk_create(
        PainPoint(organization=org, journey=journey, stage=s, text=f"Pain at {s.name}", severity=2)
        for s in stages
    )
    return org, user, journey, stages, cards


def measure_loads(client, page: str, loads: int) -> tuple[int, list[float]]:
    """The board's query count, then the time of `loads` loads (ms)."""
    from django.db import connection

    assert client.get(page).status_code == 200  # warm caches and templates
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        assert client.get(page).status_code == 200
    load_times = []
    for _ in range(loads):
        start = time.perf_counter()
        response = client.get(page)
        load_times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return len(queries), load_times


def measure_moves(client, org, stages, cards, moves: int) -> list[float] | None:
    """The time (ms) of `moves` random card moves through the API; None when one fails."""
    save_times = []
    base = f"/api/v1/orgs/{org.slug}/touchpoints/"
    for _ in range(moves):
        card = random.choice(cards)
        stage = random.choice(stages)
        siblings = [c for c in cards if c.stage_id == stage.pk and c.pk != card.pk]
        after = random.choice([None, *[c.pk for c in siblings[:5]]])
        start = time.perf_counter()
        response = client.post(f"{base}{card.pk}/move/", {"stage": stage.pk, "after": after},
                               content_type="application/json")  # fmt: skip
        save_times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            print(f"move failed: {response.status_code} {response.content[:200]}", file=sys.stderr)
            return None
        card.stage_id = stage.pk
    return save_times


def cleanup(org, tmp) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from cxalign.orgs.models import Organization
    from journeys.models import Journey

    if org is not None:
        Journey.objects.filter(organization=org).delete()
        Organization.objects.filter(pk=org.pk).delete()
        get_user_model().objects.filter(username=f"bench-{org.slug[6:]}").delete()
    if tmp:
        connection.close()
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="full")
    args = parser.parse_args()
    stages_n, cards_n, loads, moves = SCALES[args.scale]
    random.seed(7)
    tmp = setup_django()
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    org = None
    try:
        org, user, journey, stages, cards = make_data(stages_n, cards_n)
        client = Client()
        client.force_login(user)
        page = reverse("journeys:board", kwargs={"org_slug": org.slug, "pk": journey.pk})
        queries, load_times = measure_loads(client, page, loads)
        save_times = measure_moves(client, org, stages, cards, moves)
        if save_times is None:
            return 1
        print(f"# {connection.vendor}, {stages_n} stages, {cards_n} touchpoints, "
              f"{loads} loads, {moves} moves", file=sys.stderr)  # fmt: skip
        print(f"editor_queries: {queries}")
        print(f"editor_load_ms: {statistics.median(load_times):.1f}")
        print(f"save_median_ms: {statistics.median(save_times):.1f}")
    finally:
        cleanup(org, tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
