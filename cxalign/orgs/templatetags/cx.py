"""Template helpers shared by every app."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag(takes_context=True)
def history_url(context, obj) -> str:
    """The change-history page of any organization-owned object."""
    meta = obj._meta
    return reverse(
        "orgs:history",
        kwargs={
            "org_slug": context["organization"].slug,
            "app_label": meta.app_label,
            "model_name": meta.model_name,
            "pk": obj.pk,
        },
    )


@register.filter
def percent(value, digits: int = 0) -> str:
    """0.423 -> '42%'; None -> '–'."""
    if value is None or value == "":
        return "–"
    return f"{float(value) * 100:.{digits}f}%"


@register.filter
def progress_class(value) -> str:
    """Colour of a progress bar for a 0..1 value."""
    if value is None:
        return ""
    value = float(value)
    if value >= 0.7:
        return "ok"
    if value >= 0.4:
        return "warn"
    return "bad"


CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "INR": "₹"}
# ISO 4217 currencies without minor units: amounts show no decimals.
NO_MINOR_UNITS = {"JPY", "KRW", "ISK", "CLP", "VND", "HUF"}


@register.filter
def money(value, currency: str = "") -> str:
    """An amount with its currency and thousands separators, rounded only here:
    12345.5|money:"EUR" -> '€12,345.50'; -3|money:"SEK" -> '−SEK 3.00'; None -> '–'."""
    if value is None or value == "":
        return "–"
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return "–"
    if not amount.is_finite():
        return "–"
    code = (currency or "").upper()
    digits = 0 if code in NO_MINOR_UNITS else 2
    rounded = abs(amount).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    text = f"{rounded:,.{digits}f}"
    prefix = CURRENCY_SYMBOLS.get(code) or (f"{code}\N{NO-BREAK SPACE}" if code else "")
    sign = "−" if amount < 0 and text.strip("0.,") else ""
    return f"{sign}{prefix}{text}"
