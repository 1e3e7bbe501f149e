"""One reader of id parameters from query strings and forms, for pages and the API alike.

`str.isdigit()` accepts superscripts ("²") and `int()` accepts other scripts' digits and
numbers too big for the database; both ended in 500s. Ids here are ASCII digits within the
64-bit range every backend stores.
"""

import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

ID_MAX = 2**63 - 1
_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_id(value) -> int | None:
    """The id that `value` spells (ASCII digits, 1..2**63-1), else None."""
    if not isinstance(value, str) or not _ASCII_DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if 0 < number <= ID_MAX else None


def query_id(params, name: str) -> int | None:
    """An optional id filter of the API: absent is None, a bad one is a 400 naming it."""
    raw = params.get(name)
    if raw in (None, ""):
        return None
    number = parse_id(raw)
    if number is None:
        raise ValidationError({name: [_not_an_id(raw)]})
    return number


def page_id(request, name: str, params=None) -> int | None:
    """An optional id filter of a page: a bad one is ignored, with a message saying so."""
    from django.contrib import messages

    params = request.GET if params is None else params
    raw = params.get(name)
    if raw in (None, ""):
        return None
    number = parse_id(raw)
    if number is None:
        messages.warning(request, f"Ignored the filter “{name}”: “{raw[:40]}” is not an id.")
    return number


def _not_an_id(raw: str) -> str:
    return f"“{raw[:40]}” is not an id: send a positive whole number."


class IdField(forms.CharField):
    """A form field read with `parse_id`: empty is None, a bad id is a form error."""

    def __init__(self, **kwargs):
        super().__init__(strip=False, **kwargs)

    def to_python(self, value) -> int | None:
        raw = super().to_python(value)
        if raw in self.empty_values:
            return None
        number = parse_id(raw)
        if number is None:
            raise DjangoValidationError(_not_an_id(raw), code="invalid")
        return number


class IdFilter(django_filters.Filter):
    """An id filter of a filterset (django-filter): a bad id answers 400 naming the filter."""

    field_class = IdField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The schema's type for this filter, per instance so that it keeps its help text.
        schema = {"type": "integer", "minimum": 1, "maximum": ID_MAX}
        if self.extra.get("help_text"):
            schema["description"] = self.extra["help_text"]
        extend_schema_field(schema)(self)
