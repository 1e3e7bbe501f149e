"""Journey CSV files (journeys/csvio.py): a preview that names bad rows, all or nothing, text
kept as text, odd encodings, NUL bytes and unclosed quotes, the channel read from a name."""

import pytest

from journeys import services
from journeys.csvio import parse_journey_csv
from journeys.models import Journey, Stage, Touchpoint
from tests.journeys.conftest import HEADER

pytestmark = pytest.mark.django_db


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


def test_nul_bytes_are_dropped(org, audience):
    result = _import(org, audience, HEADER + "Dis\x00cover,before,,,Ad\x00,web,,no,,,,\n")
    assert result["errors"] == []
    assert Stage.objects.get(journey=result["journey"]).name == "Discover"


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


def test_a_csv_row_without_a_channel_is_read_from_its_name(org):
    text = (
        "stage,touchpoint,channel\n"
        "Discover,Trade fair stand,\n"
        "Discover,Welcome email,\n"
        "Buy,Order line,phone\n"
    )
    result = parse_journey_csv(text.encode(), organization=org)
    assert not result["errors"], result["errors"]
    channels = {t["name"]: t["channel"] for s in result["stages"] for t in s["touchpoints"]}
    assert channels == {"Trade fair stand": "", "Welcome email": "email", "Order line": "phone"}
