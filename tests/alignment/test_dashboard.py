"""The alignment dashboard: roles, the setup path, filters, figures against an independent
computation, each chart's CSV, landing pages, and a query count that does not grow."""

import csv
import datetime
import html
import io

import numpy as np
import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.utils import timezone

from alignment import dashboard, services
from alignment.models import Flag
from cxalign.orgs import stamps
from cxalign.orgs.roles import Role
from tests.alignment import company
from tests.factories import (
    CheckInFactory,
    CommitmentFactory,
    CycleFactory,
    FlagFactory,
    GoalFactory,
    MembershipFactory,
    OrgUnitFactory,
    StageFactory,
    TouchpointFactory,
)

pytestmark = pytest.mark.django_db

Q2 = (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))
Q3 = (datetime.date(2026, 7, 1), datetime.date(2026, 9, 30))


def _url(org, query=""):
    return f"/o/{org.slug}/alignment/dashboard/" + (f"?{query}" if query else "")


def _csv_url(org, chart, query=""):
    return f"/o/{org.slug}/alignment/dashboard/chart.csv?chart={chart}" + (
        f"&{query}" * bool(query)
    )


def _csv(response) -> list[dict]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/csv")
    text = response.getvalue().decode("utf-8-sig")  # streamed, with a BOM for Excel
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # charts are cached by run id; ids are reused between tests
    yield
    cache.clear()


@pytest.fixture
def cycle(org):
    today = timezone.localdate()
    return CycleFactory(organization=org, name="FY2027",
                        starts_on=today - datetime.timedelta(days=30),
                        ends_on=today + datetime.timedelta(days=330))  # fmt: skip


def build_company(org, cycle, *, goals: int = 3, flags: int = 2, extra_touchpoints: int = 0):
    """The planted company, its journeys, a small cascade, flags, and one finished run."""
    sales = OrgUnitFactory(organization=org, name="Sales")
    support = OrgUnitFactory(organization=org, name="Support")
    ceo = MembershipFactory(organization=org, role=Role.EXECUTIVE, user__first_name="Cleo",
                            user__last_name="Chief")  # fmt: skip
    MembershipFactory(organization=org, role=Role.EXECUTIVE, user__first_name="Fin",
                      user__last_name="Silent")  # fmt: skip
    corporate = GoalFactory(cycle=cycle, owner=ceo, parent=None, title="Delight every shop")
    CommitmentFactory(cycle=cycle, executive=ceo, goal=corporate,
                      statement="=HYPERLINK(\"x\") I review NPS monthly")  # fmt: skip
    for i in range(goals):
        GoalFactory(cycle=cycle, parent=corporate, org_unit=sales if i % 2 else support,
                    leg=("cx", "financial", "people")[i % 3], confidence="on_track")  # fmt: skip
    for i in range(flags):
        FlagFactory(cycle=cycle, unit=sales if i % 2 else support, severity="high",
                    title=f"Flag {i}", magnitude=float(i))  # fmt: skip
    journey_map(org, extra_touchpoints)
    company.build(org, theme_ids=company.theme_setup(org))
    run = services.run_request(organization=org, cycle=cycle, enqueue=False,
                               current=Q3, previous=Q2)  # fmt: skip
    services.run_compute(run_id=run.id)
    run = services.run_publish(run_id=run.id)
    return {"run": run, "sales": sales, "support": support, "ceo": ceo, "corporate": corporate}


def journey_map(org, extra: int = 0):
    """Checkout in "Buy" for Shops; Delivery in "Receive" for Shops; Support call in
    "Receive" for Chains (the company's responses name these touchpoints)."""
    buy = StageFactory(organization=org, journey__audience__organization=org,
                       journey__audience__name="Shops", name="Buy", position=1)  # fmt: skip
    receive = StageFactory(organization=org, journey=buy.journey, name="Receive", position=2)
    chains = StageFactory(organization=org, journey__audience__organization=org,
                          journey__audience__name="Chains", name="Receive", position=1)  # fmt: skip
    TouchpointFactory(organization=org, stage=buy, name="Checkout")
    TouchpointFactory(organization=org, stage=receive, name="Delivery")
    TouchpointFactory(organization=org, stage=chains, name="Support call")
    for i in range(extra):
        TouchpointFactory(organization=org, stage=chains, name=f"Unanswered {i}")


