"""Number formats of the planning brief and the manager view (rounding happens only here)."""

from django import template

from cxalign.orgs.templatetags.cx import CURRENCY_SYMBOLS

register = template.Library()

DASH = "–"


@register.filter
def signed(value, digits: int = 1) -> str:
    """1.44 -> '+1.4'; -3 -> '−3.0'; None -> '–'."""
    if value is None or value == "":
        return DASH
    value = float(value)
    text = f"{abs(value):.{digits}f}"
    if float(text) == 0:
        return text
    return ("+" if value > 0 else "−") + text


@register.filter
def points(value, digits: int = 0) -> str:
    """An NPS in points: 23.56 -> '24'; -5.2 -> '−5'."""
    if value is None or value == "":
        return DASH
    text = f"{float(value):.{digits}f}"
    return text.replace("-", "−") if float(text) != 0 else text.lstrip("-")


@register.filter
def money(value, currency: str = "EUR") -> str:
    """Compact amounts: 2769492.29 -> '€2.77M', 124884 -> '€125k', -76706 -> '−€76.7k'; a
    currency without a symbol is written as its code ('SEK 125k')."""
    if value is None or value == "":
        return DASH
    value = float(value)
    sign, size = ("−" if value < 0 else ""), abs(value)
    if size >= 1e6:
        text = f"{size / 1e6:.2f}M"
    elif size >= 1e4:
        text = f"{size / 1e3:.0f}k"
    elif size >= 1e3:
        text = f"{size / 1e3:.1f}k"
    else:
        text = f"{size:.0f}"
    code = (currency or "").upper()
    prefix = CURRENCY_SYMBOLS.get(code) or (f"{code}\N{NO-BREAK SPACE}" if code else "")
    return f"{sign}{prefix}{text}"


@register.filter
def times(value, digits: int = 1) -> str:
    """A ratio: 3.24 -> '3.2×'."""
    if value is None or value == "":
        return DASH
    return f"{float(value):.{digits}f}×"


@register.filter
def width(value) -> str:
    """0..1 -> a CSS width percentage, clamped: 0.42 -> '42%'."""
    if value is None or value == "":
        return "0%"
    return f"{max(0.0, min(1.0, float(value))) * 100:.0f}%"


@register.filter
def nps_class(value) -> str:
    """Colour class of an NPS: ok (30+), warn (0..30), bad (< 0)."""
    if value is None or value == "":
        return ""
    value = float(value)
    return "ok" if value >= 30 else ("warn" if value >= 0 else "bad")


@register.filter
def bar_left(value) -> str:
    """NPS -100..100 as a left offset in % of a -100..100 scale."""
    if value is None or value == "":
        return "50%"
    return f"{(max(-100.0, min(100.0, float(value))) + 100) / 2:.1f}%"
