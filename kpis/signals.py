"""Every new organization starts with the built-in KPIs."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from cxalign.orgs.models import Organization


@receiver(post_save, sender=Organization, dispatch_uid="kpis_builtins_for_new_org")
def organization_created(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        from kpis.services import kpi_builtins_ensure

        kpi_builtins_ensure(organization=instance)
