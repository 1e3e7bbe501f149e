"""Imports warn about rows naming a customer or a segment the organization does not know: a
count and examples in the check's result, and the rows are imported all the same."""

import numpy as np
import pyarrow as pa
import pytest

from feedback import services
from feedback.imports.known import KnownValues
from feedback.models import Customer, Response
from tests.factories import AudienceFactory

pytestmark = pytest.mark.django_db

FILE = (
    "Response ID,Customer,Date,NPS,Comment,Segment\n"
    "R1,C1,2024-03-01,9,fine,smb\n"
    "R2,C2,2024-03-02,3,late,smb\n"
    "R3,X9,2024-03-03,7,ok,smb\n"
    "R4,X9,2024-03-04,2,bad,enterprize\n"
    "R5,,2024-03-05,5,anonymous,\n"
    "R6,Y7,2024-03-06,11,bad score,nowhere\n"
)
MAPPING = {"customer_id": "Customer", "segment": "Segment"}


def test_known_values_find_the_unknown_non_empty_ones():
    known = KnownValues(["C1", "C2", ""])
    column = pa.array(["C1", "X", "", None, "C2", "c1"])
    assert known.unknown(column).tolist() == [False, True, False, False, False, True]
    assert KnownValues([]).unknown(pa.array(["a", ""])).tolist() == [True, False]
    assert len(KnownValues(f"C{i}" for i in range(10_000))) == 10_000
    big = KnownValues(f"C{i}" for i in range(10_000))
    probe = pa.array([f"C{i}" for i in range(9_990, 10_010)])
    assert np.flatnonzero(big.unknown(probe)).tolist() == list(range(10, 20))


def check(org, tmp_path, dry_run=True):
    path = tmp_path / "survey.csv"
    path.write_text(FILE, encoding="utf-8")
    return services.import_file(
        organization=org, path=path, source_name="Survey", mapping=MAPPING, dry_run=dry_run
    )


def test_preview_counts_unknown_customers_and_segments_with_examples(org, tmp_path):
    Customer.objects.create(organization=org, customer_id="C1", segment="smb")
    Customer.objects.create(organization=org, customer_id="C2", segment="smb")
    AudienceFactory(organization=org, segment_key="key-accounts")
    batch = check(org, tmp_path)
    assert batch.status == "previewed" and batch.rows_rejected == 1  # only the bad score
    unknown = batch.options["unknown_values"]
    # R3 and R4 name X9; R6 (Y7) is rejected for its score, so it is not counted.
    assert unknown["customers"] == {"count": 2, "examples": ["X9"]}
    assert unknown["segments"] == {"count": 1, "examples": ["enterprize"]}
    done = check(org, tmp_path, dry_run=False)
    assert done.status == "succeeded" and done.rows_new == 5  # warned about, not rejected
    assert Response.objects.filter(customer_id="X9").count() == 2
    assert done.options["unknown_values"]["customers"]["count"] == 2


def test_without_customer_records_or_segments_nothing_is_compared(org, tmp_path):
    batch = check(org, tmp_path)
    assert batch.options["unknown_values"] == {}


def test_a_customer_file_warns_about_segments_no_audience_has(org, tmp_path):
    AudienceFactory(organization=org, segment_key="smb")
    path = tmp_path / "customers.csv"
    path.write_text("Customer ID,Segment,CLV\nC1,smb,10\nC2,smbb,20\nC3,,30\n", encoding="utf-8")
    batch = services.import_file(organization=org, path=path, kind="customers", dry_run=True)
    assert batch.options["unknown_values"] == {"segments": {"count": 1, "examples": ["smbb"]}}


def test_import_page_shows_the_warning(client, cx_lead, org, tmp_path):
    Customer.objects.create(organization=org, customer_id="C1", segment="smb")
    batch = check(org, tmp_path)
    client.force_login(cx_lead.user)
    body = client.get(f"/o/{org.slug}/feedback/imports/{batch.pk}/").content.decode()
    assert 'data-testid="unknown-customers"' in body
    assert "3 rows name a customer who is not in the customer records" in body
    assert "“X9”" in body and "“C2”" in body
    assert "1 row names a segment that no customer record or priority audience has" in body
    assert "“enterprize”" in body and "“smb”" not in body  # C1's segment is known
