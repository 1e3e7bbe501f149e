"""The alignment pages: links, flags, runs; who sees and does what; flat query counts."""

import datetime

import pytest
from django.urls import reverse

from alignment.models import Flag, Run
from alignment.services import run_request
from cxalign.orgs.roles import Role
from tests.alignment import company
from tests.factories import FlagFactory, MembershipFactory, OrgUnitFactory, RunFactory

Q2 = (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))
Q3 = (datetime.date(2026, 7, 1), datetime.date(2026, 9, 30))
PAGES = ("links", "flags", "runs")


def url(org, name, *args):
    return reverse(f"alignment:{name}", args=[org.slug, *args])


def finished_run(org, cycle, capture) -> Run:
    with capture(execute=True):
        run = run_request(organization=org, cycle=cycle, current=Q3, previous=Q2)
    run.refresh_from_db()
    assert run.status == Run.Status.SUCCEEDED, run.message
    return run


@pytest.fixture
def run(org, cycle, django_capture_on_commit_callbacks):
    company.build(org, theme_ids=company.theme_setup(org))
    return finished_run(org, cycle, django_capture_on_commit_callbacks)


# ---------------------------------------------------------------- who sees what


@pytest.mark.parametrize("page", PAGES)
def test_executive_and_viewer_see_each_page(client, executive, viewer, run, page):
    for member in (executive, viewer):
        client.force_login(member.user)
        response = client.get(url(run.organization, page))
        assert response.status_code == 200
        assert f"#{run.id}".encode() in response.content


@pytest.mark.parametrize("page", [*PAGES, "run_compare"])
def test_outsider_gets_404_and_anonymous_signs_in(client, outsider, org, cycle, page):
    assert client.get(url(org, page))["Location"].startswith("/accounts/login/")
    client.force_login(outsider.user)
    assert client.get(url(org, page)).status_code == 404


def test_outsider_gets_404_on_another_orgs_run_and_flag(client, outsider, org, cycle):
    run = RunFactory(cycle=cycle)
    flag = FlagFactory(cycle=cycle)
    client.force_login(outsider.user)
    own = outsider.organization.slug
    assert client.get(reverse("alignment:run_detail", args=[own, run.id])).status_code == 404
    assert client.get(reverse("alignment:flag_detail", args=[own, flag.id])).status_code == 404
    assert client.get(url(outsider.organization, "links") + f"?run={run.id}").status_code == 404


# ---------------------------------------------------------------- links page


def test_links_page_shows_stored_figures_intervals_and_simpson(client, executive, run):
    client.force_login(executive.user)
    response = client.get(url(run.organization, "links"))
    html = response.content.decode()
    smb = run.results["nps"]["SMB"]["current"]
    assert f"{smb['nps']:.1f}" in html
    assert f"[{smb['adjusted_low']:.0f}, {smb['adjusted_high']:.0f}]" in html
    vom = run.results["value_of_moving"]
    assert f"{vom['value']:,.0f}" in html
    assert vom["simpson"] is True and 'data-testid="simpson"' in html
    assert "Simpson" in html
    charts = response.context["charts"]
    assert [c["id"] for c in charts] == ["nps-by-segment", "churn-by-class", "clv-by-class"]
    links = run.results["links"]
    best = max(
        (n for n in links if n != "all"),
        key=lambda n: links[n]["current"]["churn_ratio_detractors_to_promoters"] or 0,
    )
    ratio = links[best]["current"]["churn_ratio_detractors_to_promoters"]
    assert charts[1]["reading"] == f"Detractors churn {ratio:.1f}× promoters in {best}."
    assert f"run #{run.id}" in charts[0]["source"] and "2026-07-01" in charts[0]["source"]
    assert "plotly-4.1.1-cxalign.min.js" in html and "data-plotly-json" in html


def test_links_page_segment_filter_keeps_all_and_the_segment(client, executive, run):
    client.force_login(executive.user)
    response = client.get(url(run.organization, "links") + "?segment=SMB")
    assert [r.name for r in response.context["data"]["rows"]] == ["all", "SMB"]


def test_links_page_without_cycle_offers_to_create_one(client, executive, org):
    client.force_login(executive.user)
    html = client.get(url(org, "links")).content.decode()
    assert "No planning cycle yet" in html
    assert reverse("strategy:cycles", args=[org.slug]) in html


