"""The import_customers command."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_import_customers_command(org, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("customer_id,segment,clv\nC1,smb,100\nC2,smb,abc\n")
    out = StringIO()
    call_command("import_customers", str(path), "--org", org.slug, "--map", "clv=clv", stdout=out)
    summary = json.loads(out.getvalue())
    assert (summary["new"], summary["rejected"]) == (1, 1)
