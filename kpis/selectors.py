"""Reads of the KPI catalogue."""

from django.db.models import Count

from cxalign.orgs.models import Organization
from kpis.models import KPI


def kpi_list(*, organization: Organization):
    """The catalogue with how many goals and measurements use each KPI (one query)."""
    return (
        KPI.objects.for_org(organization)
        .annotate(goal_count=Count("goals", distinct=True))
        .annotate(measurement_count=Count("measurements", distinct=True))
        .order_by("-is_builtin", "name")
    )
