"""The demo's tenancy core (organizations, people, units) loaded and handed over as the apps'
demo loaders receive it."""

from cxalign.orgs.demo import Demo, demo_load
from cxalign.orgs.models import Membership, Organization, OrgUnit


def core_demo() -> Demo:
    demo_load(only_core=True)
    demo = Demo(
        northwind=Organization.objects.get(slug="northwind"),
        globex=Organization.objects.get(slug="globex"),
    )
    for m in Membership.objects.select_related("organization", "user"):
        demo.people[f"{m.organization.slug}:{m.user.username}"] = m
    for u in OrgUnit.objects.select_related("organization"):
        demo.units[f"{u.organization.slug}:{u.name}"] = u
    return demo
