"""Import a goal cascade from CSV/XLSX into one cycle; prints one JSON summary."""

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cxalign.orgs.models import Organization
from strategy import spreadsheet
from strategy.models import Cycle


class Command(BaseCommand):
    help = (
        "Import goals (columns: key, title, parent key, owner username (or owner), org unit, "
        "leg, KPI, baseline, target, unit, weight, due date; optional measure and direction). "
        "All or nothing; warnings do not block; safe to re-run (rows are matched by key)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="A .csv or .xlsx file.")
        parser.add_argument("--org", required=True, help="The organization's slug.")
        parser.add_argument("--cycle", required=True, help="The planning cycle's name.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check every row; write nothing."
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        organization = Organization.objects.filter(slug=options["org"]).first()
        if organization is None:
            raise CommandError(f"No organization with the slug “{options['org']}”.")
        cycle = Cycle.objects.for_org(organization).filter(name=options["cycle"]).first()
        if cycle is None:
            names = ", ".join(Cycle.objects.for_org(organization).values_list("name", flat=True))
            raise CommandError(f"No cycle “{options['cycle']}” in {organization.slug} ({names}).")
        try:
            notes: list[dict] = []
            rows = spreadsheet.read_rows(path.read_bytes(), filename=path.name, notes=notes)
            summary = spreadsheet.goals_import(
                cycle=cycle, rows=rows, dry_run=options["dry_run"], notes=notes
            )
        except ValidationError as exc:
            summary = {
                "created": 0,
                "updated": 0,
                "rejected": 0,
                "errors": [{"row": None, "message": m} for m in exc.messages],
                "warnings": [],
                "dry_run": options["dry_run"],
                "cycle": cycle.name,
            }
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
        if summary["errors"]:
            raise SystemExit(1)
