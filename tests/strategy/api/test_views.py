"""The strategy API: tenancy, roles, rules as 400s, versions as 409s, flat query counts."""

import io
from decimal import Decimal

import pytest

from kpis.models import Measurement
from strategy import services
from strategy.models import CheckIn, Commitment, Goal, GoverningModel, KeyChoice
from tests.factories import (
    CapabilityFactory,
    CycleFactory,
    DecisionFactory,
    GoalFactory,
    InitiativeFactory,
)
from tests.strategy.cascades import grow
from tests.strategy.goal_files import csv_of

pytestmark = pytest.mark.django_db


def api(org, path=""):
    return f"/api/v1/orgs/{org.slug}/{path}"


@pytest.fixture
def world(org, cycle, cascade, line, executive, nps):
    """One object of every kind in `org`."""
    model = GoverningModel.objects.create(organization=org, kind="risk", owner=executive)
    choice = KeyChoice.objects.create(
        organization=org, model=model, text="Supplier failure", likelihood=2, impact=3
    )
    checkin = services.checkin_log(
        goal=cascade["desk"], author=line["lead"], confidence="on_track", statement="Fine",
        progress=Decimal("0.5"),
    )  # fmt: skip
    commitment = Commitment.objects.create(
        organization=org, cycle=cycle, executive=executive, statement="I sponsor it."
    )
    initiative = InitiativeFactory(cycle=cycle, org_unit=line["desk"])
    effect = services.effect_create(initiative=initiative, kpi=nps, direction="up", amount=3)
    decision = DecisionFactory(organization=org)
    capability = CapabilityFactory(organization=org)
    measurement = Measurement.objects.create(
        organization=org, kpi=nps, measured_on="2026-10-01", value=Decimal(20)
    )
    services.vision_get(organization=org)
    return {
        "governing-models": model,
        "key-choices": choice,
        "cycles": cycle,
        "goals": cascade["desk"],
        "checkins": checkin,
        "commitments": commitment,
        "initiatives": initiative,
        "initiative-effects": effect,
        "decisions": decision,
        "capabilities": capability,
        "kpis": nps,
        "kpi-measurements": measurement,
    }


RESOURCES = [
    "governing-models",
    "key-choices",
    "cycles",
    "goals",
    "checkins",
    "commitments",
    "initiatives",
    "initiative-effects",
    "decisions",
    "capabilities",
    "kpis",
    "kpi-measurements",
]
EXTRA_GETS = ["vision/", "goals/tree/", "goals/export/", "goals/export/?as=xlsx"]


@pytest.mark.parametrize("resource", RESOURCES)
def test_outsider_gets_404_on_list_detail_and_write(as_user, outsider, world, org, resource):
    client = as_user(outsider)
    obj = world[resource]
    assert client.get(api(org, f"{resource}/")).status_code == 404
    assert client.get(api(org, f"{resource}/{obj.pk}/")).status_code == 404
    assert client.get(api(org, f"{resource}/{obj.pk}/history/")).status_code == 404
    assert client.post(api(org, f"{resource}/"), {}).status_code == 404
    assert client.patch(api(org, f"{resource}/{obj.pk}/"), {"version": 1}).status_code in (404, 405)


@pytest.mark.parametrize("path", EXTRA_GETS + ["goals/import/", "cycles/{cycle}/carry-over/"])
def test_outsider_gets_404_on_actions(as_user, outsider, world, org, path):
    url = api(org, path.format(cycle=world["cycles"].pk))
    client = as_user(outsider)
    response = client.post(url, {}) if "import" in path or "carry" in path else client.get(url)
    assert response.status_code == 404


