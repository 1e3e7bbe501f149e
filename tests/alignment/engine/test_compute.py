"""Every figure of the links document against an independent computation (pandas/numpy/scipy).

The same tests run on PostgreSQL (in process) and on the embedded SQLite (`test_on_sqlite`
runs this module again in a subprocess with no DATABASE_URL).
"""

import datetime
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from alignment.engine.compute import compute
from alignment.engine.periods import window_for
from tests.alignment import company

TOL = {"abs": 1e-9, "rel": 1e-9}
Q2 = (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))
Q3 = (datetime.date(2026, 7, 1), datetime.date(2026, 9, 30))
F_KEYS = ("responses", "promoters", "passives", "detractors", "nps", "se", "ci95_low",
          "ci95_high", "adjusted_nps", "adjusted_low", "adjusted_high")  # fmt: skip


def approx(value):
    return None if value is None or value != value else pytest.approx(value, **TOL)


def div(a, b):
    """a / b, None when undefined (the contract's nulls)."""
    if a is None or b is None or b != b or a != a or b == 0:
        return None
    return a / b


@pytest.fixture
def planted(org):
    themes = company.theme_setup(org)
    company.build(org, theme_ids=themes)
    window = window_for(inputs_due_on=datetime.date(2026, 11, 15), horizon_days=90)
    document, _ = compute(organization=org, window=window)
    responses, customers = company.frames(org)
    periods = {"previous": Q2, "current": Q3}
    return {"doc": document, "responses": responses, "customers": customers,
            "periods": periods, "window": window, "org": org}  # fmt: skip


def test_default_periods_are_the_last_full_quarter_and_the_one_before(planted):
    periods = planted["doc"]["periods"]
    assert periods["current"] == {"first_day": "2026-07-01", "last_day": "2026-09-30",
                                  "churn_cutoff": "2026-12-29"}  # fmt: skip
    assert periods["previous"]["first_day"] == "2026-04-01"
    assert periods["previous"]["last_day"] == "2026-06-30"


@pytest.mark.parametrize("segment", ["all", "SMB", "Mid-market", "Enterprise", "(no segment)"])
def test_response_level_nps_matches_independent_computation(planted, segment):
    entry = planted["doc"]["nps"][segment]
    expected = {}
    for period, (first, last) in planted["periods"].items():
        rows = company.in_period(planted["responses"], first, last)
        if segment != "all":
            rows = rows[rows["segment"] == ("" if segment == "(no segment)" else segment)]
        expected[period] = company.nps_parts(rows["nps"].astype(float).to_numpy())
        for key in F_KEYS:
            assert entry[period][key] == approx(expected[period].get(key)), (period, key)
    change = expected["current"]["nps"] - expected["previous"]["nps"]
    z = change / np.sqrt(expected["previous"]["se"] ** 2 + expected["current"]["se"] ** 2)
    assert entry["change_points"] == approx(change)
    assert entry["change_z"] == approx(z)
    assert entry["significant"] == bool(abs(z) >= 1.96)


