"""Filters of the alignment API and pages (django-filter: they appear in the schema)."""

import django_filters

from alignment.models import Flag, Run


class FlagFilter(django_filters.FilterSet):
    rule = django_filters.CharFilter(help_text="A rule name, e.g. orphan_goal.")
    state = django_filters.ChoiceFilter(choices=Flag.State.choices)
    severity = django_filters.ChoiceFilter(choices=Flag.Severity.choices)
    unit = django_filters.NumberFilter(field_name="unit_id", help_text="An org unit id.")
    cycle = django_filters.NumberFilter(field_name="cycle_id", help_text="A planning cycle id.")
    run = django_filters.NumberFilter(
        field_name="last_run_id", help_text="Flags raised (again) by this run."
    )

    class Meta:
        model = Flag
        fields = ["rule", "state", "severity", "unit", "cycle", "run"]


class RunFilter(django_filters.FilterSet):
    cycle = django_filters.NumberFilter(field_name="cycle_id", help_text="A planning cycle id.")
    status = django_filters.ChoiceFilter(choices=Run.Status.choices)

    class Meta:
        model = Run
        fields = ["cycle", "status"]
