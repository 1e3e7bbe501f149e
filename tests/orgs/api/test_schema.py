"""The API docs group the operations by app, each group with a description, and the operation
ids stay what they were.

Issue "first run and daily use", item 16 (the 190-odd operations sat in one "v1" group).
"""

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.openapi import AutoSchema

from cxalign.orgs.api.schema import TaggedAutoSchema

pytestmark = pytest.mark.django_db
TAGS = ["strategy", "journeys", "feedback", "KPIs", "alignment", "people"]
ORG = "/api/v1/orgs/{org_slug}/"


def operations(schema: dict) -> dict[tuple[str, str], dict]:
    return {
        (path, method): op
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if isinstance(op, dict) and "operationId" in op
    }


@pytest.fixture
def schema(client, viewer):
    client.force_login(viewer.user)
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_the_docs_list_six_tags_each_with_a_description(schema):
    assert [t["name"] for t in schema["tags"]] == TAGS
    assert all(len(t["description"]) > 30 for t in schema["tags"])


def test_every_operation_has_one_of_the_tags(schema):
    ops = operations(schema)
    assert len(ops) > 100
    assert all(len(op["tags"]) == 1 and op["tags"][0] in TAGS for op in ops.values())
    assert {op["tags"][0] for op in ops.values()} == set(TAGS)


@pytest.mark.parametrize(
    ("path", "tag"),
    [
        (ORG + "goals/", "strategy"),
        (ORG + "goals/tree/", "strategy"),
        (ORG + "checkins/", "strategy"),
        (ORG + "journeys/{id}/changes/", "journeys"),
        (ORG + "touchpoints/", "journeys"),
        (ORG + "kpis/", "KPIs"),
        (ORG + "kpi-measurements/", "KPIs"),
        (ORG + "memberships/", "people"),
        (ORG + "units/", "people"),
        ("/api/v1/auth/token/", "people"),
    ],
)
def test_operations_are_grouped_by_their_app(schema, path, tag):
    item = schema["paths"][path]
    assert {op["tags"][0] for op in item.values() if isinstance(op, dict)} == {tag}


def test_feedback_and_alignment_operations_have_their_own_groups(schema):
    tags = {p: op["tags"][0] for (p, _), op in operations(schema).items()}
    assert {t for p, t in tags.items() if p.startswith(ORG + "feedback/")} == {"feedback"}
    assert {t for p, t in tags.items() if p.startswith(ORG + "alignment/")} == {"alignment"}


def test_operation_ids_are_the_ones_the_docs_had_with_one_v1_group(monkeypatch):
    ours = operations(SchemaGenerator().get_schema(request=None, public=True))
    # The schema as it was: drf-spectacular's own tags (the first path segment, "v1").
    monkeypatch.setattr(TaggedAutoSchema, "get_tags", AutoSchema.get_tags)
    before = operations(SchemaGenerator().get_schema(request=None, public=True))
    assert {op["tags"][0] for op in before.values()} == {"v1"}
    assert set(ours) == set(before)
    assert {k: op["operationId"] for k, op in ours.items()} == {
        k: op["operationId"] for k, op in before.items()
    }
    # Ids clients already use, as the published schema named them.
    assert ours[(ORG + "goals/", "get")]["operationId"] == "v1_orgs_goals_list"
    assert ours[(ORG + "goals/tree/", "get")]["operationId"] == "v1_orgs_goals_tree_retrieve"
    assert ours[("/api/v1/auth/token/", "post")]["operationId"] == "v1_auth_token_create"
    assert (
        ours[(ORG + "journeys/{id}/changes/", "get")]["operationId"]
        == "v1_orgs_journeys_changes_retrieve"
    )
