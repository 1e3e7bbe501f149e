"""CSV import: a preview that names bad rows, and all or nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from journeys import services
from journeys.models import Journey, Stage, Touchpoint
from tests.journeys.conftest import api

pytestmark = pytest.mark.django_db

HEADER = "stage,phase,stage_emotion,customer_actions,touchpoint,channel,owner,moment_that_matters,customer_action,data_fields,pain_points,notes\n"


def _import(org, audience, text, dry_run=False, name="Imported"):
    return services.journey_import_csv(
        organization=org, audience=audience, name=name, content=text.encode(), dry_run=dry_run
    )


def test_good_file_imports_stages_in_order(org, audience, unit):
    text = HEADER + (
        "Discover,before,1,,Ad,social,,no,,,,\n"
        f"Buy,during,-1,,Checkout,web,{unit.name},yes,,email; phone,Slow page,\n"
        "Discover,before,1,,Site,web,,no,,,,\n"
        "Renew,after,,,,,,,,,,\n"
    )
    result = _import(org, audience, text)
    assert result["errors"] == []
    journey = result["journey"]
    assert list(Stage.objects.filter(journey=journey).values_list("name", flat=True)) == [
        "Discover",
        "Buy",
        "Renew",
    ]
    checkout = Touchpoint.objects.get(journey=journey, name="Checkout")
    assert (checkout.owner_id, checkout.data_fields, checkout.moment_that_matters) == (
        unit.pk,
        ["email", "phone"],
        True,
    )
    assert checkout.pain_points.get().text == "Slow page"


def test_bad_rows_are_named_and_nothing_is_written(org, audience):
    text = HEADER + (
        "Discover,before,1,,Ad,social,,no,,,,\n"
        ",during,,,Nameless stage,web,,no,,,,\n"
        "Buy,sometime,9,,Checkout,pigeon,Nobody,maybe,,,,\n"
        f"Buy,during,,,{'x' * 10_000},web,,no,,,,\n"
    )
    result = _import(org, audience, text)
    rows = {e["row"]: " ".join(e["messages"]) for e in result["errors"]}
    assert set(rows) == {3, 4, 5}
    assert "stage name is empty" in rows[3]
    for part in ("phase", "stage_emotion", "channel", "owner", "moment_that_matters"):
        assert part in rows[4]
    assert "at most 200" in rows[5]
    assert result["journey"] is None
    assert not Journey.objects.filter(name="Imported").exists()
    assert not Touchpoint.objects.exists()


def test_missing_columns_and_empty_files(org, audience):
    assert (
        "missing: touchpoint"
        in _import(org, audience, "stage,phase\nA,before\n")["errors"][0]["messages"][0]
    )
    assert _import(org, audience, "")["errors"]
    assert "no stages" in _import(org, audience, HEADER)["errors"][0]["messages"][0]


def test_html_and_formulas_are_kept_as_text(org, audience):
    text = HEADER + '<b>Stage</b>,before,,,"<script>x()</script>",web,,no,,,,\'=HYPERLINK(1)\n'
    result = _import(org, audience, text)
    assert result["errors"] == []
    tp = Touchpoint.objects.get(journey=result["journey"])
    assert tp.name == "<script>x()</script>"
    assert tp.notes == "=HYPERLINK(1)"


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


def test_dry_run_writes_nothing(org, audience):
    result = _import(org, audience, HEADER + "A,before,,,B,web,,no,,,,\n", dry_run=True)
    assert result["errors"] == [] and result["journey"] is None
    assert not Journey.objects.exists()


def test_non_utf8_file_is_read(org, audience):
    content = (HEADER + "Café,before,,,Crème,web,,no,,,,\n").encode("cp1252")
    result = services.journey_import_csv(
        organization=org, audience=audience, name="J", content=content
    )
    assert result["errors"] == []
    assert Stage.objects.get(journey=result["journey"]).name == "Café"


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


def test_nul_bytes_are_dropped(org, audience):
    result = _import(org, audience, HEADER + "Dis\x00cover,before,,,Ad\x00,web,,no,,,,\n")
    assert result["errors"] == []
    assert Stage.objects.get(journey=result["journey"]).name == "Discover"


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


def test_nul_bytes_are_dropped_with_a_warning(org, audience):
    result = _import(org, audience, HEADER + "Discover,before,,,Ad\x00,web,,no,,,,\n", dry_run=True)
    assert result["errors"] == []
    assert result["warnings"] == ["Row 2: 1 NUL character(s) (\\0) removed; they cannot be stored."]


def test_unclosed_quote_is_named_not_swallowed(org, audience):
    text = HEADER + (
        "Discover,before,,,Ad,web,,no,,,,\n"
        'Buy,during,,,"Checkout,web,,no,,,,\n'
        "Renew,after,,,Mail,email,,no,,,,\n"
    )
    result = _import(org, audience, text)
    assert result["journey"] is None
    [error] = result["errors"]
    assert error["row"] == 3
    assert error["messages"][0].startswith('Row 3: a quote (") opens in this row')
    assert not Journey.objects.filter(name="Imported").exists()


def test_wide_rows_are_refused(org, audience):
    result = _import(org, audience, HEADER + "Discover,before" + ",x" * 600 + "\n")
    assert "at most 500 columns are read" in result["errors"][0]["messages"][0]


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
