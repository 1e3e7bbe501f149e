"""Strategy pages (strategy/views.py): tenancy, roles, friendly conflicts, htmx subtrees, flat
query counts, the import page, and the cascade's summary tiles, which open the goals they count
(issue "first run and daily use", item 5)."""

import re
import statistics
from decimal import Decimal

import pytest
from django.urls import reverse

from strategy import selectors, services
from strategy.models import CheckIn, Goal, GoalImport, GoverningModel
from tests.factories import (
    CapabilityFactory,
    DecisionFactory,
    GoalFactory,
    InitiativeFactory,
)
from tests.spreadsheets import write_bomb
from tests.strategy.cascades import bulk_cascade, grow
from tests.strategy.goal_files import csv_of
from tests.strategy.import_flow import apply_cascade, upload_cascade

pytestmark = pytest.mark.django_db


def url(name, org, *args):
    return reverse(f"strategy:{name}", args=[org.slug, *args])


@pytest.fixture
def pages(org, cascade, line, nps):
    initiative = InitiativeFactory(cycle=cascade["corp"].cycle, org_unit=line["desk"])
    decision = DecisionFactory(organization=org)
    capability = CapabilityFactory(organization=org)
    services.governing_models_ensure(organization=org)
    model = GoverningModel.objects.for_org(org).get(kind="risk")
    cycle = cascade["corp"].cycle
    return [
        url("cascade", org),
        url("cascade_children", org, cascade["corp"].pk),
        url("my_goals", org),
        url("goal_detail", org, cascade["desk"].pk),
        url("vision", org),
        url("models", org),
        url("cycles", org),
        url("commitments", org),
        url("initiatives", org),
        url("initiative_detail", org, initiative.pk),
        url("decisions", org),
        url("capabilities", org),
        url("cascade_export", org, "csv") + f"?cycle={cycle.pk}",
        url("cascade_export", org, "xlsx") + f"?cycle={cycle.pk}",
        reverse("kpis:kpi_list", args=[org.slug]),
        # edit pages (executive or manager only) are checked below
        f"EDIT:{url('goal_edit', org, cascade['desk'].pk)}",
        f"EDIT:{url('model_edit', org, model.pk)}",
        f"EDIT:{url('cycle_edit', org, cycle.pk)}",
        f"EDIT:{url('decision_edit', org, decision.pk)}",
        f"EDIT:{url('capability_edit', org, capability.pk)}",
        f"EDIT:{url('initiative_edit', org, initiative.pk)}",
        f"EDIT:{url('vision_edit', org)}",
        f"EDIT:{url('cascade_import', org)}",
        f"EDIT:{url('goal_create', org)}",
        f"EDIT:{reverse('kpis:kpi_edit', args=[org.slug, nps.pk])}",
    ]


def test_every_page_is_404_for_outsiders(client, outsider, pages):
    client.force_login(outsider.user)
    for path in pages:
        assert client.get(path.removeprefix("EDIT:")).status_code == 404, path


def test_viewer_reads_every_page_but_no_edit_page(client, viewer, pages):
    client.force_login(viewer.user)
    for path in pages:
        response = client.get(path.removeprefix("EDIT:"))
        expected = 403 if path.startswith("EDIT:") else 200
        assert response.status_code == expected, path


def test_executive_opens_every_page(client, executive, pages):
    client.force_login(executive.user)
    for path in pages:
        assert client.get(path.removeprefix("EDIT:")).status_code == 200, path


def test_viewer_posts_are_403(client, viewer, cascade, org):
    client.force_login(viewer.user)
    assert client.post(url("cycles", org), {"name": "x"}).status_code == 403
    assert client.post(url("decisions", org), {"title": "x"}).status_code == 403
    response = client.post(url("goal_detail", org, cascade["desk"].pk), {"statement": "x"})
    assert response.status_code == 403
    assert not CheckIn.objects.exists()


