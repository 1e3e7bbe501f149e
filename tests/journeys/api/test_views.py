"""The journeys API: tenancy, roles, versions, board moves and bad input."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from journeys.models import PainPoint, Stage, Touchpoint
from tests.factories import (
    AudienceFactory,
    JourneyFactory,
    PainPointFactory,
    StageFactory,
    TouchpointFactory,
)
from tests.journeys.conftest import HEADER, api

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    ("audiences", "audience"),
    ("journeys", "journey"),
    ("stages", "stage"),
    ("touchpoints", "card"),
    ("pain-points", "pain"),
]


@pytest.fixture
def pain(stages, card):
    return PainPointFactory(stage=stages[0], touchpoint=card, text="Too many emails")


@pytest.fixture
def objects(audience, journey, stages, card, pain):
    return {
        "audience": audience,
        "journey": journey,
        "stage": stages[0],
        "card": card,
        "pain": pain,
    }


# Tenancy and roles ------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "key"), ENDPOINTS)
def test_outsider_gets_404_on_every_endpoint(as_user, outsider, org, objects, path, key):
    client = as_user(outsider)
    obj = objects[key]
    assert client.get(api(org, f"{path}/")).status_code == 404
    assert client.get(api(org, f"{path}/{obj.pk}/")).status_code == 404
    assert client.patch(api(org, f"{path}/{obj.pk}/"), {"version": 1}).status_code == 404
    assert client.delete(api(org, f"{path}/{obj.pk}/")).status_code == 404


@pytest.mark.parametrize(("path", "key"), ENDPOINTS)
def test_other_orgs_rows_answer_404_inside_own_org(as_user, outsider, objects, path, key):
    """Asking for org's row under the outsider's own slug must not find it."""
    client = as_user(outsider)
    other = outsider.organization
    assert client.get(api(other, f"{path}/{objects[key].pk}/")).status_code == 404


@pytest.mark.parametrize(("path", "key"), ENDPOINTS)
def test_viewer_reads_but_cannot_write(as_user, viewer, org, objects, path, key):
    client = as_user(viewer)
    obj = objects[key]
    assert client.get(api(org, f"{path}/")).status_code == 200
    assert client.get(api(org, f"{path}/{obj.pk}/")).status_code == 200
    assert client.patch(api(org, f"{path}/{obj.pk}/"), {"version": 1}).status_code == 403
    assert client.delete(api(org, f"{path}/{obj.pk}/")).status_code == 403
    assert client.post(api(org, f"{path}/"), {}).status_code == 403


def test_viewer_cannot_move_or_reorder(as_user, viewer, org, journey, stages, card):
    client = as_user(viewer)
    moved = client.post(api(org, f"touchpoints/{card.pk}/move/"), {"stage": stages[1].pk})
    assert moved.status_code == 403
    order = [s.pk for s in reversed(stages)]
    assert (
        client.post(
            api(org, f"journeys/{journey.pk}/reorder-stages/"), {"order": order}
        ).status_code
        == 403
    )


def test_member_cannot_write_audiences_but_cx_lead_can(as_user, member, cx_lead, org):
    body = {"name": "Enterprise buyers", "kind": "customer", "rank": 1}
    assert as_user(member).post(api(org, "audiences/"), body).status_code == 403
    response = as_user(cx_lead).post(api(org, "audiences/"), body)
    assert response.status_code == 201, response.json()
    assert response.json()["name"] == "Enterprise buyers"


# Create, edit, versions ---------------------------------------------------------------------


def test_member_adds_a_card_at_the_end_of_a_stage(as_user, member, org, stages, card):
    response = as_user(member).post(
        api(org, "touchpoints/"),
        {
            "stage": stages[0].pk,
            "name": "Setup call",
            "channel": "phone",
            "data_fields": ["Email "],
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["journey"] == stages[0].journey_id
    assert body["data_fields"] == ["email"]
    assert Touchpoint.objects.get(pk=body["id"]).position > card.position


def test_stale_version_answers_409_with_the_current_card(as_user, member, org, card):
    client = as_user(member)
    first = client.patch(api(org, f"touchpoints/{card.pk}/"), {"name": "A", "version": 1})
    assert first.status_code == 200
    second = client.patch(api(org, f"touchpoints/{card.pk}/"), {"name": "B", "version": 1})
    assert second.status_code == 409
    assert "changed by someone else" in second.json()["detail"]
    assert second.json()["current"]["name"] == "A"
    assert second.json()["current"]["version"] == 2
    card.refresh_from_db()
    assert card.name == "A"


def test_update_without_version_is_400(as_user, member, org, card):
    response = as_user(member).patch(api(org, f"touchpoints/{card.pk}/"), {"name": "A"})
    assert response.status_code == 400
    assert "version" in response.json()


@pytest.mark.parametrize(
    ("path", "key", "body", "field"),
    [
        ("stages", "stage", {"name": "  ", "version": 1}, "name"),
        ("touchpoints", "card", {"name": "", "version": 1}, "name"),
        ("touchpoints", "card", {"notes": "x" * 10_000, "version": 1}, "notes"),
        ("touchpoints", "card", {"name": "x" * 10_000, "version": 1}, "name"),
        ("touchpoints", "card", {"channel": "pigeon", "version": 1}, "channel"),
        ("touchpoints", "card", {"data_fields": "email", "version": 1}, "data_fields"),
        ("touchpoints", "card", {"data_fields": ["x" * 500], "version": 1}, "data_fields"),
        ("touchpoints", "card", {"colour": "red", "version": 1}, "colour"),
        ("stages", "stage", {"emotion": 7, "version": 1}, "emotion"),
        ("stages", "stage", {"customer_goal": "x" * 10_000, "version": 1}, "customer_goal"),
        ("pain-points", "pain", {"text": "", "version": 1}, "text"),
        ("pain-points", "pain", {"severity": 9, "version": 1}, "severity"),
        ("journeys", "journey", {"name": "", "version": 1}, "name"),
        ("audiences", "audience", {"name": "x" * 10_000, "version": 1}, "name"),
        ("audiences", "audience", {"rank": 0, "version": 1}, "rank"),
    ],
)
def test_bad_input_is_400_with_a_message_for_the_field(
    as_user, cx_lead, org, objects, path, key, body, field
):
    response = as_user(cx_lead).patch(api(org, f"{path}/{objects[key].pk}/"), body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    obj = objects[key]
    assert (
        type(obj).all_objects.get(pk=obj.pk).version == 1
        if hasattr(type(obj), "all_objects")
        else type(obj).objects.get(pk=obj.pk).version == 1
    )


def test_html_is_stored_as_text(as_user, member, org, card):
    script = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    response = as_user(member).patch(
        api(org, f"touchpoints/{card.pk}/"), {"name": script, "notes": script, "version": 1}
    )
    assert response.status_code == 200
    card.refresh_from_db()
    assert card.name == script  # stored verbatim; every page escapes it


def test_card_cannot_be_created_in_a_stage_of_another_org(as_user, member, org, outsider):
    foreign = StageFactory(
        journey=JourneyFactory(audience=AudienceFactory(organization=outsider.organization))
    )
    response = as_user(member).post(api(org, "touchpoints/"), {"stage": foreign.pk, "name": "X"})
    assert response.status_code == 400
    assert "stage" in response.json()
    assert not Touchpoint.objects.filter(name="X").exists()


def test_owner_of_another_org_is_refused(as_user, member, org, card, outsider):
    from tests.factories import OrgUnitFactory

    unit = OrgUnitFactory(organization=outsider.organization)
    response = as_user(member).patch(
        api(org, f"touchpoints/{card.pk}/"), {"owner": unit.pk, "version": 1}
    )
    assert response.status_code == 400
    assert "owner" in response.json()


def test_editing_cannot_move_a_card(as_user, member, org, card, stages):
    response = as_user(member).patch(
        api(org, f"touchpoints/{card.pk}/"), {"stage": stages[1].pk, "version": 1}
    )
    assert response.status_code == 400
    assert "move" in response.json()["stage"][0]


# Moves and reorders -------------------------------------------------------------------------


def test_move_between_stages_writes_the_card_and_its_pain_points(
    as_user, member, org, stages, card, pain
):
    other = TouchpointFactory(stage=stages[1], position=1024)
    response = as_user(member).post(
        api(org, f"touchpoints/{card.pk}/move/"), {"stage": stages[1].pk, "after": other.pk}
    )
    assert response.status_code == 200, response.json()
    card.refresh_from_db()
    pain.refresh_from_db()
    assert card.stage_id == stages[1].pk
    assert card.position > other.position
    assert pain.stage_id == stages[1].pk
    assert card.version == 1  # a move never invalidates someone's open edit


def test_move_to_top_and_between_two_cards(as_user, member, org, stages):
    a, b, c = (TouchpointFactory(stage=stages[0], position=p) for p in (1024, 2048, 3072))
    client = as_user(member)
    assert (
        client.post(
            api(org, f"touchpoints/{c.pk}/move/"), {"stage": stages[0].pk, "after": None}
        ).status_code
        == 200
    )
    assert (
        client.post(
            api(org, f"touchpoints/{a.pk}/move/"), {"stage": stages[0].pk, "after": c.pk}
        ).status_code
        == 200
    )
    order = list(
        Touchpoint.objects.filter(stage=stages[0])
        .order_by("position", "id")
        .values_list("id", flat=True)
    )
    assert order == [c.pk, a.pk, b.pk]


def test_move_renumbers_a_full_column_in_one_update(
    as_user, member, org, stages, django_assert_max_num_queries
):
    cards = [TouchpointFactory(stage=stages[0], position=p) for p in (10, 11, 12, 13)]
    with django_assert_max_num_queries(16):
        response = as_user(member).post(
            api(org, f"touchpoints/{cards[3].pk}/move/"),
            {"stage": stages[0].pk, "after": cards[0].pk},
        )
    assert response.status_code == 200
    order = list(
        Touchpoint.objects.filter(stage=stages[0])
        .order_by("position", "id")
        .values_list("id", flat=True)
    )
    assert order == [cards[0].pk, cards[3].pk, cards[1].pk, cards[2].pk]


def test_move_query_count_does_not_grow_with_the_column(
    as_user, member, org, stages, django_assert_max_num_queries
):
    cards = [TouchpointFactory(stage=stages[0], position=(i + 1) * 1024) for i in range(200)]
    with django_assert_max_num_queries(14):
        response = as_user(member).post(
            api(org, f"touchpoints/{cards[-1].pk}/move/"),
            {"stage": stages[1].pk, "after": None},
        )
    assert response.status_code == 200


def test_move_to_a_stage_of_another_journey_is_refused(as_user, member, org, audience, card):
    elsewhere = StageFactory(journey=JourneyFactory(audience=audience))
    response = as_user(member).post(
        api(org, f"touchpoints/{card.pk}/move/"), {"stage": elsewhere.pk}
    )
    assert response.status_code == 400
    assert "own journey" in response.json()["stage"][0]
    card.refresh_from_db()
    assert card.stage_id != elsewhere.pk


def test_move_after_a_card_that_left_the_stage_is_409(as_user, member, org, stages, card):
    gone = TouchpointFactory(stage=stages[2])
    response = as_user(member).post(
        api(org, f"touchpoints/{card.pk}/move/"), {"stage": stages[1].pk, "after": gone.pk}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "board_changed"
    card.refresh_from_db()
    assert card.stage_id == stages[0].pk


def test_move_after_itself_is_400(as_user, member, org, stages, card):
    response = as_user(member).post(
        api(org, f"touchpoints/{card.pk}/move/"), {"stage": stages[0].pk, "after": card.pk}
    )
    assert response.status_code == 400


def test_move_with_garbage_is_400(as_user, member, org, card):
    response = as_user(member).post(
        api(org, f"touchpoints/{card.pk}/move/"), {"stage": "abc", "after": "x"}
    )
    assert response.status_code == 400
    assert set(response.json()) == {"stage", "after"}


def test_reorder_stages(as_user, member, org, journey, stages):
    order = [stages[2].pk, stages[0].pk, stages[1].pk]
    response = as_user(member).post(
        api(org, f"journeys/{journey.pk}/reorder-stages/"), {"order": order}
    )
    assert response.status_code == 200
    assert list(Stage.objects.filter(journey=journey).values_list("id", flat=True)) == order


@pytest.mark.parametrize("mutate", ["missing", "extra", "foreign"])
def test_reorder_with_a_stale_list_is_409_and_changes_nothing(
    as_user, member, org, journey, stages, mutate
):
    order = [s.pk for s in reversed(stages)]
    if mutate == "missing":
        order = order[:-1]
    elif mutate == "extra":
        StageFactory(journey=journey)  # someone added a stage meanwhile
    else:
        order.append(StageFactory().pk)
    before = list(Stage.objects.filter(journey=journey).values_list("id", "position"))
    response = as_user(member).post(
        api(org, f"journeys/{journey.pk}/reorder-stages/"), {"order": order}
    )
    assert response.status_code == 409
    assert "drag again" in response.json()["detail"]
    after = [
        row
        for row in Stage.objects.filter(journey=journey).values_list("id", "position")
        if row in before
    ]
    assert after == before


def test_reorder_with_duplicates_is_400(as_user, member, org, journey, stages):
    order = [stages[0].pk, stages[0].pk, stages[1].pk, stages[2].pk]
    response = as_user(member).post(
        api(org, f"journeys/{journey.pk}/reorder-stages/"), {"order": order}
    )
    assert response.status_code == 400


# Delete and undo ----------------------------------------------------------------------------


def test_delete_then_restore_a_card_with_its_pain_points(as_user, member, org, card, pain):
    client = as_user(member)
    deleted = client.delete(api(org, f"touchpoints/{card.pk}/"))
    assert deleted.status_code == 200
    assert deleted.json()["deleted"] is True
    assert not Touchpoint.objects.filter(pk=card.pk).exists()
    assert not PainPoint.objects.filter(pk=pain.pk).exists()
    assert client.get(api(org, f"touchpoints/{card.pk}/")).status_code == 404
    restored = client.post(api(org, f"touchpoints/{card.pk}/restore/"))
    assert restored.status_code == 200
    assert Touchpoint.objects.filter(pk=card.pk).exists()
    assert PainPoint.objects.filter(pk=pain.pk).exists()


def test_delete_then_restore_a_stage_with_its_cards(as_user, member, org, stages, card):
    client = as_user(member)
    assert client.delete(api(org, f"stages/{stages[0].pk}/")).status_code == 200
    assert not Touchpoint.objects.filter(pk=card.pk).exists()
    assert client.post(api(org, f"stages/{stages[0].pk}/restore/")).status_code == 200
    assert Touchpoint.objects.filter(pk=card.pk).exists()


def test_restoring_a_card_of_a_deleted_stage_is_400(as_user, member, org, stages, card):
    client = as_user(member)
    client.delete(api(org, f"touchpoints/{card.pk}/"))
    client.delete(api(org, f"stages/{stages[0].pk}/"))
    response = client.post(api(org, f"touchpoints/{card.pk}/restore/"))
    assert response.status_code == 400
    assert "restore the stage first" in response.json()["stage"][0]


def test_outsider_cannot_restore(as_user, member, outsider, org, card):
    as_user(member).delete(api(org, f"touchpoints/{card.pk}/"))
    response = as_user(outsider).post(api(org, f"touchpoints/{card.pk}/restore/"))
    assert response.status_code == 404


# Live changes -----------------------------------------------------------------------------


def test_changes_since_returns_only_what_changed(
    as_user, member, viewer, org, journey, stages, card
):
    board = as_user(viewer).get(api(org, f"journeys/{journey.pk}/board/")).json()
    revision = board["revision"]
    idle = as_user(viewer).get(api(org, f"journeys/{journey.pk}/changes/?since={revision}")).json()
    assert idle["changed"] is False and idle["revision"] == revision
    assert [p["name"] for p in idle["present"]] == [viewer.display_name]
    as_user(member).patch(api(org, f"touchpoints/{card.pk}/"), {"name": "New", "version": 1})
    as_user(member).delete(api(org, f"stages/{stages[2].pk}/"))
    changes = (
        as_user(viewer).get(api(org, f"journeys/{journey.pk}/changes/?since={revision}")).json()
    )
    assert changes["changed"] is True
    assert [t["name"] for t in changes["touchpoints"]] == ["New"]
    assert [(s["id"], s["deleted"]) for s in changes["stages"]] == [(stages[2].pk, True)]


def test_changes_with_a_bad_since_is_400(as_user, viewer, org, journey):
    response = as_user(viewer).get(api(org, f"journeys/{journey.pk}/changes/?since=abc"))
    assert response.status_code == 400
    assert "since" in response.json()


def test_changes_is_cheap_when_nothing_changed(
    as_user, viewer, org, journey, stages, django_assert_max_num_queries
):
    for stage in stages:
        TouchpointFactory.create_batch(20, stage=stage)
    with django_assert_max_num_queries(4):
        response = as_user(viewer).get(
            api(org, f"journeys/{journey.pk}/changes/?since={journey.revision}")
        )
    assert response.status_code == 200


# Query counts -------------------------------------------------------------------------------


def _grow(journey, stages_n, cards_per_stage):
    stages = [StageFactory(journey=journey) for _ in range(stages_n)]
    for stage in stages:
        cards = TouchpointFactory.create_batch(cards_per_stage, stage=stage, owner=None)
        PainPointFactory(stage=stage, touchpoint=cards[0])


@pytest.mark.parametrize(
    "path",
    [
        "audiences/",
        "journeys/",
        "stages/",
        "touchpoints/",
        "pain-points/",
        "journeys/{j}/board/",
        "journeys/{j}/changes/?since=0",
        "journeys/{j}/signals/",
        "journeys/{j}/export/",
    ],
)
def test_list_endpoint_queries_do_not_grow(
    as_user, viewer, org, journey, path, django_assert_max_num_queries
):
    client = as_user(viewer)
    url = api(org, path.format(j=journey.pk))
    _grow(journey, 2, 2)
    with django_assert_max_num_queries(10) as small:
        assert client.get(url).status_code == 200
    _grow(journey, 10, 20)
    AudienceFactory.create_batch(5, organization=org)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    ("path", "key", "field", "first", "second"),
    [
        ("audiences", "audience", "why_it_matters", "A", "B"),
        ("journeys", "journey", "description", "A", "B"),
        ("stages", "stage", "customer_actions", "A", "B"),
        ("touchpoints", "card", "notes", "A", "B"),
        ("pain-points", "pain", "detail", "A", "B"),
    ],
)
def test_every_object_answers_409_to_a_stale_version(
    as_user, cx_lead, org, objects, path, key, field, first, second
):
    client = as_user(cx_lead)
    obj = objects[key]
    assert (
        client.patch(api(org, f"{path}/{obj.pk}/"), {field: first, "version": 1}).status_code == 200
    )
    stale = client.patch(api(org, f"{path}/{obj.pk}/"), {field: second, "version": 1})
    assert stale.status_code == 409
    assert stale.json()["current"][field] == first
    assert stale.json()["current"]["version"] == 2


def test_deleting_twice_is_404_and_viewer_cannot_restore(as_user, member, viewer, org, card):
    client = as_user(member)
    assert client.delete(api(org, f"touchpoints/{card.pk}/")).status_code == 200
    assert client.delete(api(org, f"touchpoints/{card.pk}/")).status_code == 404
    assert as_user(viewer).post(api(org, f"touchpoints/{card.pk}/restore/")).status_code == 403


def test_restoring_a_live_card_is_404(as_user, member, org, card):
    assert as_user(member).post(api(org, f"touchpoints/{card.pk}/restore/")).status_code == 404


def test_huge_lists_are_refused(as_user, member, org, journey, card):
    client = as_user(member)
    fields = client.patch(
        api(org, f"touchpoints/{card.pk}/"), {"data_fields": ["f"] * 1000, "version": 1}
    )
    assert fields.status_code == 400 and "data_fields" in fields.json()
    order = client.post(
        api(org, f"journeys/{journey.pk}/reorder-stages/"), {"order": list(range(1, 2000))}
    )
    assert order.status_code == 400 and "order" in order.json()


def test_the_poll_says_who_else_has_the_map_open(as_user, member, viewer, org, journey):
    from django.core.cache import cache

    cache.clear()
    as_user(member).get(api(org, f"journeys/{journey.pk}/changes/?since=0"))
    present = as_user(viewer).get(api(org, f"journeys/{journey.pk}/changes/?since=0")).json()
    assert sorted(p["id"] for p in present["present"]) == sorted([member.pk, viewer.pk])


def test_full_put_of_a_card_keeps_its_stage(as_user, member, org, stages, card):
    body = {"stage": stages[0].pk, "name": "Put", "channel": "email", "version": 1}
    response = as_user(member).put(api(org, f"touchpoints/{card.pk}/"), body)
    assert response.status_code == 200, response.json()
    assert response.json()["name"] == "Put"


ACTIONS = [
    # (method, path template, body, is a write)
    ("get", "journeys/{j}/board/", None, False),
    ("get", "journeys/{j}/changes/?since=0", None, False),
    ("get", "journeys/{j}/signals/", None, False),
    ("get", "journeys/{j}/export/", None, False),
    ("get", "journeys/{j}/history/", None, False),
    ("get", "journeys/templates/", None, False),
    ("post", "journeys/{j}/reorder-stages/", {"order": []}, True),
    ("post", "journeys/{j}/copy/", {"name": "Copy"}, True),
    ("post", "journeys/from-template/", {"template": "b2c-purchase", "name": "T"}, True),
    ("post", "journeys/import/", {}, True),
    ("post", "touchpoints/{t}/move/", {"stage": 0}, True),
    ("post", "touchpoints/{t}/restore/", {}, True),
    ("post", "stages/{s}/restore/", {}, True),
    ("post", "pain-points/{p}/restore/", {}, True),
]


@pytest.mark.parametrize(("method", "path", "body", "write"), ACTIONS)
def test_outsider_gets_404_on_every_action(
    as_user, outsider, org, objects, method, path, body, write
):
    url = api(
        org,
        path.format(
            j=objects["journey"].pk,
            t=objects["card"].pk,
            s=objects["stage"].pk,
            p=objects["pain"].pk,
        ),
    )
    response = getattr(as_user(outsider), method)(url, body or {})
    assert response.status_code == 404


@pytest.mark.parametrize(("method", "path", "body", "write"), ACTIONS)
def test_viewer_reads_actions_but_writes_none(
    as_user, viewer, org, objects, method, path, body, write
):
    url = api(
        org,
        path.format(
            j=objects["journey"].pk,
            t=objects["card"].pk,
            s=objects["stage"].pk,
            p=objects["pain"].pk,
        ),
    )
    response = getattr(as_user(viewer), method)(url, body or {})
    assert response.status_code == (403 if write else 200)


@pytest.mark.parametrize("where", ["page", "api"])
def test_export_quotes_formulas(api_client, viewer, org, journey, stages, card, where):
    card.notes = "=cmd|' /C calc'!A0"
    card.customer_action = "@SUM(A1)"
    card.save()
    path = reverse("journeys:export", kwargs={"org_slug": org.slug, "pk": journey.pk})
    if where == "api":
        path = api(org, f"journeys/{journey.pk}/export/")
    api_client.force_login(viewer.user)
    response = api_client.get(path)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = response.getvalue().decode("utf-8-sig")
    assert "'=cmd" in body and "'@SUM(A1)" in body


def test_api_import_preview_then_create(as_user, member, viewer, outsider, org, audience):
    body = (HEADER + "A,before,,,B,web,,no,,,,\n").encode()

    def post(client, dry_run):
        upload = SimpleUploadedFile("j.csv", body, content_type="text/csv")
        return client.post(
            api(org, "journeys/import/"),
            {"name": "From CSV", "audience": audience.pk, "file": upload, "dry_run": dry_run},
            format="multipart",
        )

    assert post(as_user(outsider), True).status_code == 404
    assert post(as_user(viewer), True).status_code == 403
    preview = post(as_user(member), True)
    assert preview.status_code == 200
    assert preview.json()["touchpoints"] == 1
    created = post(as_user(member), False)
    assert created.status_code == 201
    assert created.json()["journey"]["name"] == "From CSV"


def test_api_import_bad_file_is_400_with_rows(as_user, member, org, audience):
    upload = SimpleUploadedFile("j.csv", (HEADER + ",,,,B,web,,no,,,,\n").encode())
    response = as_user(member).post(
        api(org, "journeys/import/"),
        {"name": "X", "audience": audience.pk, "file": upload},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["row"] == 2


def test_api_template_and_copy(as_user, member, viewer, org, audience, journey, stages):
    client = as_user(member)
    templates = client.get(api(org, "journeys/templates/")).json()
    assert {t["key"] for t in templates} == {
        "b2b-onboarding",
        "b2c-purchase",
        "employee-onboarding",
    }
    made = client.post(
        api(org, "journeys/from-template/"),
        {"template": "b2c-purchase", "audience": audience.pk, "name": "Shop"},
    )
    assert made.status_code == 201
    bad = client.post(
        api(org, "journeys/from-template/"),
        {"template": "x", "audience": audience.pk, "name": "Shop"},
    )
    assert bad.status_code == 400 and "template" in bad.json()
    copy = client.post(api(org, f"journeys/{journey.pk}/copy/"), {"name": "Copy"})
    assert copy.status_code == 201
    assert (
        as_user(viewer).post(api(org, f"journeys/{journey.pk}/copy/"), {"name": "C2"}).status_code
        == 403
    )
    taken = as_user(member).post(api(org, f"journeys/{journey.pk}/copy/"), {"name": "Copy"})
    assert taken.status_code == 400 and "name" in taken.json()


def test_huge_and_odd_numbers_never_500(as_user, member, org, journey, stages, card):
    client = as_user(member)
    huge = 10**20
    move = client.post(
        api(org, f"touchpoints/{card.pk}/move/"), {"stage": stages[1].pk, "after": huge}
    )
    assert move.status_code in (400, 409)
    assert client.post(api(org, f"touchpoints/{card.pk}/move/"), {"stage": huge}).status_code == 400
    created = client.post(
        api(org, "touchpoints/"), {"stage": stages[0].pk, "name": "X", "after": huge}
    )
    assert created.status_code in (400, 409)
    assert client.get(api(org, f"journeys/{journey.pk}/changes/?since={huge}")).status_code in (
        200,
        400,
    )
    assert client.get(api(org, f"touchpoints/{huge}/")).status_code == 404
    nul = client.patch(api(org, f"touchpoints/{card.pk}/"), {"name": "a\x00b", "version": 1})
    assert nul.status_code == 400 and "name" in nul.json()


def test_api_import_answers_the_warnings(as_user, member, org, audience):
    body = (HEADER + "Café,before,,,Ad,web,,no,,,,\n").encode("cp1252")
    upload = SimpleUploadedFile("j.csv", body, content_type="text/csv")
    response = as_user(member).post(
        api(org, "journeys/import/"),
        {"name": "From CSV", "audience": audience.pk, "file": upload, "dry_run": True},
        format="multipart",
    )
    assert response.status_code == 200
    assert "not valid UTF-8" in response.json()["warnings"][0]


def test_a_card_added_with_a_name_only_gets_the_channel_its_name_says(as_user, member, stages):
    client = as_user(member)
    sms = client.post(api(stages[0].organization, "touchpoints/"),
                      {"stage": stages[0].pk, "name": "SMS reminder"})  # fmt: skip
    plain = client.post(api(stages[0].organization, "touchpoints/"),
                        {"stage": stages[0].pk, "name": "Welcome pack"})  # fmt: skip
    assert sms.status_code == 201 and sms.json()["channel"] == "sms"
    assert plain.status_code == 201 and plain.json()["channel"] == ""
    assert Touchpoint.objects.get(pk=plain.json()["id"]).channel == ""


def test_a_channel_someone_chose_is_kept(as_user, member, stages):
    response = as_user(member).post(
        api(stages[0].organization, "touchpoints/"),
        {"stage": stages[0].pk, "name": "SMS reminder", "channel": "app"},
    )
    assert response.status_code == 201 and response.json()["channel"] == "app"


def test_link_goals_through_the_api_and_refuse_another_orgs(as_user, member, org, outsider, card):
    from tests.factories import CycleFactory, GoalFactory
    from tests.journeys.conftest import api

    goal = GoalFactory(cycle=CycleFactory(organization=org))
    foreign = GoalFactory(cycle=CycleFactory(organization=outsider.organization))
    client = as_user(member)
    bad = client.patch(api(org, f"touchpoints/{card.pk}/"), {"goals": [foreign.pk], "version": 1})
    assert bad.status_code == 400 and "goals" in bad.json()
    ok = client.patch(api(org, f"touchpoints/{card.pk}/"), {"goals": [goal.pk], "version": 1})
    assert ok.status_code == 200, ok.json()
    assert ok.json()["goals"] == [goal.pk]
    assert list(goal.touchpoints.all()) == [card]
