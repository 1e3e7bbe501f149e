"""The alignment dashboard: the home page of executives and CX leads, and each chart's CSV."""

from django.core.cache import cache
from django.http import HttpResponseBadRequest
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.generic import TemplateView, View

from alignment import dashboard
from cxalign.orgs.roles import Role
from cxalign.orgs.tenancy import OrgViewMixin
from cxalign.tabular.write import csv_response


class DashboardMixin(OrgViewMixin):
    read_role = Role.VIEWER

    def filters(self) -> dashboard.Filters:
        return dashboard.filters_from(organization=self.organization, params=self.request.GET)


class DashboardView(DashboardMixin, TemplateView):
    """The panels are rendered once per data stamp (see `dashboard.page_key`) and cached."""

    template_name = "alignment/dashboard/page.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        key = dashboard.page_key(
            organization=self.organization, params=self.request.GET, variant="v1"
        )
        cached = cache.get(key)
        if cached is None:
            panels = self.panels_context()
            html = render_to_string(
                "alignment/dashboard/_content.html", {**context, **panels}, request=self.request
            )
            cached = {"html": html}
            cache.set(key, cached, dashboard.PAGE_CACHE_S)
            context.update(panels)
        context.update(content=mark_safe(cached["html"]))  # noqa: S308
        return context

    def panels_context(self) -> dict:
        filters = self.filters()
        steps = dashboard.setup_steps(organization=self.organization)
        done = sum(1 for s in steps if s["done"])
        return dict(
            filters=filters,
            query=filters.query(),
            steps=steps,
            steps_done=done,
            steps_percent=round(100 * done / len(steps)),
            first_run=filters.run is None and done < len(steps),
            can_recompute=self.can(Role.CX_LEAD),
            panels=dashboard.dashboard(organization=self.organization, filters=filters),
        )


class DashboardChartCsvView(DashboardMixin, View):
    """`?chart=<name>` with the dashboard's filters: the data behind that chart as CSV."""

    def get(self, request, *args, **kwargs):
        chart = request.GET.get("chart", "")
        if chart not in dashboard.CHARTS:
            return HttpResponseBadRequest(
                f"Unknown chart “{chart}”: choose one of {', '.join(dashboard.CHARTS)}.",
                content_type="text/plain; charset=utf-8",
            )
        filters = self.filters()
        rows = dashboard.chart_rows(organization=self.organization, filters=filters, chart=chart)
        name = f"{self.organization.slug}-dashboard-{chart}"
        if filters.run is not None and chart in dashboard.RUN_CHARTS:
            name += f"-run{filters.run.id}"
        columns = list(dict.fromkeys(key for row in rows for key in row))  # first-seen order
        table = ([row.get(c) for c in columns] for row in rows)
        return csv_response(columns, table, filename=f"{name}.csv")
