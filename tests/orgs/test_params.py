"""Issue #12, items 13-14: id parameters, odd bodies and deep JSON never answer 500."""

import json

import pytest

from cxalign.orgs.params import ID_MAX, parse_id
from feedback import services as feedback_services
from tests.factories import CycleFactory, GoalFactory

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999999"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", 12),
        (str(ID_MAX), ID_MAX),
        (str(ID_MAX + 1), None),
        (HUGE, None),
        ("²", None),
        ("١٢", None),  # Arabic-Indic digits: int() reads them, ids do not
        ("１２", None),  # full-width digits
        ("0", None),
        ("-3", None),
        (" 12", None),
        ("", None),
        (None, None),
        (["1"], None),
    ],
)
def test_parse_id_accepts_only_ascii_digits_in_the_64_bit_range(raw, expected):
    assert parse_id(raw) == expected


@pytest.fixture
def theme(org):
    return feedback_services.theme_create(
        organization=org, data={"name": "Delivery"}, patterns=["late"]
    )


@pytest.mark.parametrize("name", ["theme", "touchpoint"])
@pytest.mark.parametrize("raw", ["²", HUGE, "-1", "abc"])
def test_response_filters_with_a_bad_id_answer_400_naming_it(as_user, viewer, org, name, raw):
    response = as_user(viewer).get(f"/api/v1/orgs/{org.slug}/feedback/responses/?{name}={raw}")
    assert response.status_code == 400
    assert name in response.json()


def test_response_filter_with_a_good_id_still_filters(as_user, viewer, org, theme):
    response = as_user(viewer).get(f"/api/v1/orgs/{org.slug}/feedback/responses/?theme={theme.id}")
    assert response.status_code == 200


@pytest.mark.parametrize("query", ["root=²", f"root={HUGE}", "unit=²", f"owner={HUGE}"])
def test_goal_tree_with_a_bad_id_answers_400(as_user, viewer, org, query):
    CycleFactory(organization=org)
    response = as_user(viewer).get(f"/api/v1/orgs/{org.slug}/goals/tree/?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


def test_goal_tree_with_an_unknown_root_answers_404(as_user, viewer, org):
    CycleFactory(organization=org)
    assert as_user(viewer).get(f"/api/v1/orgs/{org.slug}/goals/tree/?root=12345").status_code == 404


@pytest.mark.parametrize("body", [[{"pattern": "late"}], ["late"], "late", 5])
def test_theme_rules_with_a_non_object_body_answer_400(as_user, cx_lead, org, theme, body):
    url = f"/api/v1/orgs/{org.slug}/feedback/themes/{theme.id}/rules/"
    response = as_user(cx_lead).post(url, body, format="json")
    assert response.status_code == 400


def test_theme_rules_still_add_a_rule(as_user, cx_lead, org, theme):
    url = f"/api/v1/orgs/{org.slug}/feedback/themes/{theme.id}/rules/"
    response = as_user(cx_lead).post(url, {"pattern": "slow"}, format="json")
    assert response.status_code == 201
    assert theme.rules.filter(pattern="slow").exists()


@pytest.mark.parametrize("path", ["units/", "feedback/themes/", "journeys/"])
def test_json_nested_thousands_deep_answers_400(as_user, admin, org, path):
    body = "[" * 100_000 + "]" * 100_000
    response = as_user(admin).generic(
        "POST", f"/api/v1/orgs/{org.slug}/{path}", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "nested too deeply" in json.dumps(response.json())


@pytest.mark.parametrize("raw", ["²", HUGE, "abc"])
def test_initiatives_page_ignores_a_bad_unit_with_a_message(client, manager, org, raw):
    CycleFactory(organization=org)
    client.force_login(manager.user)
    response = client.get(f"/o/{org.slug}/strategy/initiatives/?unit={raw}")
    assert response.status_code == 200
    assert "is not an id" in response.content.decode()


@pytest.mark.parametrize("raw", ["²", HUGE])
def test_new_goal_page_ignores_a_bad_parent_with_a_message(client, manager, org, raw):
    CycleFactory(organization=org)
    client.force_login(manager.user)
    response = client.get(f"/o/{org.slug}/strategy/goals/new/?parent={raw}")
    assert response.status_code == 200
    assert "is not an id" in response.content.decode()


def test_new_goal_page_still_prefills_a_good_parent(client, manager, org):
    cycle = CycleFactory(organization=org)
    parent = GoalFactory(organization=org, cycle=cycle)
    client.force_login(manager.user)
    response = client.get(f"/o/{org.slug}/strategy/goals/new/?parent={parent.id}")
    assert response.status_code == 200
    assert response.context["form"].initial["parent"] == parent.id


def test_cascade_filters_ignore_huge_and_unicode_ids():
    from strategy.selectors import CascadeFilters

    filters = CascadeFilters.from_query({"unit": HUGE, "owner": "²"})
    assert filters.unit is None and filters.owner is None


@pytest.mark.parametrize("path", ["kpi-measurements/", "governing-models/"])
def test_scoped_create_saves_with_the_organization(as_user, admin, org, path):
    from kpis.models import KPI
    from strategy.models import GoverningModel

    if path == "kpi-measurements/":
        kpi = KPI.objects.filter(organization=org).first()
        body = {"kpi": kpi.id, "measured_on": "2026-01-31", "value": "42"}
    else:
        GoverningModel.objects.filter(organization=org, kind="cx").delete()
        body = {"kind": "cx", "owner": admin.id}
    response = as_user(admin).post(f"/api/v1/orgs/{org.slug}/{path}", body, format="json")
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("query", ["ordering=name", "search=acme"])
def test_organization_list_ignores_search_and_ordering(as_user, viewer, org, query):
    response = as_user(viewer).get(f"/api/v1/orgs/?{query}")
    assert response.status_code == 200
    assert [o["slug"] for o in response.json()] == [org.slug]


def test_history_of_an_object_without_history_answers_404(as_user, viewer, org):
    from feedback.models import Response, Source

    source = Source.objects.create(organization=org, name="S")
    row = Response.objects.create(organization=org, source=source, key="R1", nps=3)
    url = f"/api/v1/orgs/{org.slug}/feedback/responses/{row.pk}/history/"
    assert as_user(viewer).get(url).status_code == 404
