"""One reader of id parameters from query strings and forms, for pages and the API alike.

`str.isdigit()` accepts superscripts ("²") and `int()` accepts other scripts' digits and
numbers too big for the database; both ended in 500s. Ids here are ASCII digits within the
64-bit range every backend stores.
"""

import re

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
        raise ValidationError({name: [f"“{raw[:40]}” is not an id: send a positive whole number."]})
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