# ---------------------------------------------------------------- roles and the empty state


def test_viewer_reads_outsider_gets_404_anonymous_goes_to_login(client, org, viewer, outsider):
    assert client.get(_url(org)).status_code == 302
    assert "/accounts/login/" in client.get(_url(org))["Location"]
    client.force_login(viewer.user)
    assert client.get(_url(org)).status_code == 200
    assert client.get(_csv_url(org, "flags")).status_code == 200
    client.force_login(outsider.user)
    assert client.get(_url(org)).status_code == 404
    assert client.get(_csv_url(org, "flags")).status_code == 404


def test_empty_organization_sees_the_setup_path(client, org, executive):
    client.force_login(executive.user)
    response = client.get(_url(org))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="setup"' in html and "0 of 6" in html
    assert [s["done"] for s in response.context["steps"]] == [False] * 6
    assert f'href="/o/{org.slug}/strategy/cycles/"' in html
    assert f'href="/o/{org.slug}/feedback/imports/"' in html
    CycleFactory(organization=org)
    steps = {s["key"]: s["done"] for s in client.get(_url(org)).context["steps"]}
    assert steps == {"vision": False, "cycle": True, "cascade": False, "journeys": False,
                     "feedback": False, "recompute": False}  # fmt: skip
    assert _csv(client.get(_csv_url(org, "nps"))) == []


def test_bad_ids_are_404_and_an_unknown_chart_is_400(client, org, executive, cycle, other_org):
    client.force_login(executive.user)
    foreign = CycleFactory(organization=other_org)
    for query in (
        "cycle=abc",
        f"cycle={foreign.id}",
        "unit=99999999",
        "run=x",
        "cycle=" + "9" * 30,
    ):
        assert client.get(_url(org, query)).status_code == 404, query
    response = client.get(_csv_url(org, "secrets"))
    assert response.status_code == 400 and "Unknown chart" in response.content.decode()


# ---------------------------------------------------------------- figures and filters


@pytest.fixture
def built(org, cycle):
    return build_company(org, cycle)


def test_dashboard_shows_every_panel_with_source_and_drill_downs(client, org, executive, built):
    client.force_login(executive.user)
    response = client.get(_url(org))
    html = response.content.decode()
    run = built["run"]
    for chart in ("nps-by-segment", "churn-by-class", "clv-by-class", "moving", "flags",
                  "cascade", "journey", "engagement"):  # fmt: skip
        assert f'data-testid="chart-{chart}"' in html, chart
    assert html.count(f"run #{run.id}") >= 5  # each run chart names its run
    assert "Detractors churn" in html and 'data-testid="simpson"' in html
    assert f'href="/o/{org.slug}/alignment/?run={run.id}"' in html
    assert f"/o/{org.slug}/alignment/flags/?cycle={run.cycle_id}" in html
    assert f"/o/{org.slug}/strategy/cascade/?cycle={run.cycle_id}" in html
    themes = response.context["panels"]["themes"]["themes"]
    assert ('data-testid="chart-themes"' in html) == bool(themes)
    assert html.count('data-testid="verbatim"') == sum(len(t["comments"]) for t in themes)
    assert "Fin Silent" in html and "No contribution stated yet" in html
    readiness = response.context["panels"]["readiness"]
    assert 'data-testid="readiness"' in html and readiness.countdown in html
    assert len(readiness.items) == 5


def test_a_link_naming_an_older_cycles_run_shows_that_cycle(client, org, executive, built):
    run = built["run"]
    later = CycleFactory(organization=org, name="Later", starts_on=timezone.localdate(),
                         ends_on=timezone.localdate() + datetime.timedelta(days=400))  # fmt: skip
    client.force_login(executive.user)
    filters = client.get(_url(org, f"run={run.id}")).context["filters"]
    assert (filters.cycle, filters.run) == (run.cycle, run)
    assert client.get(_url(org, f"run={run.id}&cycle={later.id}")).status_code == 404