def test_outsider_cannot_reach_objects_through_their_own_org(as_user, outsider, world):
    client = as_user(outsider)
    url = api(outsider.organization, f"goals/{world['goals'].pk}/")
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("resource", RESOURCES)
def test_viewer_reads_but_cannot_write(as_user, viewer, world, org, resource):
    client = as_user(viewer)
    obj = world[resource]
    assert client.get(api(org, f"{resource}/")).status_code == 200
    assert client.get(api(org, f"{resource}/{obj.pk}/")).status_code == 200
    assert client.post(api(org, f"{resource}/"), {}).status_code == 403
    assert client.patch(api(org, f"{resource}/{obj.pk}/"), {"version": 1}).status_code in (403, 405)
    assert client.delete(api(org, f"{resource}/{obj.pk}/")).status_code in (403, 405)


@pytest.mark.parametrize("path", EXTRA_GETS)
def test_viewer_reads_the_extra_views(as_user, viewer, world, org, path):
    assert as_user(viewer).get(api(org, path)).status_code == 200


def test_viewer_cannot_write_vision_or_import(as_user, viewer, world, org):
    client = as_user(viewer)
    assert client.put(api(org, "vision/"), {"vision": "x", "version": 1}).status_code == 403
    assert client.post(api(org, "goals/import/"), {}).status_code == 403


def test_anonymous_gets_401(api_client, world, org):
    assert api_client.get(api(org, "goals/")).status_code == 401


# ---------------------------------------------------------------- goals


def goal_body(cycle, parent, owner, **extra):
    return {"cycle": cycle.pk, "parent": parent.pk if parent else None, "title": "New goal",
            "owner": owner.pk, "leg": "cx", "measure": "milestone", "weight": "1", **extra}  # fmt: skip


def test_manager_creates_a_goal_under_their_units_goal(as_user, cascade, cycle, line):
    body = goal_body(cycle, cascade["svc"], line["lead"], org_unit=line["desk"].pk)
    response = as_user(line["head"]).post(api(cycle.organization, "goals/"), body)
    assert response.status_code == 201, response.json()
    assert response.json()["key"].startswith("G")
    assert response.json()["version"] == 1


def test_manager_cannot_create_a_corporate_goal(as_user, cycle, line):
    body = goal_body(cycle, None, line["head"])
    response = as_user(line["head"]).post(api(cycle.organization, "goals/"), body)
    assert response.status_code == 403
    assert "Corporate goals" in response.json()["detail"]


def test_goal_as_its_own_ancestor_answers_400(as_user, executive, cascade, org):
    corp = cascade["corp"]
    response = as_user(executive).patch(
        api(org, f"goals/{corp.pk}/"), {"parent": cascade["desk"].pk, "version": 1}
    )
    assert response.status_code == 400
    assert "own sub-goals" in str(response.json()["parent"])


def test_parent_in_another_cycle_answers_400(as_user, executive, cascade, org):
    other = CycleFactory(organization=org, name="FY2027")
    body = goal_body(other, cascade["corp"], executive)
    response = as_user(executive).post(api(org, "goals/"), body)
    assert response.status_code == 400
    assert "another cycle" in str(response.json()["parent"])


def test_parent_in_another_org_answers_400(as_user, executive, cycle, other_org):
    foreign = GoalFactory(cycle=CycleFactory(organization=other_org))
    response = as_user(executive).post(
        api(cycle.organization, "goals/"), goal_body(cycle, foreign, executive)
    )
    assert response.status_code == 400
    assert "parent" in response.json()


@pytest.mark.parametrize("weight", ["0", "-2"])
def test_non_positive_weight_answers_400(as_user, executive, cycle, weight):
    response = as_user(executive).post(
        api(cycle.organization, "goals/"), goal_body(cycle, None, executive, weight=weight)
    )
    assert response.status_code == 400
    assert "positive" in str(response.json()["weight"])


def test_kpi_target_without_unit_answers_400(as_user, executive, cycle, nps):
    body = goal_body(cycle, None, executive, measure="kpi", kpi=nps.pk, baseline="10",
                     target="30", measure_unit="")  # fmt: skip
    response = as_user(executive).post(api(cycle.organization, "goals/"), body)
    assert response.status_code == 400
    assert "unit" in str(response.json()["measure_unit"])


