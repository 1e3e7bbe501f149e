"""Template helpers shared by every app."""

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
