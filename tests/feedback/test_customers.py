"""The customers page: money with the organization's currency, whitelisted sorting, figures per
segment from the one metric definitions (checked against numpy), links to each customer's
responses and follow-ups."""

import datetime
from decimal import Decimal

import numpy as np
import pytest

from feedback import customers
from feedback.models import Customer, Response, Source

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 30)


def url(org, query=""):
    return f"/o/{org.slug}/feedback/customers/?{query}"


def make_customers(org, n, *, seed=7, start=0):
    """n customers over three segments (and none), random CLVs in cents, some churned (one
    with a churn date after TODAY: notice given, not churned yet), some without a CLV."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(start, start + n):
        churn = rng.random()
        rows.append(
            Customer(
                organization=org,
                customer_id=f"C{i:05d}",
                segment=["smb", "key", "horeca", ""][i % 4],
                clv=None if i % 7 == 3 else Decimal(int(rng.integers(1, 10**9))).scaleb(-2),
                revenue=Decimal(int(rng.integers(1, 10**7))).scaleb(-2),
                churned_on=(TODAY - datetime.timedelta(days=5)) if churn < 0.2
                else (TODAY + datetime.timedelta(days=5)) if churn > 0.95 else None,
            )
        )  # fmt: skip
    Customer.objects.bulk_create(rows)
    return rows


def test_segment_figures_equal_an_independent_numpy_computation(org):
    rows = make_customers(org, 500)
    totals = customers.segment_totals(Customer.objects.for_org(org), today=TODAY)
    segment = np.array([r.segment for r in rows])
    churned = np.array([r.churned_on is not None and r.churned_on <= TODAY for r in rows])
    clv = np.array([np.nan if r.clv is None else float(r.clv) for r in rows])
    by_name = {s["segment"]: s for s in totals["segments"]}
    assert set(by_name) == {"smb", "key", "horeca", ""}
    for name, figures in [*by_name.items(), (None, totals["total"])]:
        mask = np.ones(len(rows), bool) if name is None else segment == name
        assert figures["customers"] == mask.sum()
        assert figures["churn_rate"] == pytest.approx(churned[mask].mean(), rel=1e-9, abs=1e-12)
        assert float(figures["mean_clv"]) == pytest.approx(np.nanmean(clv[mask]), rel=1e-9)
        assert isinstance(figures["mean_clv"], Decimal)  # unrounded: rounding is the template's


def test_no_customers_gives_no_figures(org):
    totals = customers.segment_totals(Customer.objects.for_org(org), today=TODAY)
    assert totals["segments"] == []
    assert (totals["total"]["churn_rate"], totals["total"]["mean_clv"]) == (None, None)


@pytest.mark.parametrize(
    "key", [*customers.CUSTOMER_SORTS, *(f"-{k}" for k in customers.CUSTOMER_SORTS)]
)
def test_each_whitelisted_sort_orders_the_rows_with_empty_values_last(client, viewer, org, key):
    rows = make_customers(org, 40)
    client.force_login(viewer.user)
    response = client.get(url(org, f"sort={key}"))
    assert response.status_code == 200
    field = customers.CUSTOMER_SORTS[key.removeprefix("-")][1]
    values = [getattr(c, field) for c in response.context["page"].object_list]
    present = [v for v in values if v not in (None, "")]
    assert present == sorted(present, reverse=key.startswith("-"))
    if field in {"clv", "churned_on"}:  # nullable columns: the empty ones come after
        assert values[: len(present)] == present
    assert len(values) == len(rows)


@pytest.mark.parametrize("bad", ["organization_id", "-password", "clv;drop", "%F0%9F%98%80"])
def test_a_bad_sort_is_ignored_with_a_message(client, viewer, org, bad):
    make_customers(org, 5)
    client.force_login(viewer.user)
    response = client.get(url(org, f"sort={bad}"))
    assert response.status_code == 200
    assert response.context["sort"] == "customer"
    assert "Ignored the sort" in " ".join(str(m) for m in response.context["messages"])


def test_page_shows_money_in_the_currency_and_links_each_customer(client, viewer, org):
    Customer.objects.create(
        organization=org, customer_id="NW 7&8", segment="smb", clv=Decimal("1234567.5"),
        revenue=Decimal("89.99"),
    )  # fmt: skip
    org.currency = "GBP"
    org.save()
    client.force_login(viewer.user)
    body = client.get(url(org)).content.decode()
    assert "£1,234,567.50" in body and "£89.99" in body
    assert f"/o/{org.slug}/feedback/responses/?customer=NW%207%268" in body
    assert f"/o/{org.slug}/feedback/followups/?status=all&amp;customer=NW%207%268" in body
    assert "Mean CLV" in body and "0.0%" in body


def test_a_customers_responses_link_filters_the_responses(client, viewer, org):
    source = Source.objects.create(organization=org, name="S")
    for key, customer in [("a", "C1"), ("b", "C2"), ("c", "C1")]:
        Response.objects.create(organization=org, source=source, key=key, customer_id=customer)
    client.force_login(viewer.user)
    page = client.get(f"/o/{org.slug}/feedback/responses/?customer=C1").context["page"]
    assert {r.key for r in page.object_list} == {"a", "c"}
    followups = client.get(f"/o/{org.slug}/feedback/followups/?status=all&customer=C2")
    assert followups.status_code == 200


def test_customers_page_queries_do_not_grow(client, viewer, org, django_assert_max_num_queries):
    client.force_login(viewer.user)
    client.get(f"/o/{org.slug}/?overview=1")  # the first page also records the org as last used
    make_customers(org, 3)
    with django_assert_max_num_queries(10):
        client.get(url(org, "sort=-clv"))
    make_customers(org, 400, start=3)
    with django_assert_max_num_queries(10):
        response = client.get(url(org, "sort=-clv&q=C0"))
    assert len(response.context["page"].object_list) == 50