def test_unknown_field_answers_400(as_user, executive, cycle):
    body = goal_body(cycle, None, executive, colour="red")
    response = as_user(executive).post(api(cycle.organization, "goals/"), body)
    assert response.status_code == 400
    assert "colour" in response.json()


def test_stale_version_answers_409_with_the_current_goal(as_user, executive, cascade, org):
    svc = cascade["svc"]
    client = as_user(executive)
    assert (
        client.patch(api(org, f"goals/{svc.pk}/"), {"title": "A", "version": 1}).status_code == 200
    )
    response = client.patch(api(org, f"goals/{svc.pk}/"), {"title": "B", "version": 1})
    assert response.status_code == 409
    assert response.json()["current"]["title"] == "A"
    assert response.json()["current"]["version"] == 2


def test_update_without_version_answers_400(as_user, executive, cascade, org):
    response = as_user(executive).patch(api(org, f"goals/{cascade['svc'].pk}/"), {"title": "A"})
    assert response.status_code == 400
    assert "version" in response.json()


def test_goal_shows_own_and_rolled_up_progress(as_user, viewer, world, cascade, org):
    data = as_user(viewer).get(api(org, f"goals/{cascade['svc'].pk}/")).json()
    assert data["own_progress"] is None
    assert data["rollup_progress"] == 0.5
    assert data["children_count"] == 1
    listing = as_user(viewer).get(api(org, "goals/?key=CORP")).json()
    corp = next(g for g in listing["results"] if g["key"] == "CORP")
    assert corp["effective_progress"] == pytest.approx(0.375)


def test_goal_list_filters_by_cycle_owner_and_leg(as_user, viewer, cascade, line, org):
    client = as_user(viewer)
    owned = client.get(api(org, f"goals/?owner={line['lead'].pk}")).json()
    assert [g["key"] for g in owned["results"]] == ["DESK"]
    assert client.get(api(org, "goals/?leg=people")).json()["count"] == 0


def test_tree_is_compact_and_loads_subtrees(as_user, viewer, cascade, org):
    client = as_user(viewer)
    tree = client.get(api(org, "goals/tree/?depth=1")).json()
    assert tree["total"] == 4
    (corp,) = tree["nodes"]
    assert corp["key"] == "CORP" and corp["children"] == [] and corp["children_count"] == 2
    sub = client.get(api(org, f"goals/tree/?root={corp['id']}&depth=1")).json()
    assert {n["key"] for n in sub["nodes"]} == {"SVC", "OTHER"}


def test_tree_filters_show_matches_with_their_parents(as_user, viewer, cascade, line, org):
    tree = as_user(viewer).get(api(org, f"goals/tree/?owner={line['lead'].pk}")).json()
    assert tree["matched"] == 1
    corp = tree["nodes"][0]
    assert corp["matched"] is False
    assert corp["children"][0]["children"][0]["key"] == "DESK"


def test_manager_deletes_a_leaf_goal_but_not_one_with_contributors(
    as_user, executive, cascade, org
):
    client = as_user(executive)
    assert client.delete(api(org, f"goals/{cascade['corp'].pk}/")).status_code == 400
    assert client.delete(api(org, f"goals/{cascade['desk'].pk}/")).status_code == 204


# ---------------------------------------------------------------- check-ins


def test_owner_logs_a_checkin_and_the_parent_rolls_up(as_user, cascade, line, org):
    client = as_user(line["lead"])
    body = {"goal": cascade["desk"].pk, "progress": "0.8", "confidence": "on_track",
            "statement": "Rota live."}  # fmt: skip
    response = client.post(api(org, "checkins/"), body)
    assert response.status_code == 201, response.json()
    assert response.json()["author"] == line["lead"].pk
    svc = client.get(api(org, f"goals/{cascade['svc'].pk}/")).json()
    assert svc["rollup_progress"] == pytest.approx(0.8)


