import json

from django.core.management.base import BaseCommand

from cxalign.orgs.demo import DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = "Load the demo organizations (northwind, globex), logins and data. Safe to re-run."

    def add_arguments(self, parser):
        parser.add_argument("--core-only", action="store_true", help="Only orgs, people, units.")

    def handle(self, *args, **options):
        summary = demo_load(only_core=options["core_only"])
        self.stderr.write(
            f"Demo logins (password {DEMO_PASSWORD}): admin, exec, cxlead, manager, member, "
            "viewer in northwind; outsider in globex."
        )
        self.stdout.write(json.dumps({"status": "ok", "created": summary}))
