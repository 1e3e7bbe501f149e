"""Query sets of the feedback app: scoping plus the reads the pages share."""

from django.db.models import JSONField, Q
from django.db.models.expressions import RawSQL

from cxalign.orgs.querysets import OrgQuerySet
from feedback.themeids import names_sql
from kpis.metrics import PASSIVE_MIN, PROMOTER_MIN

# The score classes of kpis.metrics.score_class, as filters and as SQL (one definition).
DETRACTOR = Q(nps__lt=PASSIVE_MIN)
PASSIVE = Q(nps__gte=PASSIVE_MIN, nps__lt=PROMOTER_MIN)
PROMOTER = Q(nps__gte=PROMOTER_MIN)
BANDS = {"detractor": DETRACTOR, "passive": PASSIVE, "promoter": PROMOTER}


def band_sql(column: str) -> dict[str, str]:
    """SQL conditions of the three classes on an NPS column, e.g. band_sql("r.nps")."""
    return {
        "promoter": f"{column} >= {int(PROMOTER_MIN)}",
        "passive": f"{column} >= {int(PASSIVE_MIN)} AND {column} < {int(PROMOTER_MIN)}",
        "detractor": f"{column} < {int(PASSIVE_MIN)}",
    }


class ResponseQuerySet(OrgQuerySet):
    def detractors(self) -> "ResponseQuerySet":
        return self.filter(DETRACTOR)

    def band(self, band: str) -> "ResponseQuerySet":
        if band == "none":
            return self.filter(nps__isnull=True)
        return self.filter(BANDS[band]) if band in BANDS else self

    def untagged(self) -> "ResponseQuerySet":
        return self.exclude(comment="").filter(theme_ids__empty=True)

    def with_theme_names(self) -> "ResponseQuerySet":
        """Annotate `theme_names`: [[name, added by a person], ...] by name, in the same query."""
        return self.annotate(theme_names=RawSQL(names_sql(), [], output_field=JSONField()))  # noqa: S611
