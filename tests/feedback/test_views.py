"""Pages and API: roles, outsiders, and query counts that do not grow with the data."""

import pytest

from feedback import services
from feedback.models import Response, Source

pytestmark = pytest.mark.django_db


def make_responses(org, n, start=0):
    source, _ = Source.objects.get_or_create(organization=org, name="S")
    Response.objects.bulk_create(
        [
            Response(
                organization=org,
                source=source,
                key=f"k{i}",
                response_id=f"k{i}",
                nps=i % 11,
                comment=f"c {i}",
            )
            for i in range(start, start + n)
        ]
    )


PAGES = ["responses/", "imports/", "themes/", "triage/", "followups/", "customers/"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_render_for_viewer(client, viewer, org, path):
    make_responses(org, 3)
    client.force_login(viewer.user)
    assert client.get(f"/o/{org.slug}/feedback/{path}").status_code == 200


@pytest.mark.parametrize("path", PAGES)
def test_page_queries_do_not_grow(client, cx_lead, org, path, django_assert_max_num_queries):
    client.force_login(cx_lead.user)
    services.theme_create(organization=org, data={"name": "T"}, patterns=["c"])
    make_responses(org, 3)
    with django_assert_max_num_queries(25):
        client.get(f"/o/{org.slug}/feedback/{path}")
    make_responses(org, 200, start=3)
    with django_assert_max_num_queries(25):
        client.get(f"/o/{org.slug}/feedback/{path}")


def test_comment_html_is_escaped(client, viewer, org):
    source = Source.objects.create(organization=org, name="S")
    Response.objects.create(
        organization=org, source=source, key="x", comment="<script>alert(1)</script>"
    )
    client.force_login(viewer.user)
    body = client.get(f"/o/{org.slug}/feedback/responses/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert(1)" not in body


def test_export_neutralises_formulas(client, viewer, org):
    source = Source.objects.create(organization=org, name="S")
    Response.objects.create(
        organization=org, source=source, key="x", comment="=HYPERLINK(1)", segment="+seg"
    )
    client.force_login(viewer.user)
    response = client.get(f"/o/{org.slug}/feedback/responses/export/?format=csv")
    body = b"".join(response.streaming_content).decode()
    assert "'=HYPERLINK(1)" in body and "'+seg" in body
    xlsx = client.get(f"/o/{org.slug}/feedback/responses/export/?format=xlsx")
    assert xlsx.status_code == 200


def test_feedback_root_leads_to_responses(client, viewer, outsider, org):
    client.force_login(viewer.user)
    assert client.get(f"/o/{org.slug}/feedback/")["Location"].endswith("/feedback/responses/")
    client.force_login(outsider.user)
    assert client.get(f"/o/{org.slug}/feedback/").status_code == 404


def test_viewer_cannot_upload(client, viewer, org):
    client.force_login(viewer.user)
    assert client.post(f"/o/{org.slug}/feedback/imports/", {}).status_code == 403


def test_member_can_save_followup_but_not_for_promoters(client, member, org):
    make_responses(org, 11)
    detractor = Response.objects.get(nps=3)
    client.force_login(member.user)
    client.post(
        f"/o/{org.slug}/feedback/followups/{detractor.pk}/",
        {"status": "contacted", "owner": member.pk, "note": "called"},
    )
    assert detractor.followup.status == "contacted"
    promoter = Response.objects.get(nps=10)
    client.post(f"/o/{org.slug}/feedback/followups/{promoter.pk}/", {"status": "contacted"})
    assert not hasattr(Response.objects.get(pk=promoter.pk), "followup_cache")


def api(org, rest=""):
    return f"/api/v1/orgs/{org.slug}/feedback/{rest}"


@pytest.mark.parametrize("rest", ["responses/", "imports/", "themes/", "sources/", "customers/"])
def test_api_outsider_404(as_user, outsider, org, rest):
    assert as_user(outsider).get(api(org, rest)).status_code == 404


@pytest.mark.parametrize("rest", ["responses/", "imports/", "themes/", "sources/", "customers/"])
def test_api_list_queries_do_not_grow(as_user, viewer, org, rest, django_assert_max_num_queries):
    make_responses(org, 3)
    client = as_user(viewer)
    with django_assert_max_num_queries(12):
        assert client.get(api(org, rest)).status_code == 200
    make_responses(org, 100, start=3)
    with django_assert_max_num_queries(12):
        client.get(api(org, rest))


def test_api_viewer_cannot_create_theme(as_user, viewer, org):
    assert as_user(viewer).post(api(org, "themes/"), {"name": "X"}).status_code == 403


def test_api_cx_lead_creates_theme_and_rule(as_user, cx_lead, org):
    client = as_user(cx_lead)
    created = client.post(api(org, "themes/"), {"name": "Delivery", "business_need": "On time"})
    assert created.status_code == 201, created.json()
    theme = created.json()
    stale = client.patch(api(org, f"themes/{theme['id']}/"), {"name": "D", "version": 99})
    assert stale.status_code == 409
    assert (
        client.post(api(org, f"themes/{theme['id']}/rules/"), {"pattern": "Late!"}).json()[
            "pattern"
        ]
        == "late"
    )


def test_api_upload_rejects_png(as_user, cx_lead, org):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = as_user(cx_lead).post(
        api(org, "imports/"),
        {"file": SimpleUploadedFile("x.csv", b"\x89PNG\r\n\x1a\n"), "source": "S"},
        format="multipart",
    )
    assert response.status_code == 400
    assert "PNG" in str(response.json())


def test_api_import_flow_upload_check_commit(
    as_user, cx_lead, org, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = as_user(cx_lead)
    text = b"Response ID,NPS,Comment\nR1,9,good\nR2,11,bad score\nR3,3,late\n"
    created = client.post(
        api(org, "imports/"),
        {"file": SimpleUploadedFile("f.csv", text), "source": "API survey"},
        format="multipart",
    )
    assert created.status_code == 201, created.json()
    batch = created.json()
    assert batch["column_mapping"] == {
        "response_id": "Response ID",
        "nps": "NPS",
        "comment": "Comment",
    }
    with django_capture_on_commit_callbacks(execute=True):
        checked = client.post(
            api(org, f"imports/{batch['id']}/preview/"), {"column_mapping": batch["column_mapping"]}
        )
    assert checked.status_code == 202
    detail = client.get(api(org, f"imports/{batch['id']}/")).json()
    assert (detail["status"], detail["rows_new"], detail["rows_rejected"]) == ("previewed", 2, 1)
    assert detail["errors"] == [
        {"row": 3, "column": "NPS", "message": "'11' is not a whole number from 0 to 10."}
    ]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(api(org, f"imports/{batch['id']}/commit/"), {"all_or_nothing": False})
    assert client.get(api(org, f"imports/{batch['id']}/")).json()["status"] == "succeeded"
    assert client.get(api(org, "responses/?band=detractor")).json()["count"] == 1


def test_api_viewer_cannot_upload(as_user, viewer, org):
    assert as_user(viewer).post(api(org, "imports/"), {}).status_code == 403


def test_api_followup_for_detractor(as_user, member, viewer, org):
    make_responses(org, 11)
    detractor = Response.objects.get(nps=2)
    url = api(org, f"responses/{detractor.pk}/followup/")
    assert as_user(viewer).post(url, {"status": "contacted"}).status_code == 403
    response = as_user(member).post(
        url, {"status": "contacted", "owner": member.pk, "note": "Called"}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "contacted"
    promoter = Response.objects.get(nps=9)
    assert (
        as_user(member)
        .post(api(org, f"responses/{promoter.pk}/followup/"), {"status": "open"})
        .status_code
        == 400
    )


def test_member_triages_viewer_cannot(client, member, viewer, org):
    make_responses(org, 2)
    theme = services.theme_create(organization=org, data={"name": "Other"})
    response = Response.objects.first()
    client.force_login(viewer.user)
    assert (
        client.post(
            f"/o/{org.slug}/feedback/triage/{response.pk}/tag/", {"theme": theme.pk}
        ).status_code
        == 403
    )
    client.force_login(member.user)
    client.post(f"/o/{org.slug}/feedback/triage/{response.pk}/tag/", {"theme": theme.pk})
    response.refresh_from_db()
    assert (response.theme_ids, response.manual_theme_ids) == ([theme.pk], [theme.pk])


def test_member_cannot_tag_with_another_orgs_theme(client, member, org, other_org):
    make_responses(org, 1)
    foreign = services.theme_create(organization=other_org, data={"name": "Foreign"})
    client.force_login(member.user)
    client.post(
        f"/o/{org.slug}/feedback/triage/{Response.objects.get().pk}/tag/", {"theme": foreign.pk}
    )
    assert Response.objects.get().theme_ids == []


def test_xlsx_export_neutralises_formulas(client, viewer, org):
    from io import BytesIO

    from openpyxl import load_workbook

    source = Source.objects.create(organization=org, name="S")
    Response.objects.create(organization=org, source=source, key="x", comment="@SUM(A1)")
    client.force_login(viewer.user)
    response = client.get(f"/o/{org.slug}/feedback/responses/export/?format=xlsx")
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    assert sheet.cell(row=2, column=12).value == "'@SUM(A1)"


def test_api_theme_delete_removes_its_tags(as_user, cx_lead, org):
    make_responses(org, 3)
    theme = services.theme_create(organization=org, data={"name": "C"}, patterns=["c"])
    services.themes_retag(organization=org)
    assert Response.objects.filter(theme_ids__has=theme.pk).count() == 3
    assert as_user(cx_lead).delete(api(org, f"themes/{theme.pk}/")).status_code == 204
    assert list(Response.objects.values_list("theme_ids", flat=True)) == [[], [], []]


def test_retag_page_runs_the_task(client, cx_lead, org):
    make_responses(org, 2)
    services.theme_create(organization=org, data={"name": "C"}, patterns=["c"])
    client.force_login(cx_lead.user)
    response = client.post(f"/o/{org.slug}/feedback/themes/retag/")
    assert response.status_code == 302


def test_response_detail_and_followups_show_the_customers_value(client, member, org):
    from feedback.models import Customer

    source = Source.objects.create(organization=org, name="S")
    response = Response.objects.create(
        organization=org, source=source, key="R1", customer_id="C1", nps=2, comment="bad"
    )
    Customer.objects.create(organization=org, customer_id="C1", segment="smb", clv=12345)
    client.force_login(member.user)
    assert (
        "CLV €12,345.00"
        in client.get(f"/o/{org.slug}/feedback/responses/{response.pk}/").content.decode()
    )
    assert "CLV €12,345.00" in client.get(f"/o/{org.slug}/feedback/followups/").content.decode()


def test_stale_followup_save_is_refused_with_a_message(client, member, org):
    make_responses(org, 11)
    detractor = Response.objects.get(nps=4)
    url = f"/o/{org.slug}/feedback/followups/{detractor.pk}/"
    client.force_login(member.user)
    client.post(url, {"status": "contacted", "note": "first"})
    client.post(url, {"status": "resolved", "note": "second", "version": 1})
    page = client.post(url, {"status": "open", "note": "stale", "version": 1}, follow=True)
    assert "changed by someone else" in page.content.decode()
    detractor.followup.refresh_from_db()
    assert (detractor.followup.status, detractor.followup.note) == ("resolved", "second")


# ---------------------------------------------------------------- the responses endpoint's filters

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


# ---------------------------------------------------------------- sources


def test_source_edit_page_saves_and_keeps_the_text_of_a_stale_save(client, cx_lead, viewer, org):
    source = Source.objects.create(organization=org, name="Survey")
    url = f"/o/{org.slug}/feedback/sources/{source.pk}/"
    client.force_login(viewer.user)
    assert client.post(url, {"name": "X", "kind": "generic", "version": 1}).status_code == 403
    client.force_login(cx_lead.user)
    assert 'name="version"' in client.get(url).content.decode()
    saved = client.post(url, {"name": "NPS survey", "kind": "generic", "version": 1})
    assert saved.status_code == 302
    source.refresh_from_db()
    assert (source.name, source.version) == ("NPS survey", 2)
    stale = client.post(url, {"name": "Mine", "kind": "generic", "version": 1})
    assert stale.status_code == 200 and "Mine" in stale.content.decode()
    source.refresh_from_db()
    assert source.name == "NPS survey"


def test_page_and_api_uploads_resolve_the_same_source(client, as_user, cx_lead, org):
    from django.core.files.uploadedfile import SimpleUploadedFile

    def csv_file():
        return SimpleUploadedFile("f.csv", b"Response ID,NPS\nR1,9\n")

    client.force_login(cx_lead.user)
    page = client.post(
        f"/o/{org.slug}/feedback/imports/",
        {"file": csv_file(), "kind": "feedback", "new_source": "Qualtrics"},
    )
    assert page.status_code == 302
    created = as_user(cx_lead).post(
        api(org, "imports/"), {"file": csv_file(), "source": " Qualtrics "}, format="multipart"
    )
    assert created.status_code == 201, created.json()
    source = Source.objects.get(organization=org)  # one source: the API found the page's
    assert created.json()["source"] == source.name == "Qualtrics"
    chosen = client.post(
        f"/o/{org.slug}/feedback/imports/",
        {"file": csv_file(), "kind": "feedback", "source": source.pk, "new_source": "Other"},
    )
    assert chosen.status_code == 302 and Source.objects.filter(organization=org).count() == 1
    nameless = as_user(cx_lead).post(
        api(org, "imports/"), {"file": csv_file(), "source": ""}, format="multipart"
    )
    assert nameless.status_code == 400 and "source" in nameless.json()
