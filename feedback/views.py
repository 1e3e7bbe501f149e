"""Pages of the voice of customer: thin views over selectors and services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import DetailView, FormView, ListView, TemplateView, View

from cxalign.orgs.concurrency import VersionConflict
from cxalign.orgs.pages import (
    VersionedUpdateView,
    form_add_validation_error,
    form_data,
)
from cxalign.orgs.params import parse_id
from cxalign.orgs.redirects import safe_next
from cxalign.orgs.roles import Role
from cxalign.orgs.tenancy import OrgViewMixin
from cxalign.tabular.write import CSV_CONTENT_TYPE
from feedback import charts, exports, links, selectors, services
from feedback.forms import (
    AnswersForm,
    CommitForm,
    FollowUpForm,
    MappingForm,
    ResponseFilterForm,
    RuleForm,
    SourceForm,
    TagForm,
    ThemeCreateForm,
    ThemeEditForm,
    UploadForm,
)
from feedback.imports.tagging import suggest_phrases
from feedback.models import FollowUp, ImportBatch, Response, Source, Theme, ThemeRule
from strategy.models import Goal, Initiative

PAGE_SIZE = 50


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


class FeedbackPage(OrgViewMixin):
    """Base of the feedback pages: `url(name, **kwargs)` for this organization."""

    def url(self, name: str, **kwargs) -> str:
        return reverse(f"feedback:{name}", kwargs={"org_slug": self.organization.slug, **kwargs})


# ---------------------------------------------------------------- responses


class FeedbackHomeView(FeedbackPage, View):
    """/feedback/ itself: the responses (checked like every page: outsiders get 404)."""

    def get(self, request, *args, **kwargs):
        return redirect(self.url("responses"))


class ResponseFilterMixin(FeedbackPage):
    """The responses list and its export read the same filter form."""

    def filter_form(self) -> ResponseFilterForm:
        org = self.organization
        return ResponseFilterForm(
            self.request.GET or None,
            segments=selectors.segment_choices(organization=org),
            touchpoints=selectors.touchpoint_choices(organization=org),
            themes=list(Theme.objects.for_org(org).only("id", "name")),
        )


class ResponseListView(ResponseFilterMixin, TemplateView):
    template_name = "feedback/response_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = self.filter_form()
        filters = form.filters()
        responses = selectors.response_list(organization=self.organization, filters=filters)
        paginator = Paginator(responses.order_by("-responded_at", "-id"), PAGE_SIZE)
        page = paginator.get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            form=form,
            page=page,
            summary=selectors.nps_summary(responses),
            query=query.urlencode(),
            has_any=Response.objects.for_org(self.organization).exists(),
            can_import=self.can(Role.CX_LEAD),
        )
        return context


class ResponseExportView(ResponseFilterMixin, View):
    """CSV or XLSX of the filtered responses, streamed; formulas neutralised."""

    def get(self, request, *args, **kwargs):
        filters = self.filter_form().filters()
        responses = selectors.response_list(organization=self.organization, filters=filters)
        return exports.responses_export(
            responses,
            fmt=request.GET.get("format", "csv"),
            name=f"{self.organization.slug}-responses",
        )


# ---------------------------------------------------------------- imports


class ImportListView(FeedbackPage, FormView):
    template_name = "feedback/import_list.html"
    form_class = UploadForm
    write_role = Role.CX_LEAD

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        batches = selectors.import_list(organization=self.organization)
        context["page"] = Paginator(batches, PAGE_SIZE).get_page(self.request.GET.get("page"))
        context["sources"] = selectors.source_list(organization=self.organization)
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            source = services.source_resolve(
                organization=self.organization,
                kind=data["kind"],
                source=data.get("source"),
                name=data.get("new_source", ""),
            )
            batch = services.import_batch_upload(
                organization=self.organization,
                created_by=self.membership,
                uploaded_file=data["file"],
                kind=data["kind"],
                source=source,
            )
        except ValidationError as exc:
            form_add_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"{batch.file_name} uploaded: {batch.file_format}, {len(batch.headers)} columns. "
            "Check the column mapping, then check the file.",
        )
        return redirect(self.url("import_detail", pk=batch.pk))


class ImportMixin(FeedbackPage):
    def get_batch(self) -> ImportBatch:
        return get_object_or_404(
            ImportBatch.objects.for_org(self.organization).select_related(
                "source", "created_by__user"
            ),
            pk=self.kwargs["pk"],
        )


class ImportDetailView(ImportMixin, TemplateView):
    template_name = "feedback/import_detail.html"
    write_role = Role.CX_LEAD

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        batch = self.get_batch()
        context["batch"] = batch
        context["progress"] = services.import_progress(batch)
        if batch.status in {
            ImportBatch.Status.UPLOADED,
            ImportBatch.Status.PREVIEWED,
            ImportBatch.Status.FAILED,
        }:
            context["mapping_form"] = kwargs.get("mapping_form") or MappingForm(batch=batch)
        context["commit_form"] = CommitForm()
        context["descriptions"] = dict(
            zip(batch.headers, batch.options.get("file", {}).get("descriptions", []), strict=False)
        )
        return context


class ImportPreviewView(ImportMixin, View):
    write_role = Role.CX_LEAD

    def post(self, request, *args, **kwargs):
        batch = self.get_batch()
        form = MappingForm(request.POST, batch=batch)
        if form.is_valid():
            try:
                services.import_batch_preview(
                    batch=batch, mapping=form.mapping(), dayfirst=form.cleaned_data["dayfirst"]
                )
            except ValidationError as exc:
                messages.error(request, _errors(exc))
        else:
            messages.error(request, "Check the column mapping.")
        return redirect(self.url("import_detail", pk=batch.pk))


class ImportCommitView(ImportMixin, View):
    write_role = Role.CX_LEAD

    def post(self, request, *args, **kwargs):
        batch = self.get_batch()
        form = CommitForm(request.POST)
        all_or_nothing = form.is_valid() and form.cleaned_data["mode"] == "all"
        try:
            services.import_batch_commit(batch=batch, all_or_nothing=all_or_nothing)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        return redirect(self.url("import_detail", pk=batch.pk))


class ImportCancelView(ImportMixin, View):
    write_role = Role.CX_LEAD

    def post(self, request, *args, **kwargs):
        batch = self.get_batch()
        try:
            outcome = services.import_batch_cancel(batch=batch)
            messages.success(
                request,
                "Import cancelled; nothing was written."
                if outcome == "cancelled"
                else "Cancelling: the import stops at its next chunk and writes nothing.",
            )
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        return redirect(self.url("import_detail", pk=batch.pk))


class ImportProgressView(ImportMixin, TemplateView):
    """The live progress card, polled by htmx every second while the import runs."""

    template_name = "feedback/_import_progress.html"
    write_role = Role.CX_LEAD  # the card keeps its Cancel button

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        batch = self.get_batch()
        context.update(batch=batch, progress=services.import_progress(batch))
        return context

    def render_to_response(self, context, **kwargs):
        batch = context["batch"]
        if not batch.is_active and self.request.headers.get("HX-Request"):
            # Finished: reload the whole page to show the result.
            response = super().render_to_response(context, **kwargs)
            response["HX-Refresh"] = "true"
            return response
        return super().render_to_response(context, **kwargs)


class ImportErrorReportView(ImportMixin, View):
    def get(self, request, *args, **kwargs):
        batch = self.get_batch()
        if not batch.error_report:
            raise Http404("This import has no rejected rows.")
        try:
            handle = batch.error_report.open("rb")
        except FileNotFoundError as exc:
            raise Http404("The error report is no longer stored.") from exc
        return FileResponse(
            handle,
            as_attachment=True,
            filename=f"import-{batch.pk}-errors.csv",
            content_type=CSV_CONTENT_TYPE,
        )


class SourceEditView(VersionedUpdateView):
    model = Source
    form_class = SourceForm
    template_name = "feedback/source_form.html"
    write_role = Role.CX_LEAD
    success_message = "Source saved."

    def perform_update(self, form, version):
        data = form_data(form)
        return services.source_update(source=form.instance, data=data, version=version)

    def get_success_url(self):
        return reverse("feedback:imports", kwargs={"org_slug": self.organization.slug})


# ---------------------------------------------------------------- themes


class ThemeListView(FeedbackPage, FormView):
    template_name = "feedback/theme_list.html"
    form_class = ThemeCreateForm
    write_role = Role.CX_LEAD

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        org = self.organization
        themes = list(selectors.theme_list(organization=org))
        stats = selectors.theme_stats(organization=org)
        for theme in themes:
            theme.stats = stats.get(theme.id, {"volume": 0, "nps": None})
        themes.sort(key=lambda t: -t.stats["volume"])
        frame = charts.trend_frame(
            selectors.theme_trend_rows(organization=org, theme_ids=[t.id for t in themes[:6]])
        )
        context.update(
            themes=themes,
            volume_chart=charts.theme_trend_figure(
                frame, metric="volume", title="Comments per theme (top 6)"
            ),
            nps_chart=charts.theme_trend_figure(
                frame, metric="nps", title="NPS of each theme's comments (top 6)"
            ),
            suggestions=suggest_phrases(
                selectors.untagged_comments_sample(organization=org),
                known=selectors.known_patterns(organization=org),
            ),
            untagged=selectors.untagged_list(organization=org).count(),
        )
        return context

    def form_valid(self, form):
        data = {
            k: form.cleaned_data[k] for k in ["name", "business_need", "owner_unit", "description"]
        }
        try:
            theme = services.theme_create(
                organization=self.organization, data=data, patterns=form.pattern_list()
            )
        except ValidationError as exc:
            form_add_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"Theme “{theme.name}” created. Re-tag the comments to apply its rules to what is already imported.",
        )
        return redirect(self.url("theme_detail", pk=theme.pk))


class ThemeDetailView(VersionedUpdateView):
    model = Theme
    form_class = ThemeEditForm
    template_name = "feedback/theme_detail.html"
    write_role = Role.CX_LEAD
    success_message = "Theme saved."

    def get_queryset(self):
        return super().get_queryset().select_related("owner_unit")

    def perform_update(self, form, version):
        data = form_data(form)
        return services.theme_update(theme=form.instance, data=data, version=version)

    def _links(self) -> dict:
        theme = self.object
        return {
            "linked_goals": theme.goals.order_by("title"),
            "linked_initiatives": theme.initiatives.order_by("name"),
            "link_suggestions": links.theme_link_suggestions(theme=theme),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        theme = self.object
        org = self.organization
        frame = charts.trend_frame(
            selectors.theme_trend_rows(organization=org, theme_ids=[theme.id])
        )
        context.update(
            rules=theme.rules.order_by("pattern"),
            rule_form=RuleForm(),
            stats=selectors.theme_stats(organization=org).get(theme.id, {"volume": 0, "nps": None}),
            volume_chart=charts.theme_trend_figure(
                frame, metric="volume", title=f"Comments about {theme.name}"
            ),
            nps_chart=charts.theme_trend_figure(
                frame, metric="nps", title=f"NPS of comments about {theme.name}"
            ),
            recent=selectors.response_list(
                organization=org, filters=selectors.ResponseFilters(theme=theme.id)
            ).order_by("-responded_at", "-id")[:10],
            **self._links(),
        )
        return context

    def get_success_url(self):
        return reverse(
            "feedback:theme_detail",
            kwargs={"org_slug": self.organization.slug, "pk": self.object.pk},
        )


class ThemeLinkView(FeedbackPage, View):
    """Accept a suggestion: link one goal or initiative (POST goal=<id> or initiative=<id>)."""

    write_role = Role.CX_LEAD

    def post(self, request, *args, **kwargs):
        org = self.organization
        theme = get_object_or_404(Theme.objects.for_org(org), pk=kwargs["pk"])
        targets = {}
        for name, model in (("goal", Goal), ("initiative", Initiative)):
            value = request.POST.get(name, "")
            if value:
                if not value.isdigit():
                    raise Http404(f"No {name} {value}.")
                targets[name] = get_object_or_404(model.objects.for_org(org), pk=value)
        if not targets:
            messages.error(request, "Choose a goal or an initiative to link.")
        else:
            services.theme_link(theme=theme, **targets)
            names = " and ".join(str(t) for t in targets.values())
            messages.success(request, f"{names} now answers {theme.name}.")
        return redirect(self.url("theme_detail", pk=theme.pk))


class ThemeAnswersView(FeedbackPage, FormView):
    """Pick the themes a goal or an initiative answers (reached from its strategy page)."""

    template_name = "feedback/theme_answers.html"
    form_class = AnswersForm
    write_role = Role.MANAGER  # the service then asks the goal's own rule
    MODELS = {
        "goal": (Goal, "strategy:goal_detail"),
        "initiative": (Initiative, "strategy:initiative_detail"),
    }

    @cached_property
    def target(self):
        model, _ = self.MODELS[self.kwargs["kind"]]
        return get_object_or_404(model.objects.for_org(self.organization), pk=self.kwargs["pk"])

    def get_initial(self):
        return {"themes": list(self.target.themes.all())}

    @cached_property
    def detail_url(self) -> str:
        _, name = self.MODELS[self.kwargs["kind"]]
        return reverse(name, args=[self.organization.slug, self.target.pk])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            target=self.target,
            kind=self.kwargs["kind"],
            detail_url=self.detail_url,
            can_edit=services.answers_can_edit(target=self.target, member=self.membership),
        )
        return context

    def form_valid(self, form):
        themes = list(form.cleaned_data["themes"])
        services.answers_set(target=self.target, themes=themes, by=self.membership)
        messages.success(self.request, f"The themes {self.target} answers are saved.")
        return redirect(self.detail_url)


class RuleAddView(FeedbackPage, View):
    write_role = Role.CX_LEAD

    def post(self, request, *args, **kwargs):
        theme = get_object_or_404(Theme.objects.for_org(self.organization), pk=kwargs["pk"])
        form = RuleForm(request.POST)
        if form.is_valid():
            try:
                rule = services.rule_add(theme=theme, pattern=form.cleaned_data["pattern"])
                messages.success(
                    request,
                    f"Rule “{rule.pattern}” added. Re-tag to apply it to imported comments.",
                )
            except ValidationError as exc:
                messages.error(request, _errors(exc))
        else:
            messages.error(request, "Give a keyword or a phrase.")
        return redirect(self.url("theme_detail", pk=theme.pk))


class RuleDeleteView(FeedbackPage, View):
    write_role = Role.CX_LEAD

    def post(self, request, *args, **kwargs):
        rule = get_object_or_404(
            ThemeRule.objects.for_org(self.organization),
            pk=kwargs["rule_pk"],
            theme_id=kwargs["pk"],
        )
        services.rule_delete(rule=rule)
        messages.success(request, f"Rule “{rule.pattern}” removed.")
        return redirect(self.url("theme_detail", pk=kwargs["pk"]))


class ThemeRetagView(FeedbackPage, View):
    write_role = Role.CX_LEAD

    def post(self, request, *args, **kwargs):
        services.themes_retag_start(organization=self.organization)
        messages.success(
            request, "Re-tagging all comments with the current rules; tags made by hand are kept."
        )
        return redirect(self.url("themes"))


class SuggestionAcceptView(FeedbackPage, View):
    """Turn a suggested phrase into a rule of an existing theme or a new theme."""

    write_role = Role.CX_LEAD

    def post(self, request, *args, **kwargs):
        phrase = request.POST.get("phrase", "").strip()
        theme_id = request.POST.get("theme")
        try:
            if theme_id:
                theme = get_object_or_404(
                    Theme.objects.for_org(self.organization), pk=parse_id(theme_id) or 0
                )
                services.rule_add(theme=theme, pattern=phrase)
            else:
                theme = services.theme_create(
                    organization=self.organization,
                    data={"name": phrase.capitalize()},
                    patterns=[phrase],
                )
            messages.success(
                request, f"“{phrase}” now tags comments as {theme.name}. Re-tag to apply it."
            )
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        return redirect(self.url("themes"))


# ---------------------------------------------------------------- triage and follow-ups


class TriageView(FeedbackPage, ListView):
    template_name = "feedback/triage.html"
    write_role = Role.MEMBER
    paginate_by = 25
    context_object_name = "responses"

    def get_queryset(self):
        return selectors.untagged_list(organization=self.organization)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["themes"] = Theme.objects.for_org(self.organization).only("id", "name")
        return context


class TriageTagView(FeedbackPage, View):
    write_role = Role.MEMBER

    def post(self, request, *args, **kwargs):
        response = get_object_or_404(Response.objects.for_org(self.organization), pk=kwargs["pk"])
        form = TagForm(request.POST, organization=self.organization)
        if form.is_valid():
            services.response_tag(response=response, theme=form.cleaned_data["theme"])
            messages.success(request, f"Tagged as {form.cleaned_data['theme'].name}.")
        else:
            messages.error(request, "Choose a theme.")
        return HttpResponseRedirect(safe_next(request, self.url("triage")))


class FollowUpListView(FeedbackPage, TemplateView):
    template_name = "feedback/followup_list.html"
    write_role = Role.MEMBER

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", "open")
        mine = self.request.GET.get("mine") == "1"
        queue = selectors.followup_queue(
            organization=self.organization,
            status=status,
            owner_id=self.membership.id if mine else None,
        )
        page = Paginator(queue, 25).get_page(self.request.GET.get("page"))
        context.update(
            page=page,
            status=status,
            mine=mine,
            counts=selectors.followup_counts(organization=self.organization),
            statuses=FollowUp.Status.choices,
            owner_form=FollowUpForm(organization=self.organization),
        )
        return context


class FollowUpSaveView(FeedbackPage, View):
    write_role = Role.MEMBER

    def post(self, request, *args, **kwargs):
        response = get_object_or_404(Response.objects.for_org(self.organization), pk=kwargs["pk"])
        form = FollowUpForm(request.POST, organization=self.organization)
        if not form.is_valid():
            messages.error(request, "Choose a status (and an owner of this organization).")
        else:
            d = form.cleaned_data
            try:
                services.followup_save(
                    response=response,
                    by=self.membership,
                    owner=d["owner"],
                    status=d["status"],
                    note=d["note"],
                    version=d["version"],
                )
                messages.success(
                    request, f"Follow-up of response {response.response_id or response.pk} saved."
                )
            except ValidationError as exc:
                messages.error(request, _errors(exc))
            except VersionConflict as exc:
                messages.error(request, str(exc))
        return HttpResponseRedirect(safe_next(request, self.url("followups")))


# ---------------------------------------------------------------- customers


class CustomerListView(FeedbackPage, TemplateView):
    template_name = "feedback/customer_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        q = self.request.GET.get("q", "").strip()
        customers = selectors.customer_list(organization=self.organization, q=q)
        context.update(
            page=Paginator(customers, PAGE_SIZE).get_page(self.request.GET.get("page")), q=q
        )
        return context


class ResponseDetailView(FeedbackPage, DetailView):
    template_name = "feedback/response_detail.html"
    context_object_name = "response_obj"

    def get_queryset(self):
        return (
            Response.objects.for_org(self.organization)
            .select_related("source", "touchpoint", "followup__owner__user", "batch")
            .with_theme_names()
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        customer_id = self.object.customer_id
        context["customer"] = (
            selectors.customer_list(organization=self.organization)
            .filter(customer_id=customer_id)
            .first()
            if customer_id
            else None
        )
        return context
