"""Pages of the alignment engine: thin views over stored runs and flags.

Pages never compute over responses: they read a finished run's stored figures
(`alignment.pages_data`) and call the services to start runs and act on flags.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import FormView, TemplateView, View

from alignment import charts, exports, pages_data
from alignment.flags import flag_acknowledge, flag_can_act, flag_reopen
from alignment.forms import AcknowledgeForm, FlagFilterForm, RecomputeForm, ReopenForm
from alignment.models import Flag, Run
from alignment.selectors import run_active
from alignment.services import run_request
from cxalign.orgs.concurrency import VersionConflict
from cxalign.orgs.pages import CreateFormMixin, OrgActionView, ProgressCardMixin
from cxalign.orgs.roles import Role
from cxalign.orgs.tenancy import OrgViewMixin


class AlignmentPage(OrgViewMixin):
    """Base of the alignment pages: the cycle a page shows."""

    def cycle(self):
        return pages_data.cycle_pick(
            organization=self.organization, cycle_id=self.request.GET.get("cycle")
        )


# ---------------------------------------------------------------- links


class LinksView(AlignmentPage, TemplateView):
    """NPS, churn and CLV per segment from the latest finished run (or the one asked for)."""

    template_name = "alignment/links.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        org, get = self.organization, self.request.GET
        cycle = self.cycle()
        run = pages_data.run_shown(organization=org, cycle=cycle, run_id=get.get("run"))
        segment = get.get("segment", "")
        context.update(
            cycle=cycle,
            cycles=pages_data.cycle_choices(organization=org),
            run=run,
            active=run_active(organization=org, cycle=cycle),
            can_recompute=self.can(Role.CX_LEAD),
            segment=segment,
        )
        if run is not None:
            data = pages_data.links_page(run.results, segment=segment)
            source = charts.source_line(data["periods"], run.id, run.finished_at)
            context.update(
                data=data,
                source=source,
                charts=charts.links_charts(run.results, source, org.currency),
            )
        return context


class LinksExportView(AlignmentPage, View):
    """The links document of the shown run, one row per (period, segment, class/figure)."""

    def get(self, request, *args, **kwargs):
        cycle = self.cycle()
        run = pages_data.run_shown(
            organization=self.organization, cycle=cycle, run_id=request.GET.get("run")
        )
        if run is None:
            raise Http404("No finished recompute yet: nothing to export.")
        return exports.links_export(
            run,
            fmt=request.GET.get("format", "csv"),
            name=f"{self.organization.slug}-links-run{run.id}",
        )


# ---------------------------------------------------------------- flags


class FlagsMixin(AlignmentPage):
    def filter_form(self) -> FlagFilterForm:
        org = self.organization
        current = pages_data.cycle_pick(organization=org, cycle_id=None)
        return FlagFilterForm(
            self.request.GET or None,
            units=pages_data.unit_choices(organization=org),
            cycles=pages_data.cycle_choices(organization=org),
            initial={"cycle": current.id if current else None},
        )

    def flag_filters(self, form: FlagFilterForm):
        current = pages_data.cycle_pick(organization=self.organization, cycle_id=None)
        return form.filters(default_cycle=current)


class FlagListView(FlagsMixin, TemplateView):
    template_name = "alignment/flags.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = self.filter_form()
        filters = self.flag_filters(form)
        flags = list(pages_data.flag_query(organization=self.organization, filters=filters))
        for flag in flags:
            flag.evidence_items = pages_data.evidence_items(flag.evidence)
        query = self.request.GET.urlencode()
        context.update(
            form=form,
            filters=filters,
            groups=pages_data.flag_groups(flags),
            total=len(flags),
            counts=pages_data.flag_counts(organization=self.organization, cycle=filters.cycle),
            run=pages_data.run_latest_brief(organization=self.organization, cycle=filters.cycle),
            query=query,
            here=self.request.get_full_path(),
            can_act_any=self.can(Role.CX_LEAD),
        )
        return context


class FlagExportView(FlagsMixin, View):
    def get(self, request, *args, **kwargs):
        filters = self.flag_filters(self.filter_form())
        flags = pages_data.flag_query(organization=self.organization, filters=filters)
        return exports.flags_export(
            flags, fmt=request.GET.get("format", "csv"), name=f"{self.organization.slug}-flags"
        )


class FlagDetailView(AlignmentPage, TemplateView):
    template_name = "alignment/flag_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        flag = self.get_org_object(
            pages_data.flag_list(organization=self.organization)
            .select_related("first_run", "last_run")
            .defer("first_run__results", "last_run__results"),
            self.kwargs["pk"],
        )
        flag.evidence_items = pages_data.evidence_items(flag.evidence)
        context.update(
            flag=flag,
            history=pages_data.flag_history(flag),
            can_act=flag_can_act(flag=flag, member=self.membership),
            here=self.request.get_full_path(),
        )
        return context


class FlagActionView(AlignmentPage, OrgActionView):
    """POST acknowledge / reopen; the service decides who may; its message is shown."""

    write_role = Role.MEMBER  # viewers only read; the service checks owner or CX lead
    form_class = AcknowledgeForm

    def act(self, flag: Flag, form) -> str:
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        flag = self.get_org_object(Flag, kwargs["pk"])
        form = self.form_class(request.POST)
        if not form.is_valid():
            messages.error(request, "The form was incomplete; reload the page and try again.")
            return self.back(flag)
        try:
            done = self.act(flag, form)
        except (ValidationError, PermissionDenied, VersionConflict) as exc:
            text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            messages.error(request, f"“{flag.title}”: {text}")
        else:
            messages.success(request, done)
        return self.back(flag)

    def back(self, flag: Flag) -> HttpResponseRedirect:
        target = self.request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={self.request.get_host()}):
            target = self.org_url("alignment:flag_detail", pk=flag.pk)
        return HttpResponseRedirect(target or self.org_url("alignment:flag_detail", pk=flag.pk))


class FlagAcknowledgeView(FlagActionView):
    def act(self, flag, form) -> str:
        data = form.cleaned_data
        flag_acknowledge(
            flag=flag, member=self.membership, reason=data["reason"], version=data["version"]
        )
        return f"Acknowledged “{flag.title}”. A recompute that finds it worse reopens it."


class FlagReopenView(FlagActionView):
    form_class = ReopenForm

    def act(self, flag, form) -> str:
        flag_reopen(flag=flag, member=self.membership, version=form.cleaned_data["version"])
        return f"Reopened “{flag.title}”."


# ---------------------------------------------------------------- runs


class RunListView(AlignmentPage, CreateFormMixin, FormView):
    """The cycle's runs with their provenance, and the "Recompute now" form (CX lead+)."""

    template_name = "alignment/runs.html"
    form_class = RecomputeForm
    write_role = Role.CX_LEAD
    created_message = "Recompute run #{obj.id} started."

    def get_initial(self):
        cycle = pages_data.cycle_pick(organization=self.organization, cycle_id=None)
        return {"cycle": cycle.id if cycle else None}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cycle = self.cycle()
        context.update(
            cycle=cycle,
            cycles=pages_data.cycle_choices(organization=self.organization),
            runs=pages_data.run_list(organization=self.organization, cycle=cycle),
            active=run_active(organization=self.organization, cycle=cycle),
        )
        return context

    def create(self, form):
        self.run = run_request(
            organization=self.organization,
            cycle=form.cleaned_data["cycle"],
            trigger=Run.Trigger.PERSON,
            member=self.membership,
            **form.periods(),
        )
        return self.run

    def get_success_url(self):
        return self.org_url("alignment:run_detail", pk=self.run.pk)


class RunDetailView(AlignmentPage, TemplateView):
    template_name = "alignment/run_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        run = pages_data.run_get(organization=self.organization, run_id=self.kwargs["pk"])
        context.update(
            run=run,
            data=pages_data.links_page(run.results) if run.results else None,
            provenance=pages_data.run_provenance(run),
        )
        return context


class RunProgressView(ProgressCardMixin, AlignmentPage, TemplateView):
    """The live progress card, polled by htmx every 2 s; asks the page to reload when done."""

    template_name = "alignment/_run_progress.html"
    job_context_name = "run"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["run"] = pages_data.run_get(
            organization=self.organization, run_id=self.kwargs["pk"]
        )
        return context


class RunCompareView(AlignmentPage, TemplateView):
    """Two finished runs side by side (`?a=ID&b=ID`, default the cycle's two latest)."""

    template_name = "alignment/run_compare.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        get = self.request.GET
        cycle = self.cycle()
        pair = pages_data.run_compare_pair(
            organization=self.organization, cycle=cycle, a_id=get.get("a"), b_id=get.get("b")
        )
        context.update(cycle=cycle, pair=pair)
        if pair:
            context.update(a=pair[0], b=pair[1], rows=pages_data.compare_rows(*pair))
        return context
