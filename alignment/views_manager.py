"""The manager view: what I own, what I owe, what is flagged on me, how my touchpoints do."""

from django.http import Http404
from django.views.generic import TemplateView

from alignment.manager import manager_overview
from alignment.readiness import page_url
from alignment.selectors import cycle_current, run_latest
from cxalign.orgs.roles import Role
from cxalign.orgs.tenancy import OrgViewMixin
from strategy.models import Cycle


class ManagerView(OrgViewMixin, TemplateView):
    template_name = "alignment/manager/me.html"
    read_role = Role.VIEWER

    def cycle(self) -> Cycle | None:
        wanted = self.request.GET.get("cycle")
        if not wanted:
            return cycle_current(organization=self.organization)
        try:
            pk = int(wanted)
        except ValueError:
            raise Http404(f"“{wanted}” is not a cycle id.") from None
        cycle = Cycle.objects.for_org(self.organization).filter(pk=pk).first()
        if cycle is None:
            raise Http404("No planning cycle with this id in this organization.")
        return cycle

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cycle = self.cycle()
        run = run_latest(organization=self.organization, cycle=cycle)
        context.update(
            cycle=cycle,
            run=run,
            cycles=list(Cycle.objects.for_org(self.organization).order_by("-starts_on", "name")),
            overview=manager_overview(member=self.membership, cycle=cycle, run=run)
            if cycle
            else None,
            company_url=page_url("alignment:dashboard", self.organization)
            or page_url("alignment:links", self.organization)
            or page_url("strategy:cascade", self.organization),
            flags_url=page_url("alignment:flags", self.organization),
            cadence=self.organization.checkin_cadence_days,
        )
        return context