def test_links_page_without_run_offers_first_recompute_to_cx_lead_only(
    client, cx_lead, viewer, cycle
):
    client.force_login(cx_lead.user)
    assert b'data-testid="start-first"' in client.get(url(cycle.organization, "links")).content
    client.force_login(viewer.user)
    html = client.get(url(cycle.organization, "links")).content
    assert b'data-testid="start-first"' not in html and b"No figures" in html


def test_links_page_with_run_in_progress_polls_its_progress(client, executive, cycle):
    active = RunFactory(cycle=cycle, status=Run.Status.RUNNING, progress=0.4, step="Reading")
    client.force_login(executive.user)
    html = client.get(url(cycle.organization, "links")).content.decode()
    progress_url = url(cycle.organization, "run_progress", active.id)
    assert f'hx-get="{progress_url}"' in html and 'hx-trigger="every 2s"' in html
    fragment = client.get(progress_url, HTTP_HX_REQUEST="true")
    assert b"40 %" in fragment.content and "HX-Refresh" not in fragment
    Run.objects.filter(id=active.id).update(status=Run.Status.SUCCEEDED)
    done = client.get(progress_url, HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"


def test_unfinished_run_asked_for_answers_404(client, executive, cycle):
    failed = RunFactory(cycle=cycle, status=Run.Status.FAILED)
    client.force_login(executive.user)
    assert client.get(url(cycle.organization, "links") + f"?run={failed.id}").status_code == 404


# ---------------------------------------------------------------- flags page


@pytest.fixture
def flags(cycle, manager):
    sales = OrgUnitFactory(organization=cycle.organization, name="Sales")
    return {
        "high": FlagFactory(
            cycle=cycle,
            severity="high",
            unit=sales,
            title="High one",
            subjects=[{"type": "goal", "id": 1, "label": "Grow", "url": "/g/1/"}],
            evidence={"nps": -12.5},
        ),  # fmt: skip
        "owned": FlagFactory(cycle=cycle, severity="medium", owner=manager, title="Owned one"),
        "low": FlagFactory(cycle=cycle, severity="low", rule="data_asked_twice", title="Low one"),
        "done": FlagFactory(cycle=cycle, severity="low", state="resolved", title="Gone one"),
    }


def test_flags_grouped_by_severity_with_counts_links_and_evidence(client, viewer, flags):
    client.force_login(viewer.user)
    response = client.get(url(viewer.organization, "flags"))
    html = response.content.decode()
    groups = response.context["groups"]
    assert [g["severity"] for g in groups] == ["high", "medium", "low"]
    assert groups[0]["units"][0]["unit"].name == "Sales"
    assert response.context["counts"]["low"] == {"open": 1, "acknowledged": 0}
    assert 'href="/g/1/"' in html and "-12.5" in html
    assert "Gone one" not in html  # resolved flags only with state=resolved or all
    assert "/acknowledge/" not in html  # a viewer cannot act


def test_flags_filters_stay_in_the_url(client, viewer, flags):
    client.force_login(viewer.user)
    response = client.get(url(viewer.organization, "flags") + "?rule=data_asked_twice&state=all")
    titles = [f.title for g in response.context["groups"] for u in g["units"] for f in u["flags"]]
    assert titles == ["Low one"]
    assert "rule=data_asked_twice&amp;state=all&amp;format=csv" in response.content.decode()
    resolved = client.get(url(viewer.organization, "flags") + "?state=resolved")
    assert b"Gone one" in resolved.content


def test_cx_lead_acknowledges_with_a_reason(client, cx_lead, flags):
    flag = flags["high"]
    client.force_login(cx_lead.user)
    back = url(cx_lead.organization, "flags") + "?severity=high"
    response = client.post(
        url(cx_lead.organization, "flag_acknowledge", flag.id),
        {"reason": "Hiring in Q1 fixes it", "version": flag.version, "next": back},
    )
    assert response.status_code == 302 and response["Location"] == back
    flag.refresh_from_db()
    assert flag.state == Flag.State.ACKNOWLEDGED
    assert flag.acknowledged_reason == "Hiring in Q1 fixes it" and flag.acknowledged_by == cx_lead
    detail = client.get(url(cx_lead.organization, "flag_detail", flag.id)).content.decode()
    assert "Hiring in Q1 fixes it" in detail and "Reopen" in detail


def test_acknowledge_without_reason_shows_the_services_message(client, cx_lead, flags):
    flag = flags["high"]
    client.force_login(cx_lead.user)
    response = client.post(
        url(cx_lead.organization, "flag_acknowledge", flag.id),
        {"reason": "  ", "version": flag.version},
        follow=True,
    )
    assert "Say why this flag is accepted for now." in response.content.decode()
    flag.refresh_from_db()
    assert flag.state == Flag.State.OPEN


def test_owner_acknowledges_own_flag_but_not_others(client, manager, flags):
    client.force_login(manager.user)
    org = manager.organization
    own, other = flags["owned"], flags["high"]
    client.post(url(org, "flag_acknowledge", own.id), {"reason": "Mine", "version": own.version})
    own.refresh_from_db()
    assert own.state == Flag.State.ACKNOWLEDGED
    response = client.post(
        url(org, "flag_acknowledge", other.id),
        {"reason": "Not mine", "version": other.version},
        follow=True,
    )
    assert "Only a CX lead, an executive or the flag" in response.content.decode()
    other.refresh_from_db()
    assert other.state == Flag.State.OPEN


def test_viewer_cannot_acknowledge(client, viewer, flags):
    flag = flags["high"]
    client.force_login(viewer.user)
    response = client.post(
        url(viewer.organization, "flag_acknowledge", flag.id), {"reason": "x", "version": 1}
    )
    assert response.status_code == 403
    flag.refresh_from_db()
    assert flag.state == Flag.State.OPEN


def test_reopen_and_history(client, executive, flags):
    flag = flags["high"]
    client.force_login(executive.user)
    org = executive.organization
    client.post(url(org, "flag_acknowledge", flag.id), {"reason": "Later", "version": 1})
    client.post(url(org, "flag_reopen", flag.id), {"version": 2})
    flag.refresh_from_db()
    assert flag.state == Flag.State.OPEN and flag.version == 3
    history = client.get(url(org, "flag_detail", flag.id)).context["history"]
    assert [h["state"] for h in history[:2]] == ["open", "acknowledged"]
    assert history[1]["acknowledged_reason"] == "Later"


def test_stale_version_is_refused_with_a_message(client, executive, flags):
    flag = flags["high"]
    client.force_login(executive.user)
    response = client.post(
        url(executive.organization, "flag_acknowledge", flag.id),
        {"reason": "Late", "version": flag.version + 5},
        follow=True,
    )
    assert "changed by someone else" in response.content.decode()


# ---------------------------------------------------------------- runs page


def test_recompute_form_starts_a_run_then_refuses_a_second(
    client, cx_lead, cycle, django_capture_on_commit_callbacks
):
    company.build(cycle.organization)
    client.force_login(cx_lead.user)
    org = cycle.organization
    form = {"cycle": cycle.id, "current_first": "2026-07-01", "current_last": "2026-09-30",
            "previous_first": "2026-04-01", "previous_last": "2026-06-30"}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(org, "runs"), form)
    run = Run.objects.get(organization=org)
    assert response["Location"] == url(org, "run_detail", run.id)
    assert run.status == Run.Status.SUCCEEDED and run.requested_by == cx_lead
    assert run.current_first == Q3[0] and run.previous_last == Q2[1]
    Run.objects.filter(id=run.id).update(status=Run.Status.RUNNING)
    again = client.post(url(org, "runs"), form)
    assert again.status_code == 200
    assert f"already running (run {run.id})" in again.content.decode()
    assert Run.objects.filter(organization=org).count() == 1