@pytest.mark.parametrize("segment", ["all", "SMB", "Mid-market", "Enterprise"])
@pytest.mark.parametrize("period", ["previous", "current"])
def test_customer_links_match_independent_computation(planted, segment, period):
    first, last = planted["periods"][period]
    cutoff = last + datetime.timedelta(days=90)
    rows = company.in_period(planted["responses"], first, last)
    latest = company.latest_per_customer(rows, planted["customers"], cutoff)
    if segment != "all":
        latest = latest[latest["segment"] == segment]
    links = planted["doc"]["links"][segment][period]
    assert links["customers"] == len(latest)
    assert links["churned"] == int(latest["churned"].sum())
    assert links["churn_rate"] == approx(latest["churned"].mean())
    score = latest["nps"].astype(float).to_numpy()
    groups = {
        "promoters": score >= 9,
        "passives": (score >= 7) & (score < 9),
        "detractors": score <= 6,
    }
    money = {}
    for cls, mask in groups.items():
        money[cls] = company.class_money(latest[mask])
        for key, value in money[cls].items():
            assert links[cls][key] == approx(value), (cls, key)
    assert links["revenue_at_risk"] == approx(money["detractors"]["revenue_sum"])
    assert links["churn_ratio_detractors_to_promoters"] == approx(
        div(money["detractors"]["churn_rate"], money["promoters"]["churn_rate"])
    )
    assert links["clv_mean_ratio_promoters_to_detractors"] == approx(
        div(money["promoters"]["clv_mean"], money["detractors"]["clv_mean"])
    )
    assert links["clv_median_ratio_promoters_to_detractors"] == approx(
        div(money["promoters"]["clv_median"], money["detractors"]["clv_median"])
    )
    churned = latest["churned"].astype(float).to_numpy()
    r, p = company.pearson(score, churned)
    rs, ps = company.spearman(score, churned)
    assert links["score_vs_churned"] == {"pearson_r": approx(r), "pearson_p": approx(p),
                                         "spearman_r": approx(rs), "spearman_p": approx(ps)}  # fmt: skip
    known = latest["clv"].notna().to_numpy()
    clv = np.array([float(v) for v in latest["clv"][known]])
    r, p = company.pearson(score[known], clv)
    assert links["score_vs_clv"]["pearson_r"] == approx(r)
    assert links["score_vs_clv"]["pearson_p"] == approx(p)


def test_planted_relation_detractors_churn_more_in_every_segment(planted):
    for segment in company.PLANTED:
        ratio = planted["doc"]["links"][segment]["current"]["churn_ratio_detractors_to_promoters"]
        assert ratio is not None and ratio > 1, segment


def test_value_of_moving_is_the_sum_over_segments_and_names_simpson(planted):
    doc = planted["doc"]
    value = doc["value_of_moving"]
    expected, churn = 0.0, 0.0
    for segment in doc["links"]:
        if segment == "all":
            continue
        cur = doc["links"][segment]["current"]
        moved = 0.1 * cur["detractors"]["customers"]
        expected += moved * (cur["promoters"]["clv_mean"] - cur["detractors"]["clv_mean"])
        churn += moved * (cur["detractors"]["churn_rate"] - cur["promoters"]["churn_rate"])
    assert value["value"] == approx(expected)
    assert value["churn_avoided"] == approx(churn)
    pooled = doc["links"]["all"]["current"]["clv_mean_ratio_promoters_to_detractors"]
    segment_sides = [doc["links"][s]["current"]["clv_mean_ratio_promoters_to_detractors"] > 1
                     for s in company.PLANTED]  # fmt: skip
    assert all(segment_sides) and pooled < 1  # the planted paradox
    assert value["simpson"] is True
    assert "Simpson" in value["simpson_message"] and "3 of 3 segments" in value["simpson_message"]


def test_themes_share_nps_and_ratio(planted):
    responses = planted["responses"]
    for name, entry in planted["doc"]["themes"].items():
        shares = {}
        for period, (first, last) in planted["periods"].items():
            rows = company.in_period(responses, first, last)
            tagged = rows[[entry["theme_id"] in ids for ids in rows["theme_ids"]]]
            shares[period] = len(tagged) / len(rows)
            assert entry[period]["responses"] == len(tagged)
            assert entry[period]["share"] == approx(shares[period])
            assert entry[period]["nps"] == approx(
                company.nps_parts(tagged["nps"].astype(float).to_numpy()).get("nps")
            )
        assert entry["share_ratio_current_to_previous"] == approx(
            shares["current"] / shares["previous"]
        ), name


def test_touchpoints_and_data_quality(planted):
    responses, doc = planted["responses"], planted["doc"]
    first, last = planted["periods"]["current"]
    rows = company.in_period(responses, first, last)
    for name in ("Checkout", "Delivery", "Support call"):
        expected = company.nps_parts(
            rows[rows["touchpoint_name"] == name]["nps"].astype(float).to_numpy()
        )
        assert doc["touchpoints"][name]["current"]["nps"] == approx(expected["nps"])
    assert "" not in doc["touchpoints"]
    known = set(planted["customers"]["customer_id"])
    linked = int(rows["customer_id"].isin(known).sum())
    quality = doc["data_quality"]["current"]
    assert quality["responses"] == len(rows)
    assert quality["linked"] == linked
    assert quality["unlinked"] == len(rows) - linked
    assert quality["unlinked_share"] == approx((len(rows) - linked) / len(rows))
    assert quality["unknown_touchpoint_responses"] == int((rows["touchpoint_name"] != "").sum())


