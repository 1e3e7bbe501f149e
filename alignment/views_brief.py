"""The planning brief: a printable page and its PDF, rendered on the server (WeasyPrint)."""

from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.views.generic import TemplateView, View

from alignment.brief import brief_build
from alignment.models import Run
from alignment.selectors import cycle_current, run_latest
from cxalign.orgs.roles import Role
from cxalign.orgs.tenancy import OrgViewMixin
from strategy.models import Cycle

RUNS_LISTED = 20


def _int(value: str, what: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404(f"“{value}” is not a {what} id.") from None


class BriefMixin(OrgViewMixin):
    read_role = Role.VIEWER

    @cached_property
    def source(self) -> tuple[Cycle | None, Run | None]:
        """The cycle and run the brief is built from: `?run=` (any finished run of the
        organization), else `?cycle=` with its latest run, else the current cycle."""
        organization, params = self.organization, self.request.GET
        if params.get("run"):
            run = (
                Run.objects.for_org(organization)
                .finished()
                .select_related("cycle", "requested_by__user")
                .filter(pk=_int(params["run"], "run"))
                .first()
            )
            if run is None:
                raise Http404("No finished run with this id in this organization.")
            return run.cycle, run
        if params.get("cycle"):
            cycle = Cycle.objects.for_org(organization).filter(pk=_int(params["cycle"], "cycle"))
            cycle = cycle.first()
            if cycle is None:
                raise Http404("No planning cycle with this id in this organization.")
        else:
            cycle = cycle_current(organization=organization)
        return cycle, run_latest(organization=organization, cycle=cycle)

    @cached_property
    def brief(self):
        cycle, run = self.source
        return brief_build(organization=self.organization, cycle=cycle, run=run)


class BriefView(BriefMixin, TemplateView):
    template_name = "alignment/brief/page.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        brief = self.brief
        runs = []
        if brief.cycle is not None:
            runs = list(
                Run.objects.for_org(self.organization)
                .finished()
                .filter(cycle=brief.cycle)
                .order_by("-finished_at", "-id")
                .only("id", "finished_at", "cycle_id")[:RUNS_LISTED]
            )
        context.update(
            brief=brief,
            cycles=list(Cycle.objects.for_org(self.organization).order_by("-starts_on", "name")),
            runs=runs,
        )
        return context


def pdf_bytes(html: str) -> bytes:
    """Render HTML to PDF with no browser and no network: only inline data may be read."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf()


class BriefPdfView(BriefMixin, View):
    def get(self, request, *args, **kwargs):
        brief = self.brief
        css_path = finders.find("alignment/brief.css")
        with open(css_path, encoding="utf-8") as handle:
            css = handle.read()
        html = render_to_string(
            "alignment/brief/document.html",
            {"brief": brief, "organization": self.organization, "css": css, "pdf": True},
            request=request,
        )
        name = ["planning-brief", slugify(self.organization.slug)]
        if brief.cycle:
            name.append(slugify(brief.cycle.name))
        if brief.run:
            name.append(f"run{brief.run.id}")
        response = HttpResponse(pdf_bytes(html), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{"-".join(name)}.pdf"'
        return response