def test_segment_filter_narrows_the_money_panels(client, org, executive, built):
    client.force_login(executive.user)
    panels = client.get(_url(org, "segment=SMB")).context["panels"]
    money = panels["money"]
    stored = built["run"].results
    assert money["segment"] == "SMB"
    assert money["nps"]["current"]["nps"] == stored["nps"]["SMB"]["current"]["nps"]
    assert money["links"]["revenue_at_risk"] == stored["links"]["SMB"]["current"]["revenue_at_risk"]
    assert money["moving"] == stored["value_of_moving"]["segments"]["SMB"]
    assert not money["simpson"]  # the warning is about pooling; one segment is not pooled
    nps_html = next(c for c in money["charts"] if c["id"] == "nps-by-segment")["html"]
    assert "SMB" in nps_html and "Enterprise" not in nps_html
    assert "Enterprise" in client.get(_url(org)).content.decode()
    rows = _csv(client.get(_csv_url(org, "nps", "segment=SMB")))
    assert {r["segment"] for r in rows} == {"all", "SMB"}
    # a segment the run does not know is ignored, never a 500
    assert client.get(_url(org, "segment=Nope")).context["filters"].segment == ""


def test_unit_filter_narrows_flags_cascade_and_engagement(client, org, executive, built):
    client.force_login(executive.user)
    sales = built["sales"]
    everything = client.get(_url(org)).context["panels"]
    panels = client.get(_url(org, f"unit={sales.id}")).context["panels"]
    assert {r["unit"] for r in panels["flags"]["rows"]} == {"Sales"}
    assert all(f.unit_id == sales.id for f in panels["flags"]["top"])
    assert panels["flags"]["total"] < everything["flags"]["total"]
    assert panels["cascade"]["total"] == 1 and everything["cascade"]["total"] == 4
    assert {r["unit"] for r in panels["engagement"]["rows"]} == {"Sales"}


def test_journey_heatmap_matches_an_independent_computation(client, org, executive, built):
    client.force_login(executive.user)
    rows = _csv(client.get(_csv_url(org, "journey")))
    responses, _ = company.frames(org)
    now = company.in_period(responses, *Q3)
    now = now[now["nps"].notna()]
    cells = {("Buy", "Shops"): ["Checkout"], ("Receive", "Shops"): ["Delivery"],
             ("Receive", "Chains"): ["Support call"]}  # fmt: skip
    assert {(r["stage"], r["audience"]) for r in rows} == set(cells)
    for row in rows:
        scores = now[now["touchpoint_name"].isin(cells[(row["stage"], row["audience"])])]["nps"]
        scores = scores.astype(float).to_numpy()
        expected = 100 * (np.sum(scores >= 9) - np.sum(scores <= 6)) / len(scores)
        assert int(row["responses"]) == len(scores)
        assert float(row["nps"]) == pytest.approx(expected, abs=1e-9)


def test_cascade_health_matches_an_independent_count(org, cycle, executive):
    ceo = MembershipFactory(organization=org, role=Role.EXECUTIVE)
    units = [OrgUnitFactory(organization=org, name=f"U{i}") for i in range(3)]
    top = GoalFactory(cycle=cycle, owner=ceo, parent=None, leg="cx")
    GoalFactory(cycle=cycle, owner=executive, parent=None, leg="financial")
    orphan = GoalFactory(cycle=cycle, parent=None, leg="people", org_unit=units[2])
    legs = ["cx", "cx", "financial", "people", "people", "cx", "financial"]
    for i, leg in enumerate(legs):
        GoalFactory(cycle=cycle, parent=top if i < 5 else orphan, leg=leg, org_unit=units[i % 2])
    GoalFactory(cycle=cycle, parent=top, leg="cx", org_unit=units[2], status="dropped")
    health = dashboard.cascade_panel(organization=org, cycle=cycle)
    all_legs = np.array(["cx", "financial", "people", *legs])
    shares = {leg: np.mean(all_legs == leg) for leg in ("cx", "financial", "people")}
    assert {row["leg"]: row["share"] for row in health["legs"]} == pytest.approx(shares, abs=1e-9)
    assert health["total"] == 10
    assert (health["units_with_cx"], health["units_with_goals"]) == (2, 3)
    assert health["corporate"] == 2  # the orphan's owner is not on the C-team
    assert health["contributing_share"] == pytest.approx(7 / 8, abs=1e-9)
    assert html.unescape(health["chart"]["html"]).count('"sunburst"') == 1


