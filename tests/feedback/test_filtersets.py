"""The response filters (feedback/filtersets.py): listed in the schema, each still filters, a
bad one is a 400 naming it."""

import pytest

from feedback import services
from feedback.models import Response, Source
from tests.feedback.conftest import api

pytestmark = pytest.mark.django_db


RESPONSE_FILTERS = {"date_from", "date_to", "segment", "touchpoint", "theme", "band", "q"}


def test_schema_lists_the_response_filters(client):
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/orgs/{org_slug}/feedback/responses/"]["get"]
    params = {p["name"]: p for p in operation["parameters"] if p["in"] == "query"}
    assert set(params) >= RESPONSE_FILTERS, sorted(params)
    assert params["theme"]["schema"]["type"] == "integer"
    assert params["date_from"]["schema"]["format"] == "date"
    assert set(params["band"]["schema"]["enum"]) == {"promoter", "passive", "detractor", "none"}


@pytest.fixture
def filtered(org):
    """Three responses that each filter tells apart."""
    import datetime

    from tests.factories import AudienceFactory, JourneyFactory, StageFactory, TouchpointFactory

    stage = StageFactory(journey=JourneyFactory(audience=AudienceFactory(organization=org)))
    touchpoint = TouchpointFactory(stage=stage)
    theme = services.theme_create(organization=org, data={"name": "Delivery"}, patterns=["zz"])
    source = Source.objects.create(organization=org, name="S")

    def at(day):
        return datetime.datetime(2024, 3, day, 12, tzinfo=datetime.UTC)

    rows = {
        "late": Response(nps=9, segment="smb", responded_at=at(1), comment="LATE delivery",
                         touchpoint=touchpoint, theme_ids=[theme.id]),
        "fine": Response(nps=3, segment="enterprise", responded_at=at(10), comment="Fine"),
        "blank": Response(nps=None, segment="", responded_at=at(20), comment="ok"),
    }  # fmt: skip
    for name, row in rows.items():
        row.organization, row.source, row.key = org, source, name
        row.save()
    return {"touchpoint": touchpoint.id, "theme": theme.id}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"late", "fine", "blank"}),
        ("date_from=2024-03-05", {"fine", "blank"}),
        ("date_to=2024-03-05", {"late"}),
        ("date_from=2024-03-05&date_to=2024-03-15", {"fine"}),
        ("segment=smb", {"late"}),
        ("touchpoint={touchpoint}", {"late"}),
        ("theme={theme}", {"late"}),
        ("band=promoter", {"late"}),
        ("band=detractor", {"fine"}),
        ("band=none", {"blank"}),
        ("q=late", {"late"}),
        ("theme=999999", set()),
    ],
)
def test_each_response_filter_still_filters(as_user, viewer, org, filtered, query, expected):
    url = api(org, "responses/?" + query.format(**filtered))
    response = as_user(viewer).get(url)
    assert response.status_code == 200, response.json()
    keys = set(Response.objects.filter(id__in=[r["id"] for r in response.json()["results"]])
               .values_list("key", flat=True))  # fmt: skip
    assert keys == expected


@pytest.mark.parametrize(
    ("query", "name"),
    [("date_from=2024-13-01", "date_from"), ("band=detractors", "band"), ("theme=²", "theme")],
)
def test_a_bad_response_filter_answers_400_naming_it(as_user, viewer, org, query, name):
    response = as_user(viewer).get(api(org, "responses/?" + query))
    assert response.status_code == 400
    assert name in response.json()
