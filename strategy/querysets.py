"""Query-set methods of the strategy app (every one builds on OrgQuerySet.for_org)."""

from cxalign.orgs.querysets import OrgQuerySet


class CycleQuerySet(OrgQuerySet):
    def open(self) -> "CycleQuerySet":
        return self.exclude(status="closed")


class GoalQuerySet(OrgQuerySet):
    def unfinished(self) -> "GoalQuerySet":
        return self.filter(status="active")

    def for_tree(self) -> "GoalQuerySet":
        """What a cascade node shows, in one query with its owner, unit and KPI."""
        return self.select_related("owner__user", "org_unit", "kpi")
