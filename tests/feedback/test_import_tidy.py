"""A large import vacuums and analyses the table it wrote (PostgreSQL), so the recompute it
queues reads with fresh statistics and a visibility map (index-only scans)."""

import pytest
from django.db import connection

from feedback import services
from feedback.imports import jobs


def table_state(table: str) -> tuple[float, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples, relallvisible FROM pg_class WHERE relname = %s", [table])
        return cursor.fetchone()


@pytest.mark.django_db(transaction=True)
def test_a_large_import_vacuums_and_analyses_its_table(org, tmp_path, monkeypatch):
    monkeypatch.setattr(jobs, "TIDY_ROWS", 300)  # "large" for this test
    lines = ["response_id,responded_at,nps"] + [f"T{i},2026-03-01,{i % 11}" for i in range(400)]
    path = tmp_path / "f.csv"
    path.write_text("\n".join(lines) + "\n")
    batch = services.import_file(organization=org, path=path, source_name="S")
    assert batch.status == "succeeded" and batch.rows_new == 400
    tuples, all_visible = table_state("feedback_response")
    assert tuples == 400 and all_visible > 0  # ANALYZE counted the rows, VACUUM set the map


@pytest.mark.django_db(transaction=True)
def test_a_small_import_leaves_it_to_autovacuum(org, tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("response_id,responded_at,nps\nS1,2026-03-01,9\n")
    services.import_file(organization=org, path=path, source_name="S")
    assert table_state("feedback_response")[1] == 0


@pytest.mark.django_db
def test_inside_a_transaction_it_does_nothing():
    jobs.tables_tidy(kind="feedback")  # VACUUM cannot run in a transaction: skipped, no error