def test_recompute_form_needs_both_dates_of_a_period(client, cx_lead, cycle):
    client.force_login(cx_lead.user)
    response = client.post(url(cycle.organization, "runs"), {"cycle": cycle.id,
                                                             "current_first": "2026-07-01"})  # fmt: skip
    assert b"Give both dates of the current period" in response.content
    assert not Run.objects.exists()


def test_bad_period_dates_show_the_services_message(client, cx_lead, cycle):
    client.force_login(cx_lead.user)
    form = {"cycle": cycle.id, "current_first": "2026-07-01", "current_last": "2026-09-30",
            "previous_first": "2026-06-01", "previous_last": "2026-07-15"}  # fmt: skip
    response = client.post(url(cycle.organization, "runs"), form)
    assert b"must end before the current one starts" in response.content
    assert not Run.objects.exists()


def test_viewer_and_manager_cannot_recompute(client, viewer, manager, cycle):
    for member in (viewer, manager):
        client.force_login(member.user)
        assert client.post(url(cycle.organization, "runs"), {"cycle": cycle.id}).status_code == 403
        assert (
            b'data-testid="recompute-form"'
            not in client.get(url(cycle.organization, "runs")).content
        )
    assert not Run.objects.exists()


def test_runs_page_lists_provenance_and_failure_message(client, viewer, cycle):
    RunFactory(cycle=cycle, status=Run.Status.FAILED, message="The recompute stopped: boom")
    RunFactory(cycle=cycle, inputs={"responses_total": 1234, "customers_total": 56},
               flags_open=3, flags_new=2, flags_resolved=1)  # fmt: skip
    client.force_login(viewer.user)
    html = client.get(url(cycle.organization, "runs")).content.decode()
    assert "The recompute stopped: boom" in html
    assert "1,234" in html and "3 / 2 / 1" in html


