"""One template filter for money: currency, thousands separators, rounding only there; and the
organization's currency setting."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template

from cxalign.orgs.templatetags.cx import money


@pytest.mark.parametrize(
    ("value", "currency", "shown"),
    [
        (Decimal("1234567.891"), "EUR", "€1,234,567.89"),
        (12345.5, "USD", "$12,345.50"),
        (Decimal("0.125"), "GBP", "£0.13"),  # half up, not to even
        (-3, "SEK", "−SEK\N{NO-BREAK SPACE}3.00"),
        (Decimal("-0.001"), "EUR", "€0.00"),  # no minus sign on a zero
        (Decimal("1234.5"), "JPY", "¥1,235"),  # no minor unit
        (7, "", "7.00"),
        (None, "EUR", "–"),
        ("", "EUR", "–"),
        ("n/a", "EUR", "–"),
        (float("nan"), "EUR", "–"),
    ],
)
def test_money(value, currency, shown):
    assert money(value, currency) == shown


def test_money_in_a_template_takes_the_organizations_currency():
    text = Template("{% load cx %}{{ v|money:org.currency }}").render(
        Context({"v": Decimal("150632.3"), "org": {"currency": "USD"}})
    )
    assert text == "$150,632.30"


@pytest.mark.django_db
def test_currency_is_a_three_letter_code_defaulting_to_eur(org):
    assert org.currency == "EUR"
    for bad in ("eur", "EURO", "€", ""):
        org.currency = bad
        with pytest.raises(ValidationError):
            org.full_clean()
    org.currency = "CHF"
    org.full_clean()
