"""The responses export (feedback/exports.py): formulas neutralised in CSV and XLSX."""

import pytest

from feedback.models import Response, Source

pytestmark = pytest.mark.django_db


def test_export_neutralises_formulas(client, viewer, org):
    source = Source.objects.create(organization=org, name="S")
    Response.objects.create(
        organization=org, source=source, key="x", comment="=HYPERLINK(1)", segment="+seg"
    )
    client.force_login(viewer.user)
    response = client.get(f"/o/{org.slug}/feedback/responses/export/?format=csv")
    body = b"".join(response.streaming_content).decode()
    assert "'=HYPERLINK(1)" in body and "'+seg" in body
    xlsx = client.get(f"/o/{org.slug}/feedback/responses/export/?format=xlsx")
    assert xlsx.status_code == 200


def test_xlsx_export_neutralises_formulas(client, viewer, org):
    from io import BytesIO

    from openpyxl import load_workbook

    source = Source.objects.create(organization=org, name="S")
    Response.objects.create(organization=org, source=source, key="x", comment="@SUM(A1)")
    client.force_login(viewer.user)
    response = client.get(f"/o/{org.slug}/feedback/responses/export/?format=xlsx")
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    assert sheet.cell(row=2, column=12).value == "'@SUM(A1)"
