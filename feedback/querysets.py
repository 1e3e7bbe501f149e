"""Query sets of the feedback app: scoping plus the reads the pages share."""

from django.db.models import Q

from cxalign.orgs.querysets import OrgQuerySet

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
        return self.exclude(comment="").filter(tags__isnull=True)