def test_peer_manager_cannot_log_a_checkin(as_user, cascade, line, org):
    body = {"goal": cascade["desk"].pk, "progress": "0.8", "confidence": "on_track",
            "statement": "x"}  # fmt: skip
    response = as_user(line["peer"]).post(api(org, "checkins/"), body)
    assert response.status_code == 403
    assert not CheckIn.objects.exists()


def test_checkin_on_another_orgs_goal_answers_400(as_user, line, other_org, org):
    foreign = GoalFactory(cycle=CycleFactory(organization=other_org))
    body = {"goal": foreign.pk, "progress": "0.8", "confidence": "on_track", "statement": "x"}
    assert as_user(line["lead"]).post(api(org, "checkins/"), body).status_code == 400


def test_checkins_are_never_edited_or_deleted(as_user, admin, world, org):
    url = api(org, f"checkins/{world['checkins'].pk}/")
    client = as_user(admin)
    assert client.patch(url, {"statement": "rewritten"}).status_code == 405
    assert client.delete(url).status_code == 405


def test_bad_checkin_answers_400_with_reasons(as_user, cascade, line, org):
    body = {"goal": cascade["desk"].pk, "confidence": "sure", "statement": ""}
    response = as_user(line["lead"]).post(api(org, "checkins/"), body)
    assert response.status_code == 400
    assert "confidence" in response.json()


# ---------------------------------------------------------------- other resources


def test_executive_writes_vision_with_a_version(as_user, executive, world, org):
    client = as_user(executive)
    assert client.put(api(org, "vision/"), {"vision": "Loved", "version": 1}).status_code == 200
    response = client.put(api(org, "vision/"), {"vision": "Again", "version": 1})
    assert response.status_code == 409
    assert response.json()["current"]["vision"] == "Loved"


def test_manager_cannot_write_governing_models_or_decisions(as_user, line, world, org):
    client = as_user(line["head"])
    model = world["governing-models"]
    assert (
        client.patch(api(org, f"governing-models/{model.pk}/"), {"version": 1}).status_code == 403
    )
    assert client.post(api(org, "decisions/"), {}).status_code == 403


def test_cycle_api_defaults_inputs_due_and_carries_over(as_user, executive, cascade, org):
    client = as_user(executive)
    response = client.post(api(org, "cycles/"), {"name": "FY2027", "starts_on": "2027-01-01",
                                                 "ends_on": "2027-12-31"})  # fmt: skip
    assert response.status_code == 201, response.json()
    assert response.json()["inputs_due_on"] == "2026-12-01"
    carried = client.post(
        api(org, f"cycles/{cascade['corp'].cycle_id}/carry-over/"),
        {"target": response.json()["id"]},
    )
    assert carried.status_code == 200
    assert carried.json()["carried"] == 4


def test_decision_api_requires_mitigation_or_override(as_user, executive, org):
    client = as_user(executive)
    body = {"title": "Close Saturdays", "customer_view": "disapprove",
            "customer_view_why": "They need us at weekends."}  # fmt: skip
    response = client.post(api(org, "decisions/"), body)
    assert response.status_code == 400
    assert "mitigation" in response.json()
    response = client.post(api(org, "decisions/"), {**body, "override": True,
                                                    "override_reason": "No staff."})  # fmt: skip
    assert response.status_code == 201
    assert response.json()["override_by"] == executive.pk


def test_initiative_api_with_expected_kpi_moves(as_user, line, cycle, nps, org):
    client = as_user(line["head"])
    response = client.post(api(org, "initiatives/"), {"cycle": cycle.pk, "name": "Rota",
                                                      "org_unit": line["desk"].pk})  # fmt: skip
    assert response.status_code == 201, response.json()
    effect = client.post(api(org, "initiative-effects/"), {"initiative": response.json()["id"],
                         "kpi": nps.pk, "direction": "up", "amount": "4"})  # fmt: skip
    assert effect.status_code == 201, effect.json()
    other = as_user(line["peer"]).post(api(org, "initiative-effects/"), {
        "initiative": response.json()["id"], "kpi": nps.pk, "direction": "down"})  # fmt: skip
    assert other.status_code == 403