def test_anonymous_is_sent_to_sign_in(client, org, cycle):
    response = client.get(url("cascade", org))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_empty_org_pages_say_what_to_do_next(client, executive, org):
    client.force_login(executive.user)
    assert "No planning cycle yet" in client.get(url("cascade", org)).content.decode()
    assert "No planning cycle yet" in client.get(url("my_goals", org)).content.decode()
    assert "No decisions logged" in client.get(url("decisions", org)).content.decode()
    assert "No capabilities yet" in client.get(url("capabilities", org)).content.decode()
    assert "No vision written yet" in client.get(url("vision", org)).content.decode()


def test_cascade_filters_by_unit_leg_owner_and_status(client, viewer, cascade, line, org):
    client.force_login(viewer.user)
    page = client.get(url("cascade", org), {"unit": line["desk"].pk}).content.decode()
    assert 'data-testid="goal-DESK"' in page
    assert 'data-testid="goal-OTHER"' not in page
    page = client.get(url("cascade", org), {"owner": line["peer"].pk}).content.decode()
    assert 'data-testid="goal-OTHER"' in page and 'data-testid="goal-DESK"' not in page
    page = client.get(url("cascade", org), {"status": "achieved"}).content.decode()
    assert "No goal matches these filters" in page
    page = client.get(url("cascade", org), {"leg": "people"}).content.decode()
    assert "No goal matches" in page


def test_cascade_shows_top_levels_and_loads_deeper_goals_with_htmx(client, viewer, cascade, org):
    client.force_login(viewer.user)
    page = client.get(url("cascade", org)).content.decode()
    assert 'data-testid="goal-SVC"' in page
    assert 'data-testid="goal-DESK"' not in page  # third level: loaded on demand
    assert url("cascade_children", org, cascade["svc"].pk) in page
    fragment = client.get(url("cascade_children", org, cascade["svc"].pk), HTTP_HX_REQUEST="true")
    assert 'data-testid="goal-DESK"' in fragment.content.decode()
    assert "<html" not in fragment.content.decode()


