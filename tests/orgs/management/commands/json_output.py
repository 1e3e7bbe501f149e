"""Runs a management command that prints one JSON line and returns what it printed."""

import io
import json

from django.core.management import call_command


def run(*args) -> dict:
    out = io.StringIO()
    call_command(*args, stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1, lines
    return json.loads(lines[0])