def test_flag_and_engagement_panels_count_what_the_rows_say(org, cycle, executive):
    unit = OrgUnitFactory(organization=org, name="Ops")
    owner = MembershipFactory(organization=org, role=Role.MANAGER, unit=unit)
    old = timezone.now() - datetime.timedelta(days=60)
    for i in range(4):
        GoalFactory(cycle=cycle, owner=owner, org_unit=unit, parent=None,
                    last_checkin_at=timezone.now() if i == 0 else old)  # fmt: skip
    for severity, state in [("high", "open"), ("high", "acknowledged"), ("low", "open"),
                            ("medium", "resolved")]:  # fmt: skip
        FlagFactory(cycle=cycle, unit=unit, severity=severity, state=state, title=severity)
    flags = dashboard.flags_panel(organization=org, cycle=cycle)
    assert flags["by_severity"] == {"high": 2, "medium": 0, "low": 1}
    assert [f.severity for f in flags["top"]] == ["high", "high", "low"]
    engagement = dashboard.engagement_panel(organization=org, cycle=cycle)
    (row,) = engagement["rows"]
    assert (row["goals"], row["checked_in"], row["owed"]) == (4, 1, 3)
    assert row["share"] == pytest.approx(0.25, abs=1e-9)
    assert len(engagement["owed"]) == 3


# ---------------------------------------------------------------- CSV


def test_each_chart_csv_holds_the_stored_figures(client, org, executive, built):
    client.force_login(executive.user)
    run = built["run"]
    rows = _csv(client.get(_csv_url(org, "churn")))
    smb = {r["class"]: r for r in rows if r["segment"] == "SMB"}
    stored = run.results["links"]["SMB"]["current"]
    for cls in ("promoters", "passives", "detractors"):
        assert float(smb[cls]["churn_rate"]) == pytest.approx(stored[cls]["churn_rate"], abs=1e-12)
        assert int(smb[cls]["customers"]) == stored[cls]["customers"]
    response = client.get(_csv_url(org, "nps"))
    assert f"run{run.id}" in response["Content-Disposition"]
    nps = {(r["segment"], r["period"]): r for r in _csv(response)}
    assert float(nps[("all", "current")]["nps"]) == pytest.approx(
        run.results["nps"]["all"]["current"]["nps"], abs=1e-12
    )
    for chart in dashboard.CHARTS:
        rows = _csv(client.get(_csv_url(org, chart)))
        assert rows or chart == "themes", chart  # no theme of the planted company grows


def test_csv_neutralises_formulas(client, org, executive, built):
    client.force_login(executive.user)
    rows = _csv(client.get(_csv_url(org, "commitments")))
    stated = next(r for r in rows if r["executive"] == "Cleo Chief")
    assert stated["statement"].startswith("'=HYPERLINK")
    assert next(r for r in rows if r["executive"] == "Fin Silent")["stated"] == "False"


# ---------------------------------------------------------------- landing


@pytest.mark.parametrize(
    ("role", "target"),
    [("executive", "alignment/dashboard/"), ("cx_lead", "alignment/dashboard/"),
     ("manager", "alignment/me/"), ("viewer", None), ("member", None)],
)  # fmt: skip
def test_each_role_lands_on_its_home(client, org, role, target):
    member = MembershipFactory(organization=org, role=role)
    client.force_login(member.user)
    home = f"/o/{org.slug}/"
    expected = home + target if target else home
    assert client.get("/")["Location"] == expected
    overview = client.get(home)
    if target:
        assert overview.status_code == 302 and overview["Location"] == expected
    else:
        assert overview.status_code == 200
    assert client.get(home + "?overview=1").status_code == 200


def test_sidebar_opens_the_alignment_section_with_the_dashboard(client, org, viewer):
    client.force_login(viewer.user)
    html = client.get(f"/o/{org.slug}/?overview=1").content.decode()
    links = [html.find(f'href="/o/{org.slug}/alignment/{p}"') for p in ("dashboard/", "")]
    assert -1 < links[0] < links[1]


# ---------------------------------------------------------------- speed


