"""Pages of journeys: tenancy, roles, escaping, query counts and the CSV round trip."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cxalign.orgs.roles import Role
from journeys.models import Audience, Journey, Stage, Touchpoint
from tests.factories import (
    AudienceFactory,
    JourneyFactory,
    MembershipFactory,
    PainPointFactory,
    StageFactory,
    TouchpointFactory,
)
from tests.journeys.conftest import HEADER

pytestmark = pytest.mark.django_db


def url(name, org, **kwargs):
    return reverse(f"journeys:{name}", kwargs={"org_slug": org.slug, **kwargs})


PAGES = ["index", "new", "import", "audiences"]
JOURNEY_PAGES = ["board", "print", "export", "edit"]


@pytest.mark.parametrize("name", PAGES)
def test_outsider_gets_404_on_every_page(client, outsider, org, name):
    client.force_login(outsider.user)
    assert client.get(url(name, org)).status_code == 404


@pytest.mark.parametrize("name", JOURNEY_PAGES)
def test_outsider_gets_404_on_journey_pages(client, outsider, org, journey, name):
    client.force_login(outsider.user)
    assert client.get(url(name, org, pk=journey.pk)).status_code == 404
    # ... and under their own organization the journey does not exist either.
    assert client.get(url(name, outsider.organization, pk=journey.pk)).status_code == 404


@pytest.mark.parametrize("name", PAGES)
def test_viewer_reads_every_page(client, viewer, org, journey, name):
    client.force_login(viewer.user)
    assert client.get(url(name, org)).status_code == 200


@pytest.mark.parametrize("name", JOURNEY_PAGES)
def test_viewer_reads_journey_pages(client, viewer, org, journey, name):
    client.force_login(viewer.user)
    assert client.get(url(name, org, pk=journey.pk)).status_code == 200


def test_viewer_cannot_post_anything(client, viewer, org, audience, journey):
    client.force_login(viewer.user)
    assert (
        client.post(
            url("new", org), {"name": "X", "audience": audience.pk, "start": "blank"}
        ).status_code
        == 403
    )
    assert (
        client.post(url("audiences", org), {"name": "X", "kind": "customer", "rank": 1}).status_code
        == 403
    )
    assert client.post(url("delete", org, pk=journey.pk)).status_code == 403
    assert Journey.objects.filter(pk=journey.pk).exists()


def test_member_cannot_add_audiences_but_cx_lead_can(client, member, cx_lead, org):
    client.force_login(member.user)
    body = {"name": "Enterprise", "kind": "customer", "rank": 2}
    assert client.post(url("audiences", org), body).status_code == 403
    client.force_login(cx_lead.user)
    response = client.post(url("audiences", org), body)
    assert response.status_code == 302
    assert Audience.objects.filter(organization=org, name="Enterprise").exists()


def test_duplicate_audience_name_is_a_form_error(client, cx_lead, org, audience):
    client.force_login(cx_lead.user)
    response = client.post(
        url("audiences", org), {"name": audience.name, "kind": "customer", "rank": 1}
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()


def test_board_escapes_html_in_text(client, member, org, journey, stages):
    TouchpointFactory(stage=stages[0], name='<script>alert("x")</script>')
    client.force_login(member.user)
    body = client.get(url("board", org, pk=journey.pk)).content.decode()
    assert '<script>alert("x")</script>' not in body
    assert "\\u003Cscript\\u003E" in body  # inside json_script, escaped
    body = client.get(url("print", org, pk=journey.pk)).content.decode()
    assert '<script>alert("x")</script>' not in body
    assert "&lt;script&gt;" in body


def test_index_shows_audiences_without_journey(client, viewer, org, audience):
    AudienceFactory(organization=org, name="Forgotten segment")
    JourneyFactory(audience=audience)
    client.force_login(viewer.user)
    body = client.get(url("index", org)).content.decode()
    assert "priority audiences with no journey" in body
    assert "Forgotten segment" in body


def test_empty_states_say_what_to_do(client, member, org):
    client.force_login(member.user)
    assert "Define priority audiences" in client.get(url("index", org)).content.decode()
    journey = JourneyFactory(audience=AudienceFactory(organization=org))
    body = client.get(url("board", org, pk=journey.pk)).content.decode()
    assert 'data-testid="board"' in body


def test_start_from_template(client, member, org, audience):
    client.force_login(member.user)
    response = client.post(
        url("new", org),
        {
            "name": "Onboard SMB",
            "audience": audience.pk,
            "start": "template",
            "template": "b2b-onboarding",
        },
    )
    assert response.status_code == 302
    journey = Journey.objects.get(name="Onboard SMB")
    assert journey.stages.count() == 4
    assert Touchpoint.objects.filter(journey=journey).count() == 9


def test_start_as_copy_keeps_cards_and_pain_points(
    client, member, org, audience, journey, stages, card
):
    PainPointFactory(stage=stages[0], touchpoint=card)
    client.force_login(member.user)
    response = client.post(
        url("new", org),
        {"name": "Future state", "audience": audience.pk, "start": "copy", "source": journey.pk},
    )
    assert response.status_code == 302
    copy = Journey.objects.get(name="Future state")
    assert copy.stages.count() == 3
    copied = Touchpoint.objects.get(journey=copy)
    assert copied.name == card.name
    assert copied.pain_points.count() == 1


def test_start_with_a_taken_name_is_a_form_error(client, member, org, audience, journey):
    client.force_login(member.user)
    response = client.post(
        url("new", org), {"name": journey.name, "audience": audience.pk, "start": "blank"}
    )
    assert response.status_code == 200
    assert "already has a journey" in response.content.decode()


def test_copy_of_another_orgs_journey_is_refused(client, member, org, audience, outsider):
    foreign = JourneyFactory(audience=AudienceFactory(organization=outsider.organization))
    client.force_login(member.user)
    response = client.post(
        url("new", org),
        {"name": "Steal", "audience": audience.pk, "start": "copy", "source": foreign.pk},
    )
    assert response.status_code == 200
    assert not Journey.objects.filter(name="Steal").exists()


def test_journey_settings_stale_version_keeps_text(client, member, org, journey):
    client.force_login(member.user)
    body = {
        "name": "Renamed",
        "audience": journey.audience_id,
        "status": "current",
        "description": "",
        "version": 1,
    }
    assert client.post(url("edit", org, pk=journey.pk), body).status_code == 302
    body["name"] = "Mine"
    response = client.post(url("edit", org, pk=journey.pk), body)
    assert response.status_code == 200
    assert "changed by someone else" in response.content.decode()
    assert 'value="Mine"' in response.content.decode()


def test_export_csv_then_import_it_round_trip(
    client, member, org, audience, journey, stages, card, unit
):
    card.owner = unit
    card.data_fields = ["email", "phone"]
    card.moment_that_matters = True
    card.save()
    client.force_login(member.user)
    csv_body = client.get(url("export", org, pk=journey.pk)).getvalue()
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("j.csv", csv_body, content_type="text/csv")
    preview = client.post(
        url("import", org), {"name": "Imported", "audience": audience.pk, "file": upload}
    )
    assert preview.status_code == 200
    assert 'data-testid="import-preview"' in preview.content.decode()
    assert not Journey.objects.filter(name="Imported").exists()
    content = preview.context["confirm_form"].initial["content"]
    done = client.post(
        url("import", org),
        {"name": "Imported", "audience": audience.pk, "content": content, "confirm": "True"},
    )
    assert done.status_code == 302
    imported = Journey.objects.get(name="Imported")
    assert imported.stages.count() == 3
    copy = Touchpoint.objects.get(journey=imported)
    assert (copy.name, copy.owner_id, copy.data_fields, copy.moment_that_matters) == (
        card.name,
        unit.pk,
        ["email", "phone"],
        True,
    )


@pytest.mark.parametrize("name", ["index", "audiences", "new", "import"])
def test_list_page_queries_do_not_grow(client, viewer, org, name, django_assert_max_num_queries):
    client.force_login(viewer.user)
    audience = AudienceFactory(organization=org)
    journey = JourneyFactory(audience=audience)
    StageFactory(journey=journey)
    with django_assert_max_num_queries(30) as small:
        assert client.get(url(name, org)).status_code == 200
    for _ in range(6):
        a = AudienceFactory(organization=org)
        for _ in range(3):
            j = JourneyFactory(audience=a)
            s = StageFactory(journey=j)
            TouchpointFactory.create_batch(5, stage=s, data_fields=["email"])
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url(name, org)).status_code == 200


@pytest.mark.parametrize("name", ["board", "print", "export"])
def test_editor_queries_do_not_grow_to_30_stages_and_500_touchpoints(
    client, member, org, journey, unit, name, django_assert_max_num_queries
):
    client.force_login(member.user)
    stage = StageFactory(journey=journey)
    TouchpointFactory(stage=stage, owner=unit)
    with django_assert_max_num_queries(30) as small:
        assert client.get(url(name, org, pk=journey.pk)).status_code == 200
    stages = StageFactory.create_batch(29, journey=journey)
    cards = []
    for i in range(499):
        cards.append(
            TouchpointFactory.build(
                stage=stages[i % 29],
                journey=journey,
                organization=org,
                owner=unit if i % 3 else None,
                data_fields=["email"] if i % 7 == 0 else [],
                position=i * 1024,
            )
        )
    Touchpoint.objects.bulk_create(cards)
    for s in stages[:10]:
        PainPointFactory(stage=s)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url(name, org, pk=journey.pk))
    assert response.status_code == 200


def test_other_members_do_not_matter(client, org, journey):
    """A member of two orgs sees each org's journeys under its own slug only."""
    person = MembershipFactory(organization=org, role=Role.MEMBER)
    client.force_login(person.user)
    assert client.get(url("board", org, pk=journey.pk)).status_code == 200