def test_kpi_values_csat_ces_and_onboarding(planted):
    doc, responses, customers = planted["doc"], planted["responses"], planted["customers"]
    first, last = planted["periods"]["current"]
    rows = company.in_period(responses, first, last)
    csat = rows["csat"].dropna()
    ces = rows["ces"].dropna()
    assert doc["kpis"]["csat"]["all"]["current"] == approx(100 * (csat >= 4).mean())
    assert doc["kpis"]["ces"]["all"]["current"] == approx(ces.mean())
    assert doc["kpis"]["nps"]["all"]["current"] == approx(doc["nps"]["all"]["current"]["nps"])
    started = customers[(customers["start_date"] >= first) & (customers["start_date"] <= last)]
    known = started[started["onboarding_success"].notna()]
    rate = known["onboarding_success"].astype(bool).mean()
    assert doc["kpis"]["onboarding_success_rate"]["all"]["current"] == approx(100 * rate)


def test_time_zone_decides_the_period_of_a_response(org):
    """00:30 UTC on 1 July is still 30 June in New York: the previous period."""
    from feedback.models import Response, Source

    org.time_zone = "America/New_York"
    org.save()
    source = Source.objects.create(organization=org, name="S")
    at = datetime.datetime(2026, 7, 1, 0, 30, tzinfo=datetime.UTC)
    Response.objects.create(organization=org, source=source, key="k", nps=10, responded_at=at)
    window = window_for(inputs_due_on=datetime.date(2026, 11, 1), horizon_days=90)
    document, _ = compute(organization=org, window=window)
    assert document["nps"]["all"]["previous"]["responses"] == 1
    assert document["nps"]["all"]["current"]["responses"] == 0


def test_latest_response_ties_break_by_response_id_then_row(org):
    """A customer's latest scored response in a period: the greatest instant, then the greatest
    response id in byte order ("b" after "A"), then the greatest row id; on both databases."""
    from feedback.models import Customer, Response, Source

    source = Source.objects.create(organization=org, name="S")
    Customer.objects.create(organization=org, customer_id="C1", segment="SMB")
    Customer.objects.create(organization=org, customer_id="C2", segment="SMB")
    at = datetime.datetime(2026, 8, 14, 9, 0, tzinfo=datetime.UTC)
    early = at - datetime.timedelta(seconds=1)
    for key, cid, response_id, score, when in [
        ("k1", "C1", "b", 3, at), ("k2", "C1", "A", 10, at), ("k3", "C1", "z", 9, early),
        ("k4", "C2", "same", 2, at), ("k5", "C2", "same", 8, at),  # same id: the later row
        ("k6", "C2", "zz", 0, at + datetime.timedelta(days=-60)),  # the previous period
    ]:  # fmt: skip
        Response.objects.create(organization=org, source=source, key=key, customer_id=cid,
                                response_id=response_id, nps=score, responded_at=when)  # fmt: skip
    window = window_for(inputs_due_on=datetime.date(2026, 11, 1), horizon_days=90)
    document, _ = compute(organization=org, window=window)
    current = document["links"]["all"]["current"]
    # C1's latest is "b" (3, a detractor), C2's the later row (8, a passive).
    assert (current["customers"], current["detractors"]["customers"]) == (2, 1)
    assert (current["passives"]["customers"], current["promoters"]["customers"]) == (1, 0)
    assert document["links"]["all"]["previous"]["detractors"]["customers"] == 1