@pytest.mark.parametrize(("given", "stored"), [("Higher", "up"), ("LOWER", "down"), ("up", "up")])
def test_expected_kpi_move_takes_higher_or_lower(as_user, line, cycle, nps, org, given, stored):
    client = as_user(line["head"])
    initiative = client.post(api(org, "initiatives/"), {"cycle": cycle.pk, "name": "Rota",
                             "org_unit": line["desk"].pk}).json()  # fmt: skip
    effect = client.post(api(org, "initiative-effects/"), {"initiative": initiative["id"],
                         "kpi": nps.pk, "direction": given, "amount": "2"})  # fmt: skip
    assert effect.status_code == 201, effect.json()
    assert effect.json()["direction"] == stored


def test_expected_kpi_move_with_unknown_direction_is_a_400(as_user, line, cycle, nps, org):
    client = as_user(line["head"])
    initiative = client.post(api(org, "initiatives/"), {"cycle": cycle.pk, "name": "Rota",
                             "org_unit": line["desk"].pk}).json()  # fmt: skip
    effect = client.post(api(org, "initiative-effects/"), {"initiative": initiative["id"],
                         "kpi": nps.pk, "direction": "sideways", "amount": "2"})  # fmt: skip
    assert effect.status_code == 400
    assert "direction" in effect.json()


def test_commitment_api_is_the_executives_own(as_user, executive, cycle, org):
    response = as_user(executive).post(api(org, "commitments/"), {"cycle": cycle.pk,
                                       "statement": "I review NPS monthly."})  # fmt: skip
    assert response.status_code == 201, response.json()
    assert response.json()["executive"] == executive.pk


def test_capability_levels_are_validated(as_user, cx_lead, org):
    response = as_user(cx_lead).post(api(org, "capabilities/"), {"name": "VoC",
                                     "current_level": 1, "needed_level": 9})  # fmt: skip
    assert response.status_code == 400


# ---------------------------------------------------------------- spreadsheets


def test_export_csv_lists_the_cascade(as_user, viewer, world, org):
    response = as_user(viewer).get(api(org, "goals/export/"))
    assert response.status_code == 200
    text = response.getvalue().decode("utf-8-sig")
    assert text.splitlines()[0].startswith("key,title,parent key,owner username")
    assert "DESK,Goal" in text or "DESK," in text


FORMULA_TITLES = ['=HYPERLINK("http://x","y")', "@SUM(A1)"]


def _cascade_table(response, fmt: str) -> list[dict]:
    import csv

    from openpyxl import load_workbook

    body = response.getvalue()  # streamed (CSV) or sent from a file (XLSX)
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    rows = list(load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("where", ["page", "api"])
def test_cascade_export_neutralises_formulas(api_client, viewer, org, cycle, where, fmt):
    from django.urls import reverse

    top = GoalFactory(cycle=cycle, key="TOP", title=FORMULA_TITLES[0], baseline=Decimal("-5"))
    GoalFactory(cycle=cycle, key="SUB", title=FORMULA_TITLES[1], parent=top)
    if where == "page":
        path = reverse("strategy:cascade_export", args=[org.slug, fmt]) + f"?cycle={cycle.pk}"
    else:
        path = api(org, f"goals/export/?cycle={cycle.pk}&as={fmt}")
    api_client.force_login(viewer.user)
    response = api_client.get(path)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'.{fmt}"')
    rows = {r["key"]: r for r in _cascade_table(response, fmt)}
    assert rows["TOP"]["title"] == "'" + FORMULA_TITLES[0]
    assert rows["SUB"]["title"] == "'" + FORMULA_TITLES[1]
    assert (rows["TOP"]["baseline"], rows["SUB"]["parent key"]) == ("-5", "TOP")  # not quoted