def test_manager_logs_a_checkin_from_my_goals_and_sees_the_parent_move(client, cascade, line, org):
    client.force_login(line["lead"].user)
    page = client.get(url("my_goals", org)).content.decode()
    assert "DESK" in page and "Check-in due" in page
    response = client.post(
        url("goal_detail", org, cascade["desk"].pk),
        {"progress_percent": "80", "confidence": "on_track", "statement": "Rota live.",
         "next": url("my_goals", org)},
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == url("my_goals", org)
    page = client.get(url("my_goals", org)).content.decode()
    assert "All checked in" in page
    assert "80%" in page  # the goal above (SVC) rolls up to 80 %
    assert CheckIn.objects.get().statement == "Rota live."


def test_refused_checkin_keeps_the_statement(client, cascade, line, org):
    client.force_login(line["peer"].user)
    response = client.post(
        url("goal_detail", org, cascade["desk"].pk),
        {"progress_percent": "50", "confidence": "on_track", "statement": "My careful words"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "My careful words" in page and "Only the goal&#x27;s owner" in page


def test_stale_goal_edit_keeps_the_users_text(client, executive, cascade, org):
    svc = cascade["svc"]
    services.goal_update(goal=svc, data={"title": "Changed meanwhile"}, version=1)
    client.force_login(executive.user)
    data = {"parent": cascade["corp"].pk, "key": "SVC", "title": "My new title",
            "owner": svc.owner_id, "org_unit": svc.org_unit_id, "leg": "cx",
            "measure": "milestone", "weight": "3", "status": "active", "version": 1}  # fmt: skip
    response = client.post(url("goal_edit", org, svc.pk), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "changed by someone else" in page and "My new title" in page
    assert Goal.objects.get(pk=svc.pk).title == "Changed meanwhile"


def test_goal_form_rejects_bad_input_with_reasons(client, executive, cascade, org, nps):
    client.force_login(executive.user)
    corp = cascade["corp"]
    data = {"parent": cascade["desk"].pk, "key": "CORP", "title": "Corp", "owner": corp.owner_id,
            "leg": "cx", "measure": "rollup", "weight": "1", "status": "active", "version": 1}  # fmt: skip
    page = client.post(url("goal_edit", org, corp.pk), data).content.decode()
    assert "own sub-goals" in page
    data = {"cycle": corp.cycle_id, "title": "NPS", "owner": corp.owner_id, "leg": "cx",
            "measure": "kpi", "kpi": nps.pk, "baseline": "10", "target": "30", "weight": "0",
            "status": "active"}  # fmt: skip
    page = client.post(url("goal_create", org), data).content.decode()
    assert "positive" in page
    assert Goal.objects.count() == 4


def test_goal_form_accepts_a_top_level_goal_owned_outside_the_c_team(client, executive, cycle,
                                                                     manager, org):  # fmt: skip
    client.force_login(executive.user)
    data = {"cycle": cycle.pk, "title": "Side bet", "owner": manager.pk, "leg": "cx",
            "measure": "none", "weight": "1", "status": "active"}  # fmt: skip
    response = client.post(url("goal_create", org), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    goal = Goal.objects.get(title="Side bet")
    assert (goal.parent_id, goal.owner_id, goal.measure) == (None, manager.pk, "none")
    page = client.get(url("goal_detail", org, goal.pk)).content.decode()
    assert "Not measurable yet" in page and "Weighted roll-up" not in page


def test_carry_over_is_one_action(client, executive, cascade, org):
    from tests.factories import CycleFactory

    target = CycleFactory(organization=org, name="FY2027", status="preparing")
    client.force_login(executive.user)
    response = client.post(
        url("cycle_carry_over", org, cascade["corp"].cycle_id), {"target": target.pk}
    )
    assert response.status_code == 302
    assert Goal.objects.filter(cycle=target).count() == 4


def test_decision_page_requires_mitigation_or_override(client, executive, org):
    client.force_login(executive.user)
    data = {"title": "Close Saturdays", "decided_on": "2026-11-01", "customer_view": "disapprove",
            "customer_view_why": "Weekend restaurants need us."}  # fmt: skip
    page = client.post(url("decisions", org), data).content.decode()
    assert "describe a mitigation" in page
    response = client.post(url("decisions", org), {**data, "override": "on",
                                                   "override_reason": "No staff."})  # fmt: skip
    assert response.status_code == 302


def test_commitments_page_shows_who_has_not_committed(client, executive, cycle, org):
    client.force_login(executive.user)
    page = client.get(url("commitments", org)).content.decode()
    assert "No commitment yet" in page
    response = client.post(url("commitments", org), {"statement": "I sponsor the CX model."})
    assert response.status_code == 302
    page = client.get(url("commitments", org)).content.decode()
    assert "I sponsor the CX model." in page and "Everyone has committed" in page


def test_import_page_previews_bad_rows_then_applies_all_or_nothing(
    client, executive, cycle, org, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    client.force_login(executive.user)
    header = "key,title,parent key,owner username,org unit,leg,KPI,baseline,target,unit,weight,due date\n"
    bad, page = upload_cascade(client, capture, org, cycle, "g.csv",
                               (header + "A,Top,,ghost,,cx,,,,,1,\n").encode())  # fmt: skip
    assert "ghost" in page and "nothing will be imported" in page
    assert 'data-testid="import-apply"' not in page
    response, bad = apply_cascade(client, capture, org, bad)
    assert bad.status == GoalImport.Status.CHECKED and not Goal.objects.exists()
    good, page = upload_cascade(client, capture, org, cycle, "g.csv",
                                (header + f"A,Top,,{executive.user.username},,cx,,,,,1,\n").encode())  # fmt: skip
    assert "1 goal will be created" in page and "Import 1 goal<" in page
    assert not Goal.objects.exists()
    response, good = apply_cascade(client, capture, org, good)
    assert response.status_code == 302
    assert good.status == GoalImport.Status.SUCCEEDED
    assert Goal.objects.get().key == "A"
    page = client.get(response.url).content.decode()
    assert "1 goal(s) created, 0 updated" in page


LIST_PAGES = ["cascade", "my_goals", "cycles", "commitments", "initiatives", "decisions",
              "capabilities", "models", "vision"]  # fmt: skip


@pytest.mark.parametrize("name", LIST_PAGES + ["kpis"])
def test_list_page_queries_do_not_grow(
    client, executive, cascade, line, org, name, django_assert_max_num_queries
):
    cycle = cascade["corp"].cycle
    services.governing_models_ensure(organization=org)
    path = reverse("kpis:kpi_list", args=[org.slug]) if name == "kpis" else url(name, org)
    client.force_login(line["lead"].user if name == "my_goals" else executive.user)
    with django_assert_max_num_queries(16):
        assert client.get(path).status_code == 200
    grow(org, cycle, executive, line, 80)
    for goal in Goal.objects.filter(owner=line["lead"])[:3]:
        services.checkin_log(goal=goal, author=line["lead"], confidence="on_track",
                             statement="x", progress=Decimal("0.5"))  # fmt: skip
    with django_assert_max_num_queries(16):
        assert client.get(path).status_code == 200


def test_cascade_page_queries_stay_flat_for_a_deep_wide_cascade(
    client, executive, cascade, line, org, django_assert_max_num_queries
):
    cycle = cascade["corp"].cycle
    client.force_login(executive.user)
    with django_assert_max_num_queries(16) as small:
        client.get(url("cascade", org), {"unit": line["desk"].pk})
    parents = [cascade["desk"]]
    for _ in range(4):
        parents = [GoalFactory(cycle=cycle, parent=p, owner=line["lead"], org_unit=line["desk"])
                   for p in parents for _ in range(3)]  # fmt: skip
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(url("cascade", org), {"unit": line["desk"].pk}).content.decode()
    assert page.count('class="tree-node') > 100


def test_a_5000_goal_cascade_answers_in_the_same_number_of_queries(
    client, executive, cycle, org, django_assert_max_num_queries
):
    client.force_login(executive.user)
    page, tree = url("cascade", org), f"/api/v1/orgs/{org.slug}/goals/tree/?depth=2"
    bulk_cascade(cycle, executive, 600)
    with django_assert_max_num_queries(16) as small_page:
        assert client.get(page).status_code == 200
    with django_assert_max_num_queries(10) as small_api:
        assert client.get(tree).status_code == 200
    Goal.objects.filter(cycle=cycle).update(parent=None)
    Goal.objects.filter(cycle=cycle).delete()
    bulk_cascade(cycle, executive, 5000)
    with django_assert_max_num_queries(len(small_page.captured_queries)):
        response = client.get(page)
    assert "Showing the top levels (55 of 5000 goals)" in response.content.decode()
    with django_assert_max_num_queries(len(small_api.captured_queries)):
        data = client.get(tree).json()
    assert data["total"] == 5000 and data["shown"] == 55
    assert data["nodes"][0]["effective_progress"] == pytest.approx(0.5)


def test_manager_cannot_open_the_edit_page_of_a_goal_they_may_not_write(client, cascade, line, org):
    client.force_login(line["peer"].user)
    assert client.get(url("goal_edit", org, cascade["svc"].pk)).status_code == 403
    client.force_login(line["head"].user)
    assert client.get(url("goal_edit", org, cascade["desk"].pk)).status_code == 200


def test_my_goals_lists_the_team_goals_a_manager_may_check_in_on(
    client, executive, cascade, line, org, django_assert_max_num_queries
):
    client.force_login(line["head"].user)
    with django_assert_max_num_queries(18):
        page = client.get(url("my_goals", org)).content.decode()
    assert 'data-testid="team-goals"' in page and "DESK" in page
    grow(org, cascade["corp"].cycle, executive, line, 40)
    with django_assert_max_num_queries(18):
        page = client.get(url("my_goals", org)).content.decode()
    assert page.count("Check in</a>") == 41
    client.force_login(line["peer"].user)
    assert 'data-testid="team-goals"' not in client.get(url("my_goals", org)).content.decode()


def test_import_preview_says_what_each_row_will_do(
    client, executive, cascade, org, django_capture_on_commit_callbacks
):
    client.force_login(executive.user)
    header = "key,title,parent key,owner username,org unit,leg,KPI,baseline,target,unit,weight,due date\n"
    rows = (f"CORP,Corp again,,{executive.user.username},,cx,,,,,1,\n"
            f"NEW,Brand new,CORP,{executive.user.username},,cx,,,,,1,\n")  # fmt: skip
    _, page = upload_cascade(client, django_capture_on_commit_callbacks, org,
                             cascade["corp"].cycle, "g.csv", (header + rows).encode())  # fmt: skip
    assert "Updated" in page and "Created" in page and "Brand new" in page


def test_import_page_shows_warnings_and_still_imports(
    client, executive, cycle, org, people, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    client.force_login(executive.user)
    job, page = upload_cascade(client, capture, org, cycle, "g.csv",
                               csv_of(f"SIDE,Side,,{people['head']},,cx,,,,,1,"))  # fmt: skip
    assert 'data-testid="import-warnings"' in page
    assert "flagged as an orphan goal" in page and "Not measurable yet" in page
    response, job = apply_cascade(client, capture, org, job)
    assert response.status_code == 302
    assert Goal.objects.get(key="SIDE").owner.user.username == people["head"]


def test_import_page_refuses_a_bomb_and_warns_about_the_encoding(
    client, executive, cycle, org, people, tmp_path, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("strategy:cascade_import", args=[org.slug])
    client.force_login(executive.user)
    bomb = write_bomb(tmp_path / "bomb.xlsx", part="sheet", megabytes=10).read_bytes()
    page = client.post(url, {"cycle": cycle.pk, "file": SimpleUploadedFile("g.xlsx", bomb)})
    # Refused in the request (the zip's directory is read, nothing unpacked): no job is made.
    assert page.status_code == 200 and "zip bomb" in page.content.decode()
    assert not GoalImport.objects.exists()
    content = csv_of(f"TOP,Café crème,,{people['exec']},,cx,,,,,1,").decode().encode("cp1252")
    _, text = upload_cascade(client, django_capture_on_commit_callbacks, org, cycle, "g.csv",
                             content)  # fmt: skip
    assert 'data-testid="import-warnings"' in text and "not valid UTF-8" in text
    assert "Café crème" in text


def test_nul_in_a_goal_title_is_a_form_error_and_a_400(client, as_user, executive, cycle, org):
    client.force_login(executive.user)
    data = {"cycle": cycle.pk, "title": "Side\x00bet", "owner": executive.pk, "leg": "cx",
            "measure": "none", "weight": "1", "status": "active"}  # fmt: skip
    page = client.post(reverse("strategy:goal_create", args=[org.slug]), data)
    assert page.status_code == 200 and "Null characters are not allowed." in page.content.decode()
    body = {"cycle": cycle.pk, "title": "a\x00b", "owner": executive.pk, "leg": "cx",
            "measure": "milestone", "weight": "1"}  # fmt: skip
    api = as_user(executive).post(f"/api/v1/orgs/{org.slug}/goals/", body, format="json")
    assert api.status_code == 400 and api.json() == {"title": ["Null characters are not allowed."]}
    assert not Goal.objects.exists()


def cascade_url(org) -> str:
    return reverse("strategy:cascade", args=[org.slug])


def tiles(client, org) -> dict[str, dict]:
    page = client.get(cascade_url(org)).content.decode()
    return {m["name"]: m.groupdict() for m in TILE.finditer(page)}


def matched_on(client, org, href) -> int:
    page = client.get(cascade_url(org) + href.replace("&amp;", "&")).content.decode()
    found = MATCHED.search(page)
    assert found, page
    return int(found.group(1))


def test_each_count_tile_opens_exactly_the_goals_it_counts(client, viewer, org, cycle, mixed):
    client.force_login(viewer.user)
    shown = tiles(client, org)
    assert set(shown) == {"goals", "corporate", "attention", "no-checkin"}
    goals = Goal.objects.filter(cycle=cycle)
    expected = {
        "goals": goals.exclude(status="dropped").count(),
        "attention": goals.filter(status="active", confidence__in=["at_risk", "off_track"]).count(),
        "no-checkin": goals.filter(status="active", confidence="").count(),
    }
    assert expected == {"goals": 11, "attention": 2, "no-checkin": 2}
    for name, count in expected.items():
        assert int(shown[name]["value"]) == count, name
        assert matched_on(client, org, shown[name]["href"]) == count, name
    # The corporate tile opens the corporate goals that are not dropped.
    assert matched_on(client, org, shown["corporate"]["href"]) == 3


def test_corporate_progress_is_the_unrounded_mean_of_the_goals_its_tile_opens(
    client, viewer, org, cycle, mixed
):
    summary = selectors.cascade_tree(cycle=cycle).summary
    mean = statistics.fmean(float(g.progress) for g in mixed)  # dropped C-DROPPED left out
    assert summary["corporate_progress"] == pytest.approx(mean, rel=1e-12)
    assert summary["corporate_progress"] != round(summary["corporate_progress"], 2)
    client.force_login(viewer.user)
    assert tiles(client, org)["corporate"]["value"] == f"{mean * 100:.0f}%"


def test_no_checkin_tile_says_what_it_counts_not_the_legs(client, viewer, org, cycle, mixed):
    client.force_login(viewer.user)
    small = tiles(client, org)["no-checkin"]["small"]
    in_progress = Goal.objects.filter(cycle=cycle, status="active").count()
    assert "financial" not in small and "legs" not in small
    assert f"{2 / in_progress * 100:.0f}% of the {in_progress} goals in progress" in small
    summary = selectors.cascade_tree(cycle=cycle).summary
    assert summary["no_checkin_share"] == pytest.approx(2 / in_progress)


def test_an_on_track_goal_at_30_percent_has_a_green_bar(client, viewer, org, cycle, mixed):
    client.force_login(viewer.user)
    page = client.get(cascade_url(org), {"level": 1}).content.decode()
    goal = mixed[0]  # 30 % and on track
    bar = re.search(rf'data-testid="progress-{goal.id}".*?<div class="progress ([a-z]*)"', page)
    assert bar and bar.group(1) == "ok"
    assert re.search(rf'data-testid="goal-{goal.key}".*?On track', page, re.S)


def test_the_legend_explains_weights_and_colours(client, viewer, org, cycle, mixed):
    client.force_login(viewer.user)
    page = client.get(cascade_url(org)).content.decode()
    legend = re.search(r'data-testid="legend-weights">(.*?)</span>\s*</div>', page, re.S)
    assert legend and "counts twice as much" in legend.group(1)
    assert "off track or missed" in page


@pytest.mark.parametrize(
    "query",
    ["level=abc", "level=0", "level=99999999999999999999", "level=²", "confidence=zzz",
     "status=zzz", "confidence=attention&status=live&level=7"],
)  # fmt: skip
def test_bad_or_odd_filters_never_fail(client, viewer, org, cycle, mixed, query):
    client.force_login(viewer.user)
    assert client.get(cascade_url(org) + "?" + query).status_code == 200


def test_a_tile_list_reads_a_constant_number_of_queries(
    client, executive, org, cycle, mixed, line, django_assert_max_num_queries
):
    client.force_login(executive.user)
    query = {"status": "active", "confidence": "none"}
    with django_assert_max_num_queries(16) as small:
        assert client.get(cascade_url(org), query).status_code == 200
    for i in range(120):
        GoalFactory(cycle=cycle, key=f"MORE-{i}", parent=mixed[i % 3], owner=line["lead"],
                    org_unit=line["desk"], confidence="" if i % 2 else "at_risk")  # fmt: skip
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(cascade_url(org), query).content.decode()
    assert MATCHED.search(page).group(1) == str(2 + 60)


TILE = re.compile(
    r'<a class="card stat tile" href="(?P<href>[^"]+)" data-testid="tile-(?P<name>[a-z-]+)">'
    r'<span class="label">[^<]*</span><span class="value">(?P<value>[^<]*)</span>'
    r"<small>(?P<small>.*?)</small>",
    re.S,
)


MATCHED = re.compile(r"(\d+) of (\d+) goals match")
