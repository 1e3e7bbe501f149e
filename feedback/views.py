"""Pages of the voice of customer: thin views over selectors and services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.views.generic import DetailView, FormView, ListView, TemplateView, View

from cxalign.orgs.concurrency import VersionConflict
from cxalign.orgs.pages import (
    OrgDeleteView,
    OrgEditView,
    ProgressCardMixin,
    error_text,
    form_add_validation_error,
)
from cxalign.orgs.redirects import safe_next
from cxalign.orgs.roles import Role
from cxalign.orgs.tenancy import OrgViewMixin
from cxalign.tabular.read import encoding_note
from cxalign.tabular.write import CSV_CONTENT_TYPE
from feedback import charts, customers, exports, links, queue, selectors, services
from feedback.forms import (
    AnswersForm,
    CommitForm,
    FollowUpForm,
    FollowUpQueueForm,
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


# The import pages (changed elsewhere at the same time) still call these two; every other page
# uses `error_text` and `self.org_url("feedback:...")` directly. Fold them in after both land.
_errors = error_text


class FeedbackPage(OrgViewMixin):
    """Base of the feedback pages."""

    def url(self, name: str, **kwargs) -> str:
        return self.org_url(f"feedback:{name}", **kwargs)


# ---------------------------------------------------------------- responses


class FeedbackHomeView(FeedbackPage, View):
    """/feedback/ itself: the responses (checked like every page: outsiders get 404)."""

    def get(self, request, *args, **kwargs):
        return redirect(self.org_url("feedback:responses"))


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
        batches = ImportBatch.objects.select_related("source", "created_by__user")
        return self.get_org_object(batches, self.kwargs["pk"])


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
        file = batch.options.get("file", {})
        if file.get("format") == "csv":
            context["encoding_note"] = encoding_note(file.get("encoding", "utf-8"))
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
                    batch=batch,
                    mapping=form.mapping(),
                    dayfirst=form.cleaned_data["dayfirst"],
                    encoding=form.cleaned_data.get("encoding") or "",
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
            messages.error(request, error_text(exc))
        return redirect(self.org_url("feedback:import_detail", batch.pk))


class ImportProgressView(ProgressCardMixin, ImportMixin, TemplateView):
    """The live progress card, polled by htmx every second while the import runs."""

    template_name = "feedback/_import_progress.html"
    write_role = Role.CX_LEAD  # the card keeps its Cancel button
    job_context_name = "batch"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        batch = self.get_batch()
        context.update(batch=batch, progress=services.import_progress(batch))
        return context


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


class SourceEditView(OrgEditView):
    model = Source
    form_class = SourceForm
    service = services.source_update
    template_name = "feedback/source_form.html"
    write_role = Role.CX_LEAD
    success_message = "Source saved."
    success_url_name = "feedback:imports"


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
        top = self._top()
        shown = themes[:top]
        frame = charts.trend_frame(
            selectors.theme_trend_rows(organization=org, theme_ids=[t.id for t in shown])
        )
        names = [t.name for t in shown]
        context.update(
            themes=themes,
            top=top,
            top_choices=charts.TOP_CHOICES,
            volume_chart=charts.theme_grid_figure(
                frame, names=names, metric="volume", title=f"Comments per theme (top {top})"
            ),
            nps_chart=charts.theme_grid_figure(
                frame, names=names, metric="nps", title=f"NPS of each theme's comments (top {top})"
            ),
            suggestions=suggest_phrases(
                selectors.untagged_comments_sample(organization=org),
                known=selectors.known_patterns(organization=org),
            ),
            untagged=selectors.untagged_list(organization=org).count(),
        )
        return context

    def _top(self) -> int:
        """How many themes the charts show: one of charts.TOP_CHOICES, else the default."""
        raw = self.request.GET.get("top", "")
        if raw in {str(n) for n in charts.TOP_CHOICES}:
            return int(raw)
        if raw:
            messages.warning(
                self.request, f"Ignored “top”: “{raw[:40]}” is not one of its choices."
            )
        return charts.DEFAULT_TOP

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
        return redirect(self.org_url("feedback:theme_detail", theme.pk))


class ThemeDetailView(OrgEditView):
    model = Theme
    form_class = ThemeEditForm
    service = services.theme_update
    template_name = "feedback/theme_detail.html"
    write_role = Role.CX_LEAD
    success_message = "Theme saved."
    success_url_name = "feedback:theme_detail"
    success_url_args = ("pk",)

    def get_queryset(self):
        return super().get_queryset().select_related("owner_unit")

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


class ThemeLinkView(FeedbackPage, View):
    """Accept a suggestion: link one goal or initiative (POST goal=<id> or initiative=<id>)."""

    write_role = Role.CX_LEAD

    def post(self, request, *args, **kwargs):
        theme = self.get_org_object(Theme, kwargs["pk"])
        targets = {}
        for name, model in (("goal", Goal), ("initiative", Initiative)):
            value = request.POST.get(name, "")
            if value:
                targets[name] = self.get_org_object(model, value)
        if not targets:
            messages.error(request, "Choose a goal or an initiative to link.")
        else:
            services.theme_link(theme=theme, **targets)
            names = " and ".join(str(t) for t in targets.values())
            messages.success(request, f"{names} now answers {theme.name}.")
        return redirect(self.org_url("feedback:theme_detail", theme.pk))


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
        return self.get_org_object(model, self.kwargs["pk"])

    def get_initial(self):
        return {"themes": list(self.target.themes.all())}

    @cached_property
    def detail_url(self) -> str:
        _, name = self.MODELS[self.kwargs["kind"]]
        return self.org_url(name, self.target.pk)

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
        theme = self.get_org_object(Theme, kwargs["pk"])
        form = RuleForm(request.POST)
        if form.is_valid():
            try:
                rule = services.rule_add(theme=theme, pattern=form.cleaned_data["pattern"])
                messages.success(
                    request,
                    f"Rule “{rule.pattern}” added. Re-tag to apply it to imported comments.",
                )
            except ValidationError as exc:
                messages.error(request, error_text(exc))
        else:
            messages.error(request, "Give a keyword or a phrase.")
        return redirect(self.org_url("feedback:theme_detail", theme.pk))


class RuleDeleteView(OrgDeleteView):
    service = services.rule_delete
    write_role = Role.CX_LEAD
    success_message = "Rule “{obj.pattern}” removed."
    success_url_name = "feedback:theme_detail"
    success_url_args = ("theme_id",)

    def get_object(self):
        return self.get_org_object(ThemeRule, self.kwargs["rule_pk"], theme_id=self.kwargs["pk"])


class ThemeRetagView(FeedbackPage, View):
    write_role = Role.CX_LEAD

    def post(self, request, *args, **kwargs):
        services.themes_retag_start(organization=self.organization)
        messages.success(
            request, "Re-tagging all comments with the current rules; tags made by hand are kept."
        )
        return redirect(self.org_url("feedback:themes"))


class SuggestionAcceptView(FeedbackPage, View):
    """Turn a suggested phrase into a rule of an existing theme or a new theme."""

    write_role = Role.CX_LEAD

    def post(self, request, *args, **kwargs):
        phrase = request.POST.get("phrase", "").strip()
        theme_id = request.POST.get("theme")
        try:
            if theme_id:
                theme = self.get_org_object(Theme, theme_id)
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
            messages.error(request, error_text(exc))
        return redirect(self.org_url("feedback:themes"))


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
        response = self.get_org_object(Response, kwargs["pk"])
        form = TagForm(request.POST, organization=self.organization)
        if form.is_valid():
            services.response_tag(response=response, theme=form.cleaned_data["theme"])
            messages.success(request, f"Tagged as {form.cleaned_data['theme'].name}.")
        else:
            messages.error(request, "Choose a theme.")
        return HttpResponseRedirect(safe_next(request, self.org_url("feedback:triage")))


class FollowUpListView(FeedbackPage, TemplateView):
    template_name = "feedback/followup_list.html"
    write_role = Role.MEMBER

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        org, now = self.organization, timezone.now()
        owners = queue.owner_choices(organization=org)
        form = FollowUpQueueForm(
            self.request.GET, segments=selectors.segment_choices(organization=org), owners=owners
        )
        query, ignored = form.query()
        for sentence in ignored:
            messages.warning(self.request, sentence)
        rows = queue.queue_list(organization=org, query=query, now=now)
        page = Paginator(rows, form.per_page()).get_page(self.request.GET.get("page"))
        page.object_list = list(page.object_list)
        queue.mark_service_level(page.object_list, organization=org, now=now)
        params = self.request.GET.copy()
        params.pop("page", None)
        context.update(
            form=form,
            query=query,
            page=page,
            params=params.urlencode(),
            counts=selectors.followup_counts(organization=org),
            overdue=queue.overdue_by_owner(organization=org, now=now),
            statuses=FollowUp.Status.choices,
            owners=owners,
            sla_hours=org.followup_sla_hours,
        )
        return context


class FollowUpSaveView(FeedbackPage, View):
    write_role = Role.MEMBER

    def post(self, request, *args, **kwargs):
        response = self.get_org_object(Response, kwargs["pk"])
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
            except (ValidationError, VersionConflict) as exc:
                messages.error(request, error_text(exc))
        return HttpResponseRedirect(safe_next(request, self.org_url("feedback:followups")))


# ---------------------------------------------------------------- customers


class CustomerListView(FeedbackPage, TemplateView):
    template_name = "feedback/customer_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        org = self.organization
        q = self.request.GET.get("q", "").strip()[:100]
        sort = self.request.GET.get("sort", "")
        if sort and customers.sort_key(sort) is None:
            messages.warning(self.request, f"Ignored the sort “{sort[:40]}”: not a column.")
        sort = customers.sort_key(sort) or customers.DEFAULT_SORT
        rows = customers.customer_page_list(organization=org, q=q, sort=sort)
        today = customers.today_of(org)
        context.update(
            today=today,
            page=Paginator(rows, PAGE_SIZE).get_page(self.request.GET.get("page")),
            q=q,
            sort=sort,
            params=urlencode({"q": q, "sort": sort}),
            headers=customers.sort_headers(sort),
            totals=customers.segment_totals(
                selectors.customer_list(organization=org, q=q), today=today
            ),
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