def test_import_api_names_bad_rows_and_writes_nothing(as_user, executive, cycle, org):
    csv = ("key,title,parent key,owner username,org unit,leg,KPI,baseline,target,unit,weight,due date\n"
           f"A,Top,,{executive.user.username},,cx,,,,,1,\n"
           "B,Below,A,nobody,,cx,,,,,0,\n")  # fmt: skip
    upload = io.BytesIO(csv.encode())
    upload.name = "goals.csv"
    response = as_user(executive).post(
        api(org, "goals/import/"), {"cycle": cycle.pk, "file": upload}, format="multipart"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["rejected"] == 1 and body["errors"][0]["row"] == 3
    assert "nobody" in body["errors"][0]["message"] and "positive" in body["errors"][0]["message"]
    assert not Goal.objects.filter(cycle=cycle).exists()


def test_import_api_by_a_manager_is_403(as_user, manager, cycle, org):
    assert as_user(manager).post(api(org, "goals/import/"), {}).status_code == 403


# ---------------------------------------------------------------- query counts


LIST_ENDPOINTS = [
    "goals/",
    "goals/tree/",
    "goals/tree/?depth=3",
    "goals/tree/?leg=cx",
    "goals/export/",
    "checkins/",
    "cycles/",
    "governing-models/",
    "key-choices/",
    "commitments/",
    "initiatives/",
    "initiative-effects/",
    "decisions/",
    "capabilities/",
    "kpis/",
    "kpi-measurements/",
    "vision/",
]


@pytest.mark.parametrize("path", LIST_ENDPOINTS)
def test_list_endpoint_queries_do_not_grow(
    as_user, viewer, world, org, cycle, executive, line, path, django_assert_max_num_queries
):
    client = as_user(viewer)
    with django_assert_max_num_queries(10):
        assert client.get(api(org, path)).status_code == 200
    grow(org, cycle, executive, line, 60)
    with django_assert_max_num_queries(10):
        assert client.get(api(org, path)).status_code == 200


def test_tree_root_of_another_organization_is_404(as_user, viewer, world, other_org, org):
    foreign = GoalFactory(cycle=CycleFactory(organization=other_org))
    assert as_user(viewer).get(api(org, f"goals/tree/?root={foreign.pk}")).status_code == 404


def test_api_import_returns_warnings_and_imports(as_user, executive, cycle, org, people):
    upload = io.BytesIO(csv_of(f"SIDE,Side,,{people['head']},,cx,,,,,1,"))
    upload.name = "goals.csv"
    response = as_user(executive).post(
        f"/api/v1/orgs/{org.slug}/goals/import/", {"cycle": cycle.pk, "file": upload},
        format="multipart",
    )  # fmt: skip
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["created"] == 1 and body["warnings"][0]["column"] == "owner username"
    assert Goal.objects.get(key="SIDE").measure == Goal.Measure.NONE


def test_nul_reaches_no_database_through_the_api(as_user, executive, cycle, org, people):
    upload = io.BytesIO(csv_of(f"TOP,Top\x00,,{people['exec']},,cx,,,,,1,"))
    upload.name = "goals.csv"
    response = as_user(executive).post(
        f"/api/v1/orgs/{org.slug}/goals/import/", {"cycle": cycle.pk, "file": upload},
        format="multipart",
    )  # fmt: skip
    assert response.status_code == 200, response.json()
    assert "NUL" in response.json()["warnings"][0]["message"]
    assert Goal.objects.get(key="TOP").title == "Top"


def test_the_tree_api_takes_the_same_filters(as_user, viewer, org, cycle, mixed):
    api = as_user(viewer)
    base = f"/api/v1/orgs/{org.slug}/goals/tree/"
    assert api.get(base, {"confidence": "attention", "status": "active"}).json()["matched"] == 2
    assert api.get(base, {"level": 1, "status": "live"}).json()["matched"] == 3
    assert api.get(base, {"level": "abc"}).status_code == 400
