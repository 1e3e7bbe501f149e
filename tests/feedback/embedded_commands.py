"""Run several management commands in one process on the embedded (SQLite) database.

    python -m tests.feedback.embedded_commands '[["import_feedback", "f.csv", ...], ...]'

Prints one JSON list: per command its exit code (0, or a CommandError's returncode) and what it
wrote to stdout. One Django start-up for a whole scenario instead of one per command: the
commands parse their arguments and run exactly as from the shell."""

import io
import json
import os
import sys


def main(commands: list[list[str]]) -> list[dict]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxalign.settings")
    import django
    from django.core.management import call_command
    from django.core.management.base import CommandError

    django.setup()
    results = []
    for args in commands:
        out = io.StringIO()
        try:
            call_command(*args, stdout=out)
            code = 0
        except CommandError as exc:
            code = exc.returncode
        results.append({"code": code, "stdout": out.getvalue()})
    return results


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]))))