def test_run_detail_and_compare(client, executive, run, django_capture_on_commit_callbacks):
    org = run.organization
    second = finished_run(org, run.cycle, django_capture_on_commit_callbacks)
    client.force_login(executive.user)
    detail = client.get(url(org, "run_detail", second.id)).content.decode()
    assert 'data-testid="run-progress"' in detail and "hx-get" not in detail
    response = client.get(url(org, "run_compare") + f"?a={run.id}&b={second.id}")
    rows = response.context["rows"]
    nps = next(r for r in rows if r["segment"] == "SMB" and r["figure"] == "NPS (points)")
    assert nps["a"] == run.results["nps"]["SMB"]["current"]["nps"]
    assert nps["diff"] == 0
    default = client.get(url(org, "run_compare")).context
    assert (default["a"].id, default["b"].id) == (run.id, second.id)


def test_run_detail_names_settings_steps_and_imports_in_words(client, viewer, cycle):
    run = RunFactory(
        cycle=cycle,
        settings={"followup_sla_hours": 48, "retired_setting": 1},
        timings={"customers_current": 0.5, "flags": 0.25, "themes": 0.125},
        inputs={"latest_imports": [{"id": 1, "kind": "feedback", "file_name": "nps.csv",
                                    "finished_at": "2026-11-02T09:30:00+00:00"}]},
    )  # fmt: skip
    client.force_login(viewer.user)
    html = client.get(url(cycle.organization, "run_detail", run.id)).content.decode()
    assert "Follow-up service level (hours)" in html and "Retired setting" in html
    assert "Customers&#x27; latest answers, current period (s)" in html
    assert "Flags raised (s)" in html and "Theme counts (s)" in html
    assert "finished 2 Nov 2026, 09:30" in html and "followup_sla_hours" not in html


# ---------------------------------------------------------------- query counts


def _more_flags(cycle, count):
    units = [OrgUnitFactory(organization=cycle.organization) for _ in range(3)]
    for i in range(count):
        owner = MembershipFactory(organization=cycle.organization, role=Role.MANAGER)
        FlagFactory(cycle=cycle, unit=units[i % 3], owner=owner, severity=["high", "low"][i % 2])


@pytest.mark.parametrize("page", PAGES)
def test_page_queries_do_not_grow(client, executive, cycle, page, django_assert_max_num_queries):
    client.force_login(executive.user)
    # The first page of the organization in a session also records it as the last used one.
    client.get(f"/o/{cycle.organization.slug}/?overview=1")
    RunFactory(cycle=cycle, results={"nps": {}, "links": {}})
    _more_flags(cycle, 2)
    with django_assert_max_num_queries(14):
        assert client.get(url(cycle.organization, page)).status_code == 200
    for _ in range(20):
        RunFactory(cycle=cycle, status=Run.Status.FAILED)
    _more_flags(cycle, 40)
    with django_assert_max_num_queries(14):
        assert client.get(url(cycle.organization, page)).status_code == 200
