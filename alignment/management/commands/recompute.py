"""manage.py recompute --org SLUG [--cycle NAME|ID] [--period-start D --period-end D]
[--previous-start D --previous-end D]: one run in the foreground, then one JSON object."""

import datetime
import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from alignment import selectors, services
from alignment.models import Run
from cxalign.orgs.models import Organization
from cxalign.orgs.params import parse_id
from strategy.models import Cycle


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"“{value}” is not a date; write it as YYYY-MM-DD.") from exc


def _pair(options, start: str, end: str, label: str):
    if options[start] is None and options[end] is None:
        return None
    if options[start] is None or options[end] is None:
        raise CommandError(
            f"Give both --{start.replace('_', '-')} and --{end.replace('_', '-')} for the {label} period."
        )
    return _date(options[start]), _date(options[end])


class Command(BaseCommand):
    help = "Recompute the NPS–CLV–churn links and the misalignment flags of one cycle, now."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="The organization's slug.")
        parser.add_argument("--cycle", help="The cycle's name or id (default: the current one).")
        parser.add_argument("--period-start", dest="period_start")
        parser.add_argument("--period-end", dest="period_end")
        parser.add_argument("--previous-start", dest="previous_start")
        parser.add_argument("--previous-end", dest="previous_end")

    def handle(self, *args, **options):
        organization = Organization.objects.filter(slug=options["org"]).first()
        if organization is None:
            raise CommandError(f"No organization with the slug “{options['org']}”.")
        cycle = self._cycle(organization, options["cycle"])
        periods = {}
        current = _pair(options, "period_start", "period_end", "current")
        previous = _pair(options, "previous_start", "previous_end", "previous")
        if current:
            periods["current"] = current
        if previous:
            periods["previous"] = previous
        try:
            run = services.run_request(organization=organization, cycle=cycle,
                                       trigger=Run.Trigger.COMMAND, enqueue=False, **periods)  # fmt: skip
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        services.run_compute(run_id=run.id)
        run = services.run_publish(run_id=run.id)
        self.stdout.write(json.dumps(summary(run)))
        if run.status != Run.Status.SUCCEEDED:
            raise CommandError(run.message or "The recompute did not finish.")

    def _cycle(self, organization, given: str | None) -> Cycle:
        if given is None:
            cycle = selectors.cycle_current(organization=organization)
            if cycle is None:
                raise CommandError(
                    f"{organization.name} has no planning cycle yet; create one first."
                )
            return cycle
        cycles = Cycle.objects.for_org(organization)
        cycle = cycles.filter(name=given).first()
        if cycle is None and parse_id(given) is not None:
            cycle = cycles.filter(id=parse_id(given)).first()
        if cycle is None:
            names = ", ".join(cycles.values_list("name", flat=True)) or "none"
            raise CommandError(f"No cycle “{given}” in {organization.slug} (cycles: {names}).")
        return cycle


def summary(run: Run) -> dict:
    quality = run.results.get("data_quality", {}).get("current", {})
    return {
        "status": run.status,
        "run": run.id,
        "seconds": run.seconds,
        "periods": run.results.get("periods"),
        "responses": quality.get("responses"),
        "customers": quality.get("customers"),
        "flags_open": run.flags_open,
        "flags_new": run.flags_new,
        "flags_resolved": run.flags_resolved,
    }
