"""Reads of the KPI catalogue."""

from collections import defaultdict

from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber

from cxalign.orgs.models import Organization
from kpis.charts import sparkline
from kpis.models import KPI, Measurement

TREND_POINTS = 12  # company-wide measurements a sparkline shows
GOALS_SHOWN = 5  # goals named per KPI in the catalogue


def kpi_list(*, organization: Organization):
    """The catalogue with how many goals target each KPI (one query; measurements are not
    joined here: their history grows with every recompute, see `kpi_trends`)."""
    return (
        KPI.objects.for_org(organization)
        .annotate(goal_count=Count("goals", distinct=True))
        .order_by("-is_builtin", "name")
    )


def kpi_trends(
    *, organization: Organization, kpi_ids=None, points: int = TREND_POINTS
) -> dict[int, list[Measurement]]:
    """The last `points` company-wide measurements of each KPI, oldest first (one query)."""
    rows = (
        Measurement.objects.for_org(organization)
        .filter(segment="")
        .annotate(
            recent=Window(
                RowNumber(),
                partition_by=[F("kpi_id")],
                order_by=[F("measured_on").desc(), F("id").desc()],
            )
        )
        .filter(recent__lte=points)
        .only("id", "kpi_id", "measured_on", "value", "note", "source")
    )
    if kpi_ids is not None:
        rows = rows.filter(kpi_id__in=list(kpi_ids))
    trends: dict[int, list[Measurement]] = defaultdict(list)
    for row in sorted(rows, key=lambda m: (m.kpi_id, m.measured_on, m.id)):
        trends[row.kpi_id].append(row)
    return dict(trends)


def kpi_latest(*, organization: Organization, kpi_ids) -> dict[int, Measurement]:
    """The latest company-wide measurement of each of these KPIs (one query)."""
    trends = kpi_trends(organization=organization, kpi_ids=kpi_ids, points=1)
    return {kpi_id: rows[-1] for kpi_id, rows in trends.items()}


def kpi_goals(*, organization: Organization, per_kpi: int = GOALS_SHOWN) -> dict[int, list]:
    """Up to `per_kpi` goals that target each KPI, newest cycle first (one query).

    Read through the reverse relation `KPI.goals`, so this lower app needs no import of the
    strategy app; each goal is a dict of id, key, title, status and cycle name.
    """
    rows = (
        KPI.objects.for_org(organization)
        .filter(goals__isnull=False)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("id")],
                order_by=[F("goals__cycle__starts_on").desc(), F("goals__key"), F("goals__id")],
            )
        )
        .filter(rank__lte=per_kpi)
        .values(
            "id",
            "rank",
            "goals__id",
            "goals__key",
            "goals__title",
            "goals__status",
            "goals__cycle__name",
        )  # fmt: skip
    )
    goals: dict[int, list] = defaultdict(list)
    for row in sorted(rows, key=lambda r: (r["id"], r["rank"])):
        goals[row["id"]].append(
            {
                "id": row["goals__id"],
                "key": row["goals__key"],
                "title": row["goals__title"],
                "status": row["goals__status"],
                "cycle": row["goals__cycle__name"],
            }
        )
    return dict(goals)


def kpi_catalogue(*, organization: Organization) -> list[dict]:
    """Each KPI with its current value, trend, source and the goals that target it (three
    queries whatever the number of KPIs, measurements and goals)."""
    trends = kpi_trends(organization=organization)
    goals = kpi_goals(organization=organization)
    rows = []
    for kpi in kpi_list(organization=organization):
        trend = trends.get(kpi.id, [])
        rows.append(
            {
                "kpi": kpi,
                "latest": trend[-1] if trend else None,
                "trend": trend,
                "spark": sparkline([m.value for m in trend]),
                "goals": goals.get(kpi.id, []),
                "more_goals": kpi.goal_count - len(goals.get(kpi.id, [])),
            }
        )
    return rows