def test_query_count_is_flat_at_two_data_sizes(
    client, org, executive, cycle, django_assert_max_num_queries
):
    built = build_company(org, cycle, goals=3, flags=2)
    client.force_login(executive.user)
    client.get(_url(org))  # warm the URLconf
    cache.clear()  # measure the page as rendered, not as served from the cache
    with django_assert_max_num_queries(32) as small:
        assert client.get(_url(org)).status_code == 200
    corporate = built["corporate"]
    for i in range(120):
        if i % 4 == 0:
            MembershipFactory(organization=org, role=Role.EXECUTIVE)
        GoalFactory(cycle=cycle, parent=corporate, org_unit=built["sales"], leg="cx",
                    last_checkin_at=timezone.now() - datetime.timedelta(days=90 * (i % 2)))  # fmt: skip
        FlagFactory(cycle=cycle, unit=built["support"], severity=("high", "low")[i % 2])
        OrgUnitFactory(organization=org)
    stage = StageFactory(organization=org, journey__audience__organization=org, name="Later")
    for i in range(40):
        TouchpointFactory(organization=org, stage=stage, name=f"Unanswered {i}")
    cache.clear()
    with django_assert_max_num_queries(len(small)) as large:
        response = client.get(_url(org, f"segment=SMB&unit={built['sales'].id}"))
        assert response.status_code == 200
    cache.clear()
    with django_assert_max_num_queries(len(small)):
        assert client.get(_url(org)).status_code == 200
    assert len(large) <= len(small)
    assert response.context["panels"]["cascade"]["total"] == 121  # Sales' goals
    assert Flag.objects.filter(cycle=cycle).count() >= 122


def test_rising_themes_show_three_verbatims_each(client, viewer, org, brief_data):  # noqa: F811
    run = brief_data["run"]
    for entry in run.results["nps"].values():  # the brief's figures have no previous period
        entry["previous"] = entry["current"]
    run.save(update_fields=["results"])
    client.force_login(viewer.user)
    response = client.get(_url(org))
    assert response.status_code == 200  # a run with only some figures stored: never a 500
    html = response.content.decode()
    assert 'data-testid="chart-themes"' in html
    assert "“Late delivery” grew 3.0× to 15.0 % of answers." in html
    assert [f"Truck late again {i}" in html for i in range(5)] == [False, False, True, True, True]
    assert "Truck late in December" not in html
    rows = _csv(client.get(_csv_url(org, "themes")))
    assert [(r["theme"], float(r["share_ratio"])) for r in rows] == [
        ("Late delivery", 3.0),
        ("Slow refunds", 2.5),
    ]


def _served(client, org, query=""):
    """The page, and whether it came whole from the person's page cache (no template)."""
    response = client.get(_url(org, query))
    assert response.status_code == 200
    return response.content.decode(), response.context is None


def test_served_from_cache_until_any_data_changes(
    client, org, executive, cycle, django_assert_max_num_queries
):
    built = build_company(org, cycle, goals=3, flags=2)
    client.force_login(executive.user)
    response = client.get(_url(org))  # rendered; the visit is recorded (the person read anew)
    total = response.context["panels"]["flags"]["total"]
    with django_assert_max_num_queries(2):  # the signed-in person, read again once
        again = client.get(_url(org))
    assert "panels" not in again.context  # the panels came from their cache
    with django_assert_max_num_queries(0):  # session, person, stamp and page: all cached
        page, whole = _served(client, org)
    assert whole and f"{total} flags in all" in page
    flag = Flag.objects.filter(cycle=cycle).unresolved().order_by("id").first()
    flag.state = Flag.State.RESOLVED
    flag.save()
    fresh = client.get(_url(org))
    assert fresh.context["panels"]["flags"]["total"] == total - 1
    assert f"{total - 1} flags in all" in fresh.context["content"]
    GoalFactory(cycle=cycle, parent=built["corporate"], confidence="off_track")
    assert "1 off track" in client.get(_url(org)).content.decode()
    assert _served(client, org)[1]
    CheckInFactory(goal=built["corporate"], author=executive)  # a check-in alone: rendered anew
    assert "panels" in client.get(_url(org)).context


def _token(page: str) -> str:
    return page.split('<meta name="csrf-token" content="')[1].split('"')[0]


def test_a_cached_page_carries_each_requests_own_csrf_token(org, executive, cycle):
    build_company(org, cycle, goals=1, flags=1)
    client = Client(enforce_csrf_checks=True)
    client.force_login(executive.user)
    for _ in range(2):
        _served(client, org)
    page, whole = _served(client, org)
    assert whole and "cx-csrf-" not in page
    assert f'name="csrfmiddlewaretoken" value="{_token(page)}"' in page  # the sign-out form
    signed_out = client.post("/accounts/logout/", {"csrfmiddlewaretoken": _token(page)})
    assert signed_out.status_code == 200  # "signed out", not 403: the token was the session's
    assert client.get(_url(org)).status_code == 302


