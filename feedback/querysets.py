"""Query sets of the feedback app: scoping plus the reads the pages share."""

from django.db.models import JSONField, Q
from django.db.models.expressions import RawSQL

from cxalign.orgs.querysets import OrgQuerySet
from feedback.themeids import names_sql

DETRACTOR = Q(nps__lte=6)
PASSIVE = Q(nps__gte=7, nps__lte=8)
PROMOTER = Q(nps__gte=9)
BANDS = {"detractor": DETRACTOR, "passive": PASSIVE, "promoter": PROMOTER}


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
