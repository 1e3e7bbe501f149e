"""The page bases (cxalign/orgs/pages.py): a delete page shows the service's refusal or deletes
through it."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from cxalign.orgs.models import OrgUnit
from kpis.models import KPI

pytestmark = pytest.mark.django_db


def test_delete_page_shows_the_services_refusal_and_keeps_the_row(client, cx_lead, org):
    builtin = KPI.objects.for_org(org).filter(is_builtin=True).first()
    client.force_login(cx_lead.user)
    response = client.post(reverse("kpis:kpi_delete", args=[org.slug, builtin.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("kpis:kpi_list", args=[org.slug])
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Built-in KPIs cannot be deleted."
    ]
    assert KPI.objects.filter(pk=builtin.pk).exists()


def test_delete_page_deletes_through_the_service_and_says_so(client, admin, org, other_org):
    unit = OrgUnit.objects.create(organization=org, name="Care")
    theirs = OrgUnit.objects.create(organization=other_org, name="Theirs")
    client.force_login(admin.user)
    foreign = client.post(reverse("orgs:unit_delete", args=[org.slug, theirs.pk]))
    assert foreign.status_code == 404
    response = client.post(reverse("orgs:unit_delete", args=[org.slug, unit.pk]))
    assert response["Location"] == reverse("orgs:units", args=[org.slug])
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Unit “Care” deleted."]
    assert not OrgUnit.objects.filter(pk=unit.pk).exists()
    assert OrgUnit.objects.filter(pk=theirs.pk).exists()
