"""Pages of the KPI catalogue."""

from cxalign.orgs.pages import OrgCreateView, OrgDeleteView, OrgEditView
from cxalign.orgs.roles import Role
from kpis import selectors, services
from kpis.forms import KPIForm
from kpis.models import KPI


class KPIListView(OrgCreateView):
    template_name = "kpis/kpi_list.html"
    form_class = KPIForm
    service = services.kpi_create
    write_role = Role.CX_LEAD
    created_message = "KPI “{obj.name}” added."
    success_url_name = "kpis:kpi_list"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = selectors.kpi_catalogue(organization=self.organization)
        return context


class KPIEditView(OrgEditView):
    model = KPI
    form_class = KPIForm
    service = services.kpi_update
    template_name = "kpis/kpi_form.html"
    read_role = Role.CX_LEAD
    write_role = Role.CX_LEAD
    success_message = "KPI saved."
    success_url_name = "kpis:kpi_list"


class KPIDeleteView(OrgDeleteView):
    model = KPI
    service = services.kpi_delete
    write_role = Role.CX_LEAD
    success_message = "KPI “{obj.name}” deleted."
    success_url_name = "kpis:kpi_list"