def test_a_segment_with_customers_in_one_period_only(org):
    """Each period's links are computed on their own: a segment seen only now still has its
    previous period, with no customers and null figures, and its own dict (not shared)."""
    from feedback.models import Customer, Response, Source

    source = Source.objects.create(organization=org, name="S")
    Customer.objects.create(organization=org, customer_id="C1", segment="SMB")
    Customer.objects.create(organization=org, customer_id="C2", segment="Enterprise")
    at = datetime.datetime(2026, 8, 14, 9, 0, tzinfo=datetime.UTC)
    for key, cid, score, when in [("k1", "C1", 10, at), ("k2", "C2", 2, at),
                                  ("k3", "C1", 9, at - datetime.timedelta(days=90))]:  # fmt: skip
        Response.objects.create(organization=org, source=source, key=key, customer_id=cid,
                                nps=score, responded_at=when)  # fmt: skip
    window = window_for(inputs_due_on=datetime.date(2026, 11, 1), horizon_days=90)
    document, _ = compute(organization=org, window=window)
    links = document["links"]
    assert list(links) == ["all", "Enterprise", "SMB"]
    assert links["Enterprise"]["current"]["detractors"]["customers"] == 1
    assert links["Enterprise"]["previous"]["customers"] == 0
    assert links["Enterprise"]["previous"]["clv_mean"] is None
    assert links["SMB"]["previous"]["promoters"]["customers"] == 1
    assert links["Enterprise"]["previous"] is not links["all"]["previous"]


def test_empty_organization_gives_nulls_not_errors(org):
    window = window_for(inputs_due_on=datetime.date(2026, 11, 1), horizon_days=90)
    document, _ = compute(organization=org, window=window)
    assert document["nps"]["all"]["current"]["nps"] is None
    assert document["nps"]["all"]["change_z"] is None
    assert document["links"]["all"]["current"]["customers"] == 0
    assert document["links"]["all"]["current"]["score_vs_churned"]["pearson_r"] is None
    assert document["value_of_moving"]["value"] == 0
    assert document["data_quality"]["current"]["unlinked_share"] is None


def test_on_sqlite():
    """This module again, on the embedded SQLite database, in a subprocess."""
    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "DATABASE_URL": "", "REDIS_URL": "", "CXALIGN_SQLITE_RUN": "1"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            __file__,
            "-q",
            "-p",
            "no:cacheprovider",
            "-k",
            "not test_on_sqlite",
            "--nomigrations",  # tables from the models: the SQLite migrations have own tests
        ],  # fmt: skip
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,  # fmt: skip
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and " failed" not in result.stdout


@pytest.mark.django_db(transaction=True)
def test_parallel_reads_give_the_same_document_as_serial_reads(org):
    """On PostgreSQL outside a transaction the reads run on their own connections at once."""
    from django.db import connection, transaction

    company.build(org, theme_ids=company.theme_setup(org))
    window = window_for(inputs_due_on=datetime.date(2026, 11, 15), horizon_days=90)
    parallel, timings = compute(organization=org, window=window)
    with transaction.atomic():  # inside a transaction: serial, on this connection
        serial, _ = compute(organization=org, window=window)
    assert parallel == serial
    assert set(timings) == {
        f"{read}_{period}"
        for read in ("customers", "responses", "onboarding")
        for period in ("current", "previous")
    } | {"figures"}
    assert connection.vendor != "postgresql" or parallel["nps"]["all"]["current"]["responses"] > 0


@pytest.mark.django_db(transaction=True)
def test_inputs_are_counted_on_their_own_connection_beside_the_reads(org):
    """Outside a transaction on PostgreSQL the inputs are counted while the reads run; inside
    one, after them: the same inputs and the same document either way."""
    from django.db import connection, transaction

    from alignment.engine.compute import compute_with_inputs, inputs_of

    company.build(org, theme_ids=company.theme_setup(org))
    window = window_for(inputs_due_on=datetime.date(2026, 11, 15), horizon_days=90)
    document, timings, inputs = compute_with_inputs(organization=org, window=window)
    with transaction.atomic():
        serial = compute_with_inputs(organization=org, window=window)
    assert inputs == inputs_of(org) == serial[2]
    assert inputs["responses_total"] > 0 and document == serial[0]
    assert ("inputs" in timings) == (connection.vendor == "postgresql")
