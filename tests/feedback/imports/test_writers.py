"""Writing imported rows (feedback/imports/writers.py): re-imports change only the mapped
columns, scheduled churn is kept (PostgreSQL COPY path); SQLite rows carry ISO dates."""

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest

from feedback import services
from feedback.imports.writers import _python_rows
from feedback.models import Customer, Response, Theme

pytestmark = pytest.mark.django_db

FULL = (
    "Response ID,Date,NPS,Comment,Segment,Channel\n"
    "R1,2024-03-01,9,Fast delivery,smb,email\n"
    "R2,2024-03-02,3,Late delivery,enterprise,web\n"
)
NARROW = "Response ID,NPS\nR1,9\nR2,5\nR3,10\n"
CUSTOMERS = "customer_id,segment,clv,churned_on\nC1,smb,100.50,2024-01-31\nC2,ent,200,\n"


def feedback(org, path, text, mapping=None):
    path.write_text(text)
    return services.import_file(
        organization=org, path=path, source_name="Survey", mapping=mapping or {}
    )


def customers(org, path, text, mapping=None):
    path.write_text(text)
    return services.import_file(organization=org, path=path, kind="customers", mapping=mapping)


def test_future_churn_date_is_a_scheduled_churn_not_an_error(org, tmp_path):
    later = (dt.date.today() + dt.timedelta(days=60)).isoformat()
    batch = customers(org, tmp_path / "c.csv", f"customer_id,churned_on\nC1,{later}\nC2,\n")
    assert (batch.status, batch.rows_new, batch.rows_rejected) == ("succeeded", 2, 0)
    assert Customer.objects.get(customer_id="C1").churned_on.isoformat() == later


def test_customer_reimport_without_churn_column_keeps_churn_dates(org, tmp_path):
    customers(org, tmp_path / "c.csv", CUSTOMERS)
    again = customers(org, tmp_path / "d.csv", "customer_id,segment\nC1,mid\nC2,ent\nC3,smb\n")
    assert (again.rows_new, again.rows_updated, again.rows_unchanged) == (1, 1, 1)
    rows = {c.customer_id: c for c in Customer.objects.all()}
    assert rows["C1"].churned_on == dt.date(2024, 1, 31)
    assert rows["C1"].clv == Decimal("100.50")
    assert rows["C1"].segment == "mid"
    assert (rows["C3"].churned_on, rows["C3"].clv) == (None, None)


def test_customer_column_left_out_of_the_mapping_is_kept(org, tmp_path):
    customers(org, tmp_path / "c.csv", CUSTOMERS)
    text = "customer_id,segment,clv,churned_on\nC1,smb,100.50,\nC2,ent,200,\n"
    again = customers(org, tmp_path / "d.csv", text, mapping={"churned_on": ""})
    assert (again.rows_updated, again.rows_unchanged) == (0, 2)
    assert Customer.objects.get(customer_id="C1").churned_on == dt.date(2024, 1, 31)


def test_narrower_response_file_keeps_comment_segment_and_themes(org, tmp_path):
    theme = services.theme_create(organization=org, data={"name": "D"}, patterns=["delivery"])
    feedback(org, tmp_path / "a.csv", FULL)
    again = feedback(org, tmp_path / "b.csv", NARROW)
    assert (again.rows_new, again.rows_updated, again.rows_unchanged) == (1, 1, 1)
    r1, r2, r3 = (Response.objects.get(response_id=f"R{i}") for i in (1, 2, 3))
    assert (r2.nps, r2.comment, r2.segment, r2.channel) == (5, "Late delivery", "enterprise", "web")
    assert r2.responded_at == dt.datetime(2024, 3, 2, tzinfo=dt.UTC)
    assert r1.theme_ids == r2.theme_ids == [theme.id]
    assert (r3.comment, r3.segment, r3.responded_at) == ("", "", None)
    same = feedback(org, tmp_path / "c.csv", NARROW)
    assert (same.rows_new, same.rows_updated, same.rows_unchanged) == (0, 0, 3)
    full_again = feedback(org, tmp_path / "d.csv", FULL)
    assert full_again.rows_updated == 1  # R2's NPS goes back to 3; R1 is as stored
    assert Theme.objects.count() == 1


def test_narrower_file_preview_counts_unchanged_rows(org, tmp_path):
    feedback(org, tmp_path / "a.csv", FULL)
    (tmp_path / "b.csv").write_text("Response ID,NPS\nR1,9\nR2,3\n")
    batch = services.import_file(
        organization=org, path=tmp_path / "b.csv", source_name="Survey", dry_run=True
    )
    assert (batch.rows_updated, batch.rows_unchanged) == (0, 2)


def test_python_rows_format_dates_for_sqlite():
    from datetime import UTC, date, datetime

    table = pa.table(
        {
            "at": pa.array(
                [datetime(2024, 3, 1, 10, 0, tzinfo=UTC), None], pa.timestamp("s", tz="UTC")
            ),
            "day": pa.array([date(2024, 1, 2), None]),
            "n": pa.array([1, None], pa.int16()),
        }
    )
    assert _python_rows(table) == [("2024-03-01 10:00:00", "2024-01-02", 1), (None, None, None)]