def test_delete_urls_answer_405_to_get(client, cx_lead, org, audience, journey):
    client.force_login(cx_lead.user)
    assert client.get(url("delete", org, pk=journey.pk)).status_code == 405
    assert client.get(url("audience_delete", org, pk=audience.pk)).status_code == 405


def test_member_deletes_a_journey_and_cx_lead_an_empty_audience(
    client, member, cx_lead, org, audience, journey
):
    client.force_login(member.user)
    assert client.post(url("audience_delete", org, pk=audience.pk)).status_code == 403
    assert client.post(url("delete", org, pk=journey.pk)).status_code == 302
    assert not Journey.objects.filter(pk=journey.pk).exists()
    client.force_login(cx_lead.user)
    assert client.post(url("audience_delete", org, pk=audience.pk)).status_code == 302
    assert not Audience.objects.filter(pk=audience.pk).exists()


def test_non_utf8_file_is_read_with_a_warning_and_kept_through_the_confirm_page(
    client, member, org, audience
):
    content = (HEADER + "Café,before,,,Crème brûlée,web,,no,,,,\n").encode("cp1252")
    client.force_login(member.user)
    url = f"/o/{org.slug}/journeys/import/"
    upload = SimpleUploadedFile("j.csv", content, content_type="text/csv")
    preview = client.post(url, {"name": "Imported", "audience": audience.pk, "file": upload})
    page = preview.content.decode()
    assert 'data-testid="import-warnings"' in page
    assert "read as Western European (Windows-1252)" in page
    content = preview.context["confirm_form"].initial["content"]
    done = client.post(
        url, {"name": "Imported", "audience": audience.pk, "content": content, "confirm": "True"}
    )
    assert done.status_code == 302
    journey = Journey.objects.get(name="Imported")
    assert Stage.objects.get(journey=journey).name == "Café"  # was "Caf\ufffd" after confirming
    assert Touchpoint.objects.get(journey=journey).name == "Crème brûlée"
