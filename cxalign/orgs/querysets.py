"""The one query-set method that scopes rows to an organization."""

from django.db import models


class OrgQuerySet(models.QuerySet):
    def for_org(self, organization) -> "OrgQuerySet":
        """Rows of this organization only; every page and endpoint goes through it."""
        return self.filter(organization=organization)
