"""What the two import commands share: arguments, the run, the one JSON summary, exit codes."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cxalign.orgs.models import Organization
from feedback.imports.files import FileProblem
from feedback.services import import_file


class ImportCommand(BaseCommand):
    kind = "feedback"

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV (any delimiter and encoding) or XLSX file.")
        parser.add_argument("--org", required=True, help="The organization's slug.")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="FIELD=COLUMN",
            help="Map a field to a column header (repeatable); overrides the guess.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check only; write nothing.")
        parser.add_argument(
            "--all-or-nothing",
            action="store_true",
            help="Import nothing when any row is bad (default: skip bad rows).",
        )
        parser.add_argument(
            "--dayfirst", action="store_true", help="Read 03/04/2024 as 3 April, not March 4."
        )

    def source_name(self, options) -> str:
        return ""

    def handle(self, *args, **options):
        organization = Organization.objects.filter(slug=options["org"]).first()
        if organization is None:
            self._fail(f"There is no organization with the slug '{options['org']}'.")
        mapping = {}
        for item in options["map"]:
            field, sep, column = item.partition("=")
            if not sep or not field.strip():
                self._fail(f"--map {item!r}: write FIELD=COLUMN, e.g. --map nps=Q1.")
            mapping[field.strip()] = column.strip()
        try:
            batch = import_file(
                organization=organization,
                path=options["file"],
                kind=self.kind,
                source_name=self.source_name(options),
                mapping=mapping,
                dry_run=options["dry_run"],
                all_or_nothing=options["all_or_nothing"],
                dayfirst=options["dayfirst"],
            )
        except FileProblem as exc:
            self._fail(str(exc))
        except ValidationError as exc:
            self._fail(" ".join(exc.messages))
        summary = {
            "status": batch.status,
            "import_id": batch.id,
            **batch.counts(),
            "errors": batch.errors,
            "unknown_touchpoints": batch.unknown_touchpoints,
            "unknown_values": batch.options.get("unknown_values", {}),
            "message": batch.message,
        }
        if batch.error_report:
            summary["error_report"] = batch.error_report.path
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
        if batch.status == "failed":
            raise CommandError(batch.message, returncode=2)

    def _fail(self, message: str):
        empty = {"rows_read": 0, "new": 0, "updated": 0, "unchanged": 0, "rejected": 0}
        self.stdout.write(
            json.dumps(
                {
                    "status": "failed",
                    **empty,
                    "errors": [{"row": None, "column": None, "message": message}],
                    "message": message,
                },
                ensure_ascii=False,
            )
        )
        raise CommandError(message, returncode=2)
