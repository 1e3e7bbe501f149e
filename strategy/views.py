"""Pages of the strategy app: thin views over the services and selectors."""

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import FormView, RedirectView, TemplateView

from cxalign.orgs.concurrency import VersionConflict, parse_version
from cxalign.orgs.pages import (
    OrgActionView,
    OrgCreateView,
    OrgDeleteView,
    OrgEditView,
    ProgressCardMixin,
    error_text,
    form_add_refusal,
    form_add_validation_error,
    form_data,
    form_error_text,
)
from cxalign.orgs.params import page_id
from cxalign.orgs.roles import Role
from cxalign.orgs.tenancy import OrgViewMixin
from strategy import charts, imports, rules, selectors, services, spreadsheet
from strategy.forms import (
    CapabilityForm,
    CarryOverForm,
    CheckInForm,
    CommitmentForm,
    CycleForm,
    DecisionForm,
    GoalForm,
    GoverningModelForm,
    ImportForm,
    InitiativeForm,
    KeyChoiceForm,
    KPIEffectForm,
    VisionForm,
)
from strategy.models import (
    Capability,
    Cycle,
    Decision,
    Goal,
    GoalImport,
    GoverningModel,
    Initiative,
    KeyChoice,
    KPIEffect,
    Vision,
)


class CycleMixin:
    """Pages that show one planning cycle: ?cycle=<id>, else the active or preparing one."""

    @cached_property
    def cycles(self) -> list[Cycle]:
        return selectors.cycle_list(organization=self.organization)

    @cached_property
    def cycle(self) -> Cycle | None:
        return selectors.cycle_pick(cycles=self.cycles, cycle_id=self.request.GET.get("cycle"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(cycles=self.cycles, cycle=self.cycle)
        return context


class FormPageView(OrgEditView):
    """An edit page on strategy/form_page.html: a title and a way back (the success page),
    both formatted with `obj`."""

    template_name = "strategy/form_page.html"
    page_title = "Edit {obj}"
    back_label = ""

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            page_title=self.page_title.format(obj=self.object),
            back_url=self.get_success_url(),
            back_label=self.back_label.format(obj=self.object),
            **kwargs,
        )


class StrategyHomeView(OrgViewMixin, RedirectView):
    """/strategy/ opens the goal cascade."""

    pattern_name = "strategy:cascade"
    http_method_names = ["get", "head", "post", "options"]  # POST answers 403 by role first


# ---------------------------------------------------------------- vision and models


class VisionView(OrgViewMixin, TemplateView):
    template_name = "strategy/vision.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        vision = Vision.objects.for_org(self.organization).first()
        context.update(
            vision=vision,
            can_edit=self.can(Role.EXECUTIVE),
            board=selectors.governing_model_board(organization=self.organization),
        )
        return context


class VisionEditView(FormPageView):
    model = Vision
    form_class = VisionForm
    service = services.vision_update
    write_role = Role.EXECUTIVE
    read_role = Role.EXECUTIVE
    success_message = "Vision, mission and values saved."
    success_url_name = "strategy:vision"
    page_title = "Vision, mission and values"
    back_label = "Vision"

    def get_object(self, queryset=None):
        return services.vision_get(organization=self.organization)


class ModelsView(OrgViewMixin, TemplateView):
    template_name = "strategy/models.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        board = selectors.governing_model_board(organization=self.organization)
        context.update(
            board=board,
            overdue=sum(1 for b in board if b["overdue"]),
            can_edit=self.can(Role.EXECUTIVE),
            today=timezone.localdate(),
        )
        return context

    def post(self, request, *args, **kwargs):
        # "Set up the five models": creates the missing ones (executives only, via write_role).
        services.governing_models_ensure(organization=self.organization)
        messages.success(request, "The five governing models are ready to fill in.")
        return redirect(self.org_url("strategy:models"))

    write_role = Role.EXECUTIVE


class ModelEditView(OrgEditView):
    model = GoverningModel
    form_class = GoverningModelForm
    service = services.governing_model_update
    template_name = "strategy/model_form.html"
    write_role = Role.EXECUTIVE
    read_role = Role.EXECUTIVE
    success_message = "Governing model saved."

    def get_success_url(self):
        return self.org_url("strategy:models") + f"#model-{self.object.kind}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["choices"] = list(self.object.choices.select_related("kpi"))
        context["choice_form"] = KeyChoiceForm(organization=self.organization, model=self.object)
        return context


class KeyChoiceCreateView(OrgActionView):
    write_role = Role.EXECUTIVE

    def post(self, request, *args, **kwargs):
        model = self.get_org_object(GoverningModel, kwargs["pk"])
        form = KeyChoiceForm(request.POST, organization=self.organization, model=model)
        if form.is_valid():
            try:
                services.keychoice_create(model=model, **form_data(form))
                messages.success(request, "Key choice added.")
            except ValidationError as exc:
                messages.error(request, error_text(exc))
        else:
            messages.error(request, form_error_text(form))
        return redirect(self.org_url("strategy:model_edit", model.pk))


class KeyChoiceEditView(FormPageView):
    model = KeyChoice
    form_class = KeyChoiceForm
    service = services.keychoice_update
    write_role = Role.EXECUTIVE
    read_role = Role.EXECUTIVE
    success_message = "Key choice saved."
    success_url_name = "strategy:model_edit"
    success_url_args = ("model_id",)
    page_title = "Edit key choice"
    back_label = "{obj.model}"

    def get_context_data(self, **kwargs):
        delete_url = self.org_url("strategy:keychoice_delete", self.object.pk)
        return super().get_context_data(delete_url=delete_url, **kwargs)


class KeyChoiceDeleteView(OrgDeleteView):
    model = KeyChoice
    service = services.keychoice_delete
    write_role = Role.EXECUTIVE
    success_message = "Key choice removed."
    success_url_name = "strategy:model_edit"
    success_url_args = ("model_id",)


# ---------------------------------------------------------------- cycles


class CycleListView(OrgCreateView):
    template_name = "strategy/cycles.html"
    form_class = CycleForm
    service = services.cycle_create
    write_role = Role.EXECUTIVE
    created_message = "Cycle “{obj}” created."
    success_url_name = "strategy:cycles"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cycles = selectors.cycle_list(organization=self.organization)
        context.update(
            cycles=cycles,
            carry_form=CarryOverForm(organization=self.organization),
            today=timezone.localdate(),
        )
        return context


class CycleEditView(FormPageView):
    model = Cycle
    form_class = CycleForm
    service = services.cycle_update
    write_role = Role.EXECUTIVE
    read_role = Role.EXECUTIVE
    success_message = "Cycle saved."
    success_url_name = "strategy:cycles"
    page_title = "Edit {obj.name}"
    back_label = "Planning cycles"


class CycleCarryOverView(OrgActionView):
    write_role = Role.EXECUTIVE

    def post(self, request, *args, **kwargs):
        source = self.get_org_object(Cycle, kwargs["pk"])
        form = CarryOverForm(request.POST, organization=self.organization)
        if not form.is_valid():
            messages.error(request, "Choose the cycle to carry the unfinished goals into.")
            return redirect(self.org_url("strategy:cycles"))
        target = form.cleaned_data["target"]
        try:
            result = services.cycle_carry_over(source=source, target=target)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            return redirect(self.org_url("strategy:cycles"))
        messages.success(
            request,
            f"Carried {result['carried']} unfinished goal(s) from {source} into {target}"
            + (
                f" ({result['already_there']} were already there)."
                if result["already_there"]
                else "."
            ),
        )
        return redirect(self.org_url("strategy:cascade") + f"?cycle={target.pk}")


# ---------------------------------------------------------------- the cascade


class CascadeView(OrgViewMixin, CycleMixin, TemplateView):
    template_name = "strategy/cascade.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filters = selectors.CascadeFilters.from_query(self.request.GET)
        context["filters"] = filters
        context["choices"] = selectors.cascade_filter_choices(organization=self.organization)
        context["can_add"] = self.can(Role.MANAGER)
        context["can_import"] = self.can(Role.EXECUTIVE)
        if self.cycle is not None:
            cascade = selectors.cascade_tree(cycle=self.cycle, filters=filters)
            context["cascade"] = cascade
            context["tile_links"] = {
                name: "?" + urlencode({"cycle": self.cycle.pk, **params})
                for name, params in cascade.summary["links"].items()
            }
        return context


class CascadeChildrenView(OrgViewMixin, TemplateView):
    """The next level below one goal (htmx fragment of the cascade tree)."""

    template_name = "strategy/_cascade_children.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        goal = self.get_org_object(Goal.objects.select_related("cycle"), kwargs["pk"])
        cascade = selectors.cascade_tree(cycle=goal.cycle, root_id=goal.pk, depth=1)
        context.update(nodes=cascade.roots, cycle=goal.cycle)
        return context


class CascadeExportView(OrgViewMixin, CycleMixin, TemplateView):
    def get(self, request, *args, **kwargs):
        if self.cycle is None:
            raise Http404("No planning cycle yet.")
        stamp = f"{self.organization.slug}-{self.cycle.name}".replace(" ", "-")
        return spreadsheet.export_response(
            cycle=self.cycle, fmt=kwargs["fmt"], name=f"cascade-{stamp}"
        )


class CascadeImportView(OrgViewMixin, CycleMixin, FormView):
    """Upload a spreadsheet: it is checked in the background and its preview opens."""

    template_name = "strategy/import.html"
    form_class = ImportForm
    read_role = Role.EXECUTIVE
    write_role = Role.EXECUTIVE

    def get_initial(self):
        return {"cycle": self.cycle.pk if self.cycle else None}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["recent"] = selectors.goal_import_list(organization=self.organization)[:5]
        return context

    def form_valid(self, form):
        try:
            job = imports.goal_import_upload(
                organization=self.organization,
                cycle=form.cleaned_data["cycle"],
                created_by=self.membership,
                uploaded_file=form.cleaned_data["file"],
            )
        except ValidationError as exc:
            form_add_validation_error(form, exc)
            return self.form_invalid(form)
        return redirect(self.org_url("strategy:cascade_import_detail", job.pk))


class GoalImportMixin(OrgViewMixin):
    read_role = Role.EXECUTIVE
    write_role = Role.EXECUTIVE

    def get_job(self, *, summary: bool = True) -> GoalImport:
        jobs = GoalImport.objects.select_related("cycle", "created_by__user")
        job = self.get_org_object(jobs if summary else jobs.defer("summary"), self.kwargs["pk"])
        return imports.goal_import_stale_fail(job=job)


class CascadeImportDetailView(GoalImportMixin, TemplateView):
    """One upload: its live progress, then every bad row or the preview and the Import button."""

    template_name = "strategy/import_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = self.get_job()
        rows, errors = job.summary.get("rows", []), job.summary.get("errors", [])
        context.update(
            job=job,
            summary=job.summary,
            shown_rows=rows[: imports.PREVIEW_ROWS],
            hidden_rows=max(0, len(rows) - imports.PREVIEW_ROWS),
            shown_errors=errors[: imports.ERROR_ROWS],
            hidden_errors=max(0, len(errors) - imports.ERROR_ROWS),
            progress=imports.goal_import_progress(job),
        )
        return context


class CascadeImportProgressView(ProgressCardMixin, GoalImportMixin, TemplateView):
    """The progress card, polled by htmx every second (the job's summary is not read); a
    finished job reloads the page."""

    template_name = "strategy/_import_progress.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = self.get_job(summary=False)
        context.update(job=job, progress=imports.goal_import_progress(job))
        return context


class CascadeImportApplyView(GoalImportMixin, OrgActionView):
    def post(self, request, *args, **kwargs):
        job = self.get_job(summary=False)
        try:
            imports.goal_import_apply(job=job)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        return redirect(self.org_url("strategy:cascade_import_detail", job.pk))


# ---------------------------------------------------------------- goals and check-ins


class GoalCreateView(CycleMixin, OrgCreateView):
    template_name = "strategy/goal_form.html"
    form_class = GoalForm
    service = services.goal_create
    read_role = Role.MANAGER
    write_role = Role.MANAGER
    created_message = "Goal “{obj.title}” added."
    success_url_name = "strategy:goal_detail"
    success_url_args = ("pk",)

    def get_initial(self):
        initial = {"cycle": self.cycle.pk if self.cycle else None, "owner": self.membership.pk}
        parent_id = page_id(self.request, "parent")
        if parent_id is not None:
            parent = Goal.objects.for_org(self.organization).filter(pk=parent_id).first()
            if parent is not None:
                initial.update(parent=parent.pk, cycle=parent.cycle_id, leg=parent.leg)
        if self.membership.unit_id:
            initial["org_unit"] = self.membership.unit_id
        return initial


class GoalDetailView(OrgViewMixin, TemplateView):
    template_name = "strategy/goal_detail.html"
    write_role = Role.MANAGER

    @cached_property
    def goal(self) -> Goal:
        try:
            return selectors.goal_detail(goal_id=self.kwargs["pk"], organization=self.organization)
        except Goal.DoesNotExist as exc:
            raise Http404 from exc

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        goal = self.goal
        progress = selectors.cascade_progress(cycle=goal.cycle)
        children = selectors.goal_children(goal=goal)
        checkins = selectors.checkin_history(goal=goal)
        context.update(
            goal=goal,
            progress=progress.get(goal.pk),
            parent_progress=progress.get(goal.parent_id) if goal.parent_id else None,
            measured=selectors.goals_measured(goals=[goal]).get(goal.pk),
            children=[(c, progress.get(c.pk)) for c in children],
            checkins=checkins,
            chart=charts.checkin_figure(goal=goal, checkins=checkins),
            initiatives=list(goal.initiatives.select_related("org_unit")),
            can_edit=rules.goal_can_edit(goal=goal, member=self.membership),
            can_checkin=rules.checkin_can_log(goal=goal, member=self.membership),
            checkin_form=kwargs.get("checkin_form") or CheckInForm(goal=goal),
        )
        # A refused check-in re-shows the form, so the person's words are not lost.
        context["show_checkin_form"] = context["can_checkin"] or context["checkin_form"].is_bound
        return context

    def post(self, request, *args, **kwargs):
        """Log a check-in; refusals keep the statement the person typed."""
        goal = self.goal
        form = CheckInForm(request.POST, goal=goal)
        if form.is_valid():
            try:
                services.checkin_log(goal=goal, author=self.membership, **form.service_kwargs())
            except (ValidationError, PermissionDenied) as exc:
                form_add_refusal(form, exc)
            else:
                messages.success(request, f"Check-in on “{goal.title}” logged.")
                nxt = request.POST.get("next", "")
                if nxt.startswith(f"/o/{self.organization.slug}/"):
                    return HttpResponseRedirect(nxt)
                return redirect(self.org_url("strategy:goal_detail", goal.pk))
        return self.render_to_response(self.get_context_data(checkin_form=form), status=400)


class GoalEditView(OrgEditView):
    model = Goal
    form_class = GoalForm
    template_name = "strategy/goal_form.html"
    read_role = Role.MANAGER
    write_role = Role.MANAGER
    success_message = "Goal saved."
    success_url_name = "strategy:goal_detail"
    success_url_args = ("pk",)

    def get_queryset(self):
        return super().get_queryset().select_related("cycle", "parent")

    def get_object(self, queryset=None):
        goal = super().get_object(queryset)
        if not rules.goal_can_edit(goal=goal, member=self.membership):
            raise PermissionDenied(rules.goal_edit_denied_message(goal))
        return goal

    def perform_update(self, form, version):
        data = form_data(form)
        data.pop("cycle", None)
        return services.goal_update(
            goal=form.instance, data=data, version=version, by=self.membership
        )


class GoalDeleteView(OrgDeleteView):
    model = Goal
    service = services.goal_delete
    write_role = Role.MANAGER
    success_message = "Goal “{obj.title}” deleted."
    error_url_name = "strategy:goal_detail"

    def object_url(self, obj) -> str:
        return self.org_url("strategy:cascade") + f"?cycle={obj.cycle_id}"


class MyGoalsView(OrgViewMixin, CycleMixin, TemplateView):
    template_name = "strategy/my_goals.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.cycle is not None:
            mine = selectors.my_goals(member=self.membership, cycle=self.cycle)
            for item in mine["items"]:
                goal = item["goal"]
                item["form"] = CheckInForm(goal=goal, auto_id=f"id_g{goal.id}_%s")
                item["can_checkin"] = rules.checkin_can_log(goal=goal, member=self.membership)
            context["mine"] = mine
        context["can_add"] = self.can(Role.MANAGER)
        return context


class CommitmentsView(OrgViewMixin, CycleMixin, TemplateView):
    template_name = "strategy/commitments.html"
    write_role = Role.EXECUTIVE

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.cycle is not None:
            board = selectors.commitment_board(cycle=self.cycle)
            mine = next(
                (r["commitment"] for r in board["rows"] if r["executive"].id == self.membership.id),
                None,
            )
            context.update(
                board=board,
                cx_goals=selectors.cx_corporate_goals(cycle=self.cycle),
                form=kwargs.get("form")
                or CommitmentForm(
                    organization=self.organization,
                    cycle=self.cycle,
                    instance=mine,
                    initial={"version": mine.version if mine else None},
                ),
                is_executive=self.membership.role == Role.EXECUTIVE,
            )
        return context

    def post(self, request, *args, **kwargs):
        if self.cycle is None:
            raise Http404
        form = CommitmentForm(request.POST, organization=self.organization, cycle=self.cycle)
        if form.is_valid():
            try:
                services.commitment_save(
                    cycle=self.cycle,
                    executive=self.membership,
                    statement=form.cleaned_data["statement"],
                    goal=form.cleaned_data["goal"],
                    version=parse_version(request.POST.get("version")),
                    by=self.membership,
                )
            except VersionConflict as conflict:
                form.add_error(None, str(conflict) + " Your text is kept below.")
                form.data = form.data.copy()
                form.data["version"] = conflict.current.version
            except (ValidationError, PermissionDenied) as exc:
                form_add_refusal(form, exc)
            else:
                messages.success(request, "Your commitment is recorded.")
                cycle_query = f"?cycle={self.cycle.pk}"
                return redirect(self.org_url("strategy:commitments") + cycle_query)
        return self.render_to_response(self.get_context_data(form=form), status=400)


# ---------------------------------------------------------------- initiatives


class InitiativeListView(CycleMixin, OrgCreateView):
    template_name = "strategy/initiatives.html"
    form_class = InitiativeForm
    service = services.initiative_create
    write_role = Role.MANAGER
    created_message = "Initiative “{obj}” added."
    success_url_name = "strategy:initiative_detail"
    success_url_args = ("pk",)

    def get_initial(self):
        return {
            "cycle": self.cycle.pk if self.cycle else None,
            "org_unit": self.membership.unit_id,
            "owner": self.membership.pk,
            "starts_on": timezone.localdate(),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unit = self.request.GET.get("unit", "")
        status = self.request.GET.get("status", "")
        context.update(
            initiatives=list(
                selectors.initiative_list(
                    organization=self.organization,
                    cycle=self.cycle,
                    unit=page_id(self.request, "unit"),
                    status=status if status in Initiative.Status.values else "",
                )
            ),
            units=selectors.cascade_filter_choices(organization=self.organization)["units"],
            statuses=Initiative.Status.choices,
            unit_filter=unit,
            status_filter=status,
        )
        return context


class InitiativeDetailView(OrgViewMixin, TemplateView):
    template_name = "strategy/initiative_detail.html"
    write_role = Role.MANAGER

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            initiative = selectors.initiative_detail(
                organization=self.organization, pk=kwargs["pk"]
            )
        except Initiative.DoesNotExist as exc:
            raise Http404 from exc
        context.update(
            initiative=initiative,
            effect_form=kwargs.get("effect_form") or KPIEffectForm(organization=self.organization),
            touchpoints=_touchpoints(initiative),
            decisions=list(initiative.decisions.all()),
        )
        return context

    def post(self, request, *args, **kwargs):
        initiative = self.get_org_object(Initiative, kwargs["pk"])
        form = KPIEffectForm(request.POST, organization=self.organization)
        if form.is_valid():
            try:
                services.effect_create(
                    initiative=initiative, by=self.membership, **form.cleaned_data
                )
            except (ValidationError, PermissionDenied) as exc:
                form_add_refusal(form, exc)
            else:
                messages.success(request, "Expected KPI move added.")
                return redirect(self.org_url("strategy:initiative_detail", initiative.pk))
        return self.render_to_response(
            self.get_context_data(effect_form=form, **kwargs), status=400
        )


def _touchpoints(initiative) -> list:
    """Touchpoints linked by the journeys app, when it is installed and has the relation."""
    manager = getattr(initiative, "touchpoints", None)
    if manager is None:
        return []
    return list(manager.all()[:50])


class InitiativeEditView(FormPageView):
    model = Initiative
    form_class = InitiativeForm
    service = services.initiative_update
    read_role = Role.MANAGER
    write_role = Role.MANAGER
    success_message = "Initiative saved."
    success_url_name = "strategy:initiative_detail"
    success_url_args = ("pk",)
    page_title = "Edit {obj.name}"
    back_label = "{obj.name}"


class EffectDeleteView(OrgDeleteView):
    queryset = KPIEffect.objects.select_related("initiative")
    service = services.effect_delete
    write_role = Role.MANAGER
    success_message = "KPI move removed."
    success_url_name = "strategy:initiative_detail"
    success_url_args = ("initiative_id",)


# ---------------------------------------------------------------- decisions and capabilities


class DecisionListView(OrgCreateView):
    template_name = "strategy/decisions.html"
    form_class = DecisionForm
    service = services.decision_create
    write_role = Role.EXECUTIVE
    created_message = "Decision “{obj}” logged."
    success_url_name = "strategy:decisions"

    def get_initial(self):
        return {"decided_on": datetime.date.today(), "decided_by": self.membership.pk}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        view = self.request.GET.get("view", "")
        view = view if view in Decision.CustomerView.values else ""
        context.update(
            decisions=list(selectors.decision_list(organization=self.organization, view=view)),
            view_filter=view,
            views=Decision.CustomerView.choices,
        )
        return context


class DecisionEditView(FormPageView):
    model = Decision
    form_class = DecisionForm
    service = services.decision_update
    read_role = Role.EXECUTIVE
    write_role = Role.EXECUTIVE
    success_message = "Decision saved."
    success_url_name = "strategy:decisions"
    page_title = "Edit decision: {obj.title}"
    back_label = "Decision log"


class CapabilityListView(OrgCreateView):
    template_name = "strategy/capabilities.html"
    form_class = CapabilityForm
    service = services.capability_create
    write_role = Role.CX_LEAD
    created_message = "Capability “{obj}” added."
    success_url_name = "strategy:capabilities"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        caps = list(selectors.capability_list(organization=self.organization))
        caps.sort(key=lambda c: (-c.gap, c.name))
        context.update(capabilities=caps, gaps=sum(1 for c in caps if c.gap))
        return context


class CapabilityEditView(FormPageView):
    model = Capability
    form_class = CapabilityForm
    service = services.capability_update
    read_role = Role.CX_LEAD
    write_role = Role.CX_LEAD
    success_message = "Capability saved."
    success_url_name = "strategy:capabilities"
    page_title = "Edit {obj.name}"
    back_label = "Capabilities"
