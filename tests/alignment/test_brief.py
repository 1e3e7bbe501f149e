"""The planning brief: one page per cycle, and a real PDF, frozen with the run it came from."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from alignment.brief import theme_comments
from tests.alignment.figures import results_document as _results
from tests.factories import (
    CycleFactory,
    FlagFactory,
    GoalFactory,
    RunFactory,
)

pytestmark = pytest.mark.django_db


def _url(org, suffix="brief/"):
    return f"/o/{org.slug}/alignment/{suffix}"


def test_viewer_reads_the_brief(client, viewer, org, brief_data):
    client.force_login(viewer.user)
    response = client.get(_url(org))
    assert response.status_code == 200
    html = response.content.decode()
    run = brief_data["run"]
    assert f"run {run.id}</strong>" in html
    assert "Delight every retailer" in html and "Answer every call within a minute" in html
    assert "Grow revenue" not in html  # not on the CX leg
    assert "Checkout drives detractors away" in html and "Dana" in html
    # Three verbatim comments per rising theme, the latest of the period.
    assert [f"Truck late again {i}" in html for i in range(5)] == [False, False, True, True, True]
    assert [f"Refund still missing {i}" in html for i in range(4)] == [False, True, True, True]
    assert "Truck late in December" not in html
    assert "Close the phone line on Sundays" in html and "Awaiting a mitigation" in html
    assert "Read the segments, not the pooled figure." in html
    assert 'data-testid="brief-readiness"' in html


def test_pdf_is_a_real_pdf_with_the_cx_goal_and_the_top_flag(client, viewer, org, brief_data):
    client.force_login(viewer.user)
    response = client.get(_url(org, "brief.pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"run{brief_data['run'].id}.pdf" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF-")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    assert "Delight every retailer" in text
    assert "Checkout drives detractors away" in text
    assert f"run {brief_data['run'].id}" in text


def test_an_older_run_reproduces_its_own_brief(client, viewer, org, cycle, brief_data):
    old = brief_data["run"]
    newer = RunFactory(cycle=cycle, finished_at=timezone.now() + datetime.timedelta(minutes=5),
                       results=_results(47.0, {}))  # fmt: skip
    client.force_login(viewer.user)
    latest = client.get(_url(org)).content.decode()
    assert f"run {newer.id}</strong>" in latest and ">47</strong>" in latest
    again = client.get(_url(org) + f"?run={old.id}").content.decode()
    assert f"run {old.id}</strong>" in again and ">11</strong>" in again
    assert "Truck late again 4" in again  # the old run's rising themes and their words
    assert "Checkout drives detractors away" in again  # the flag the old run raised


def test_outsider_gets_404_and_bad_ids_are_404(
    client, outsider, viewer, org, other_org, brief_data
):
    client.force_login(outsider.user)
    assert client.get(_url(org)).status_code == 404
    assert client.get(_url(org, "brief.pdf")).status_code == 404
    client.force_login(viewer.user)
    for query in ("?run=abc", "?run=999999", "?cycle=x", "?cycle=999999"):
        assert client.get(_url(org) + query).status_code == 404
    foreign = RunFactory(cycle=CycleFactory(organization=other_org), finished_at=timezone.now())
    assert client.get(_url(org) + f"?run={foreign.id}").status_code == 404


def test_empty_organization_gets_a_clear_page_not_a_500(client, viewer, org):
    client.force_login(viewer.user)
    response = client.get(_url(org))
    assert response.status_code == 200
    assert "No planning cycle yet" in response.content.decode()
    pdf = client.get(_url(org, "brief.pdf"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")


def test_cycle_without_a_run_says_so(client, viewer, org, cycle):
    GoalFactory(cycle=cycle, parent=None, leg="cx", title="Delight every retailer")
    client.force_login(viewer.user)
    html = client.get(_url(org)).content.decode()
    assert "No recompute has finished for this cycle yet" in html
    assert "Delight every retailer" in html


def test_comments_of_all_rising_themes_are_one_query(org, brief_data, django_assert_num_queries):
    run = brief_data["run"]
    ids = [brief_data["late"].id, brief_data["slow"].id]
    with django_assert_num_queries(1):
        found = theme_comments(organization=org, theme_ids=ids, first=run.current_first,
                               last=run.current_last)  # fmt: skip
    assert [c["comment"] for c in found[brief_data["late"].id]] == [
        "Truck late again 4", "Truck late again 3", "Truck late again 2"]  # fmt: skip
    assert len(found[brief_data["slow"].id]) == 3


def test_brief_query_count_does_not_grow(client, viewer, org, cycle, brief_data,
                                         django_assert_max_num_queries):  # fmt: skip
    client.force_login(viewer.user)
    with django_assert_max_num_queries(30):
        client.get(_url(org))
    client.get(_url(org))  # the first visit was recorded: the signed-in person is read anew
    for i in range(30):
        child = GoalFactory(cycle=cycle, parent=brief_data["cx_goal"], title=f"Child {i}")
        GoalFactory(cycle=cycle, parent=child)
        FlagFactory(cycle=cycle, severity="high", first_run=brief_data["run"],
                    last_run=brief_data["run"])  # fmt: skip
    with CaptureQueriesContext(connection) as small:
        client.get(_url(org))
    for i in range(30):
        GoalFactory(cycle=cycle, parent=brief_data["cx_goal"], title=f"More {i}")
    with CaptureQueriesContext(connection) as large:
        client.get(_url(org))
    assert len(large) == len(small)