def test_each_person_gets_their_own_page(org, executive, cycle):
    build_company(org, cycle, goals=1, flags=1)
    lead = MembershipFactory(organization=org, role=Role.CX_LEAD, user__first_name="Lea",
                             user__last_name="Lead")  # fmt: skip
    executive.user.first_name, executive.user.last_name = "Ezra", "Exec"
    executive.user.save()
    pages = {}
    for membership in (executive, lead):
        client = Client()
        client.force_login(membership.user)
        for _ in range(3):
            pages[membership.pk] = _served(client, org)
    assert pages[executive.pk][1] and pages[lead.pk][1]  # both served whole from the cache
    menu = '</span>{} <span class="muted">▾'  # the signed-in person's menu
    assert menu.format("Ezra Exec") in pages[executive.pk][0]
    assert menu.format("Lea Lead") in pages[lead.pk][0]
    assert menu.format("Lea Lead") not in pages[executive.pk][0]
    assert menu.format("Ezra Exec") not in pages[lead.pk][0]


def test_a_message_is_shown_once_not_cached(client, org, executive, cycle):
    build_company(org, cycle, goals=1, flags=1)
    client.force_login(executive.user)
    for _ in range(3):
        _served(client, org)
    note = [Message(constants.SUCCESS, "Flag acknowledged.")]
    client.cookies[CookieStorage.cookie_name] = CookieStorage(RequestFactory().get("/"))._encode(
        note
    )
    page, whole = _served(client, org)
    assert not whole and "Flag acknowledged." in page
    page, whole = _served(client, org)
    assert whole and "Flag acknowledged." not in page


def test_a_write_by_any_page_renews_the_page(client, org, admin, executive, cycle):
    """A write the signals do not see (the settings page saves the organization; a bulk
    update in a service would do the same) still renews the stamp: the tenancy base forgets it
    after every write request."""
    build_company(org, cycle, goals=1, flags=1)
    client.force_login(executive.user)
    for _ in range(3):
        _served(client, org)
    generation = stamps.GENERATION_KEY.format(org.id)
    cache.set(generation, "before the write", 60)
    Client().post(f"/o/{org.slug}/settings/", {})  # signed out: no write, nothing forgotten
    assert cache.get(generation) == "before the write"
    writer = Client()
    writer.force_login(admin.user)
    writer.post(f"/o/{org.slug}/settings/", {})  # refused form: still a write request
    assert cache.get(generation) not in (None, "before the write")


def test_a_finished_run_renews_the_page(client, org, executive, cycle):
    built = build_company(org, cycle, goals=1, flags=1)
    client.force_login(executive.user)
    for _ in range(3):
        page, _whole = _served(client, org)
    assert f"run #{built['run'].id}" in page
    run = services.run_request(
        organization=org, cycle=cycle, enqueue=False, current=Q3, previous=Q2
    )
    services.run_compute(run_id=run.id)
    for _ in range(2):  # the computed run is not shown yet: the page is served whole again
        page, whole = _served(client, org)
    assert whole and f"run #{run.id}" not in page
    services.run_publish(run_id=run.id)  # finished with update(): no signal
    page, whole = _served(client, org)
    assert not whole and f"run #{run.id}" in page


def test_only_canonical_filters_are_cached(client, org, executive, cycle):
    """A made-up segment or a padded id shows the page but fills no cache; a parameter the
    page does not read shares the page without it."""
    build_company(org, cycle, goals=1, flags=1)
    client.force_login(executive.user)
    for _ in range(3):
        _served(client, org)
    for query in ("segment=made-up", f"cycle=00{cycle.id}"):
        for _ in range(3):
            assert not _served(client, org, query)[1]
    assert _served(client, org, "utm_source=mail")[1]
    for _ in range(3):
        page, whole = _served(client, org, "segment=SMB")
    assert whole and 'value="SMB" selected' in page


def test_reset_shows_when_the_url_names_a_filter(client, org, executive, cycle):
    build_company(org, cycle, goals=1, flags=1)
    client.force_login(executive.user)
    reset = ">Reset</a>"
    assert reset not in _served(client, org, "utm_source=mail")[0]
    assert reset not in _served(client, org)[0]  # the panels cached above, rightly
    assert reset in _served(client, org, "segment=SMB")[0]
