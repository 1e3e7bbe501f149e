"""The alignment dashboard: the home page of executives and CX leads, and each chart's CSV."""

from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.session import SessionStorage
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.views.generic import TemplateView, View

from alignment import dashboard
from cxalign import pagecache
from cxalign.orgs.roles import Role
from cxalign.orgs.tenancy import OrgViewMixin
from cxalign.tabular.write import csv_response


class DashboardMixin(OrgViewMixin):
    read_role = Role.VIEWER

    def filters(self) -> dashboard.Filters:
        return dashboard.filters_from(organization=self.organization, params=self.request.GET)


class DashboardView(DashboardMixin, TemplateView):
    """The panels are rendered once per data stamp (see `dashboard.page_key`) and cached; with
    the shared cache, so is the whole page for each person (`dashboard.person_page_key`), its
    CSRF token left as a slot that every answer fills with the request's own (cxalign/pagecache.py)."""

    template_name = "alignment/dashboard/page.html"
    cacheable = True  # False once the panels find the filters in the URL not canonical

    def get(self, request, *args, **kwargs):
        key, version = self.person_page()
        cached = pagecache.page_get(key, version) if key else None
        if cached is not None:
            return HttpResponse(pagecache.with_csrf(request, *cached))
        response = super().get(request, *args, **kwargs)
        response.add_post_render_callback(lambda r: self.keep(r, key, version))
        return response

    @classmethod
    def prefetch_keys(cls, request, *, user_id: int, organization_id: int) -> list[str]:
        """The cache entry this page is about to read (cxalign/prefetch.py)."""
        return [
            dashboard.person_page_key(
                organization_id=organization_id, user_id=user_id, request=request
            )
        ]

    def person_page(self) -> tuple[str | None, str | None]:
        """The person's cached page's key and the version it must have; None and None when the
        page must be rendered: messages to show (a cached page would not show them), or a
        person read from the database (no shared cache: no edition to key on)."""
        edition = getattr(self.request.user, "cx_edition", None)
        if edition is None or SessionStorage.session_key in self.request.session:
            return None, None
        if self.request.COOKIES.get(CookieStorage.cookie_name):
            return None, None
        key = dashboard.person_page_key(
            organization_id=self.organization.id, user_id=self.request.user.pk, request=self.request
        )
        version = dashboard.person_page_version(panels_key=self.panels_key, edition=edition)
        return key, version

    @cached_property
    def panels_key(self) -> str:
        return dashboard.page_key(
            organization=self.organization, params=self.request.GET, variant="v1"
        )

    def keep(self, response, key: str | None, version: str | None) -> None:
        html = response.content  # UTF-8 bytes: served as they are
        if key and self.cacheable and response.status_code == 200:
            pagecache.page_set(
                key, version, html, slot=self.csrf_slot, timeout=dashboard.PAGE_CACHE_S
            )
        response.content = pagecache.with_csrf(self.request, html, self.csrf_slot)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        self.csrf_slot = pagecache.csrf_slot()
        context["csrf_token"] = self.csrf_slot  # filled in by keep()
        key = self.panels_key
        cached = cache.get(key)
        if cached is None:
            panels = self.panels_context()
            html = render_to_string(
                "alignment/dashboard/_content.html", {**context, **panels}, request=self.request
            )
            cached = {"html": html}
            self.cacheable = panels["filters"].canonical(self.request.GET)
            if self.cacheable:
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
            # Reset shows when the URL names a filter (the panels are cached by those alone)
            filtered=any(self.request.GET.get(k) for k in dashboard.FILTER_PARAMS),
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
