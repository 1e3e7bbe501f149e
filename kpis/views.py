"""Pages of the KPI catalogue."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import FormView

from cxalign.orgs.pages import (
    CreateFormMixin,
    OrgActionView,
    VersionedUpdateView,
    form_data,
)
from cxalign.orgs.roles import Role
from cxalign.orgs.tenancy import OrgViewMixin
from kpis import selectors, services
from kpis.forms import KPIForm
from kpis.models import KPI


class KPIListView(OrgViewMixin, CreateFormMixin, FormView):
    template_name = "kpis/kpi_list.html"
    form_class = KPIForm
    write_role = Role.CX_LEAD

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = selectors.kpi_catalogue(organization=self.organization)
        return context

    created_message = "KPI “{obj.name}” added."

    def create(self, form):
        return services.kpi_create(organization=self.organization, **form_data(form))

    def get_success_url(self):
        return reverse("kpis:kpi_list", kwargs={"org_slug": self.organization.slug})


class KPIEditView(VersionedUpdateView):
    model = KPI
    form_class = KPIForm
    template_name = "kpis/kpi_form.html"
    read_role = Role.CX_LEAD
    write_role = Role.CX_LEAD
    success_message = "KPI saved."

    def perform_update(self, form, version):
        data = form_data(form)
        return services.kpi_update(kpi=form.instance, data=data, version=version)

    def get_success_url(self):
        return reverse("kpis:kpi_list", kwargs={"org_slug": self.organization.slug})


class KPIDeleteView(OrgActionView):
    write_role = Role.CX_LEAD

    def post(self, request, *args, **kwargs):
        kpi = get_object_or_404(KPI.objects.for_org(self.organization), pk=kwargs["pk"])
        try:
            services.kpi_delete(kpi=kpi)
            messages.success(request, f"KPI “{kpi.name}” deleted.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("kpis:kpi_list", org_slug=self.organization.slug)
