"""Pages of the strategy app: thin views over the services and selectors."""

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import FormView, RedirectView, TemplateView

from cxalign.orgs.concurrency import VersionConflict, parse_version
from cxalign.orgs.pages import (
    CreateFormMixin,
    OrgActionView,
    VersionedUpdateView,
    form_add_validation_error,
    form_data,
)
from cxalign.orgs.params import page_id
from cxalign.orgs.roles import Role
from cxalign.orgs.tenancy import OrgViewMixin
from strategy import charts, rules, selectors, services, spreadsheet
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
    GoverningModel,
    Initiative,
    KeyChoice,
    KPIEffect,
    Vision,
)


def _url(name: str, org, *args) -> str:
    return reverse(f"strategy:{name}", args=[org.slug, *args])


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


class VisionEditView(VersionedUpdateView):
    model = Vision
    form_class = VisionForm
    template_name = "strategy/form_page.html"
    write_role = Role.EXECUTIVE
    read_role = Role.EXECUTIVE
    success_message = "Vision, mission and values saved."

    def get_object(self, queryset=None):
        return services.vision_get(organization=self.organization)

    def perform_update(self, form, version):
        return services.vision_update(vision=form.instance, data=form_data(form), version=version)

    def get_success_url(self):
        return _url("vision", self.organization)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            page_title="Vision, mission and values",
            back_url=_url("vision", self.organization),
            back_label="Vision",
            **kwargs,
        )


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
        return redirect(_url("models", self.organization))

    write_role = Role.EXECUTIVE


class ModelEditView(VersionedUpdateView):
    model = GoverningModel
    form_class = GoverningModelForm
    template_name = "strategy/model_form.html"
    write_role = Role.EXECUTIVE
    read_role = Role.EXECUTIVE
    success_message = "Governing model saved."

    def perform_update(self, form, version):
        return services.governing_model_update(
            model=form.instance, data=form_data(form), version=version
        )

    def get_success_url(self):
        return _url("models", self.organization) + f"#model-{self.object.kind}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["choices"] = list(self.object.choices.select_related("kpi"))
        context["choice_form"] = KeyChoiceForm(organization=self.organization, model=self.object)
        return context


class KeyChoiceCreateView(OrgActionView):
    write_role = Role.EXECUTIVE

    def post(self, request, *args, **kwargs):
        model = get_object_or_404(
            GoverningModel.objects.for_org(self.organization), pk=kwargs["pk"]
        )
        form = KeyChoiceForm(request.POST, organization=self.organization, model=model)
        if form.is_valid():
            try:
                services.keychoice_create(model=model, **form_data(form))
                messages.success(request, "Key choice added.")
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
        else:
            messages.error(request, _errors_text(form))
        return redirect(_url("model_edit", self.organization, model.pk))


class KeyChoiceEditView(VersionedUpdateView):
    model = KeyChoice
    form_class = KeyChoiceForm
    template_name = "strategy/form_page.html"
    write_role = Role.EXECUTIVE
    read_role = Role.EXECUTIVE
    success_message = "Key choice saved."

    def perform_update(self, form, version):
        return services.keychoice_update(
            choice=form.instance, data=form_data(form), version=version
        )

    def get_success_url(self):
        return _url("model_edit", self.organization, self.object.model_id)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            page_title="Edit key choice",
            back_url=self.get_success_url(),
            back_label=str(self.object.model),
            delete_url=_url("keychoice_delete", self.organization, self.object.pk),
            **kwargs,
        )


class KeyChoiceDeleteView(OrgActionView):
    write_role = Role.EXECUTIVE

    def post(self, request, *args, **kwargs):
        choice = get_object_or_404(KeyChoice.objects.for_org(self.organization), pk=kwargs["pk"])
        model_id = choice.model_id
        choice.delete()
        messages.success(request, "Key choice removed.")
        return redirect(_url("model_edit", self.organization, model_id))


def _errors_text(form) -> str:
    parts = []
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        parts.append(f"{label or 'Form'}: {' '.join(errors)}")
    return " ".join(parts)


# ---------------------------------------------------------------- cycles


class CycleListView(OrgViewMixin, CreateFormMixin, FormView):
    template_name = "strategy/cycles.html"
    form_class = CycleForm
    write_role = Role.EXECUTIVE
    created_message = "Cycle “{obj}” created."

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cycles = selectors.cycle_list(organization=self.organization)
        context.update(
            cycles=cycles,
            carry_form=CarryOverForm(organization=self.organization),
            today=timezone.localdate(),
        )
        return context

    def create(self, form):
        return services.cycle_create(organization=self.organization, **form_data(form))

    def get_success_url(self):
        return _url("cycles", self.organization)


class CycleEditView(VersionedUpdateView):
    model = Cycle
    form_class = CycleForm
    template_name = "strategy/form_page.html"
    write_role = Role.EXECUTIVE
    read_role = Role.EXECUTIVE
    success_message = "Cycle saved."

    def perform_update(self, form, version):
        return services.cycle_update(cycle=form.instance, data=form_data(form), version=version)

    def get_success_url(self):
        return _url("cycles", self.organization)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            page_title=f"Edit {self.object.name}",
            back_url=self.get_success_url(),
            back_label="Planning cycles",
            **kwargs,
        )


class CycleCarryOverView(OrgActionView):
    write_role = Role.EXECUTIVE

    def post(self, request, *args, **kwargs):
        source = get_object_or_404(Cycle.objects.for_org(self.organization), pk=kwargs["pk"])
        form = CarryOverForm(request.POST, organization=self.organization)
        if not form.is_valid():
            messages.error(request, "Choose the cycle to carry the unfinished goals into.")
            return redirect(_url("cycles", self.organization))
        target = form.cleaned_data["target"]
        try:
            result = services.cycle_carry_over(source=source, target=target)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(_url("cycles", self.organization))
        messages.success(
            request,
            f"Carried {result['carried']} unfinished goal(s) from {source} into {target}"
            + (
                f" ({result['already_there']} were already there)."
                if result["already_there"]
                else "."
            ),
        )
        return redirect(_url("cascade", self.organization) + f"?cycle={target.pk}")


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
        goal = get_object_or_404(
            Goal.objects.for_org(self.organization).select_related("cycle"), pk=kwargs["pk"]
        )
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
    """Upload a spreadsheet, see every bad row, then apply it all or nothing."""

    template_name = "strategy/import.html"
    form_class = ImportForm
    read_role = Role.EXECUTIVE
    write_role = Role.EXECUTIVE
    SESSION_KEY = "strategy_import"

    def get_initial(self):
        return {"cycle": self.cycle.pk if self.cycle else None}

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        cycle = form.cleaned_data["cycle"]
        try:
            rows = spreadsheet.read_rows(upload.read(), filename=upload.name)
        except ValidationError as exc:
            form_add_validation_error(form, exc)
            return self.form_invalid(form)
        summary = spreadsheet.goals_import(cycle=cycle, rows=rows, dry_run=True, with_rows=True)
        self.request.session[self.SESSION_KEY] = {
            "cycle": cycle.pk,
            "rows": rows,
            "filename": upload.name,
        }
        return self.render_to_response(
            self.get_context_data(
                form=form, summary=summary, preview_cycle=cycle, filename=upload.name
            )
        )

    def post(self, request, *args, **kwargs):
        if "apply" not in request.POST:
            return super().post(request, *args, **kwargs)
        pending = request.session.get(self.SESSION_KEY)
        if not pending:
            messages.error(request, "Upload the file again: the preview expired.")
            return redirect(_url("cascade_import", self.organization))
        cycle = get_object_or_404(Cycle.objects.for_org(self.organization), pk=pending["cycle"])
        try:
            summary = spreadsheet.goals_import(cycle=cycle, rows=pending["rows"], dry_run=False)
        except ValidationError as exc:
            messages.error(request, "Nothing was imported: " + " ".join(exc.messages))
            return redirect(_url("cascade_import", self.organization))
        request.session.pop(self.SESSION_KEY, None)
        if summary["errors"]:
            messages.error(
                request, f"Nothing was imported: {summary['rejected']} row(s) are wrong."
            )
            return redirect(_url("cascade_import", self.organization))
        messages.success(
            request,
            f"Imported {pending['filename']}: {summary['created']} goal(s) created, "
            f"{summary['updated']} updated.",
        )
        return redirect(_url("cascade", self.organization) + f"?cycle={cycle.pk}")


# ---------------------------------------------------------------- goals and check-ins


class GoalCreateView(OrgViewMixin, CycleMixin, CreateFormMixin, FormView):
    template_name = "strategy/goal_form.html"
    form_class = GoalForm
    read_role = Role.MANAGER
    write_role = Role.MANAGER
    created_message = "Goal “{obj.title}” added."

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

    def create(self, form):
        self.object = services.goal_create(
            organization=self.organization, by=self.membership, **form_data(form)
        )
        return self.object

    def get_success_url(self):
        return _url("goal_detail", self.organization, self.object.pk)


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
            except ValidationError as exc:
                form_add_validation_error(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"Check-in on “{goal.title}” logged.")
                nxt = request.POST.get("next", "")
                if nxt.startswith(f"/o/{self.organization.slug}/"):
                    return HttpResponseRedirect(nxt)
                return redirect(_url("goal_detail", self.organization, goal.pk))
        return self.render_to_response(self.get_context_data(checkin_form=form), status=400)


class GoalEditView(VersionedUpdateView):
    model = Goal
    form_class = GoalForm
    template_name = "strategy/goal_form.html"
    read_role = Role.MANAGER
    write_role = Role.MANAGER
    success_message = "Goal saved."

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

    def get_success_url(self):
        return _url("goal_detail", self.organization, self.object.pk)


class GoalDeleteView(OrgActionView):
    write_role = Role.MANAGER

    def post(self, request, *args, **kwargs):
        goal = get_object_or_404(Goal.objects.for_org(self.organization), pk=kwargs["pk"])
        cycle_id = goal.cycle_id
        try:
            services.goal_delete(goal=goal, by=self.membership)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            return redirect(_url("goal_detail", self.organization, goal.pk))
        messages.success(request, f"Goal “{goal.title}” deleted.")
        return redirect(_url("cascade", self.organization) + f"?cycle={cycle_id}")


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
                if isinstance(exc, ValidationError):
                    form_add_validation_error(form, exc)
                else:
                    form.add_error(None, str(exc))
            else:
                messages.success(request, "Your commitment is recorded.")
                return redirect(_url("commitments", self.organization) + f"?cycle={self.cycle.pk}")
        return self.render_to_response(self.get_context_data(form=form), status=400)


# ---------------------------------------------------------------- initiatives


class InitiativeListView(OrgViewMixin, CycleMixin, CreateFormMixin, FormView):
    template_name = "strategy/initiatives.html"
    form_class = InitiativeForm
    write_role = Role.MANAGER
    created_message = "Initiative “{obj}” added."

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

    def create(self, form):
        self.object = services.initiative_create(
            organization=self.organization, by=self.membership, **form_data(form)
        )
        return self.object

    def get_success_url(self):
        return _url("initiative_detail", self.organization, self.object.pk)


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
        initiative = get_object_or_404(
            Initiative.objects.for_org(self.organization), pk=kwargs["pk"]
        )
        form = KPIEffectForm(request.POST, organization=self.organization)
        if form.is_valid():
            try:
                services.effect_create(
                    initiative=initiative, by=self.membership, **form.cleaned_data
                )
            except ValidationError as exc:
                form_add_validation_error(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "Expected KPI move added.")
                return redirect(_url("initiative_detail", self.organization, initiative.pk))
        return self.render_to_response(
            self.get_context_data(effect_form=form, **kwargs), status=400
        )


def _touchpoints(initiative) -> list:
    """Touchpoints linked by the journeys app, when it is installed and has the relation."""
    manager = getattr(initiative, "touchpoints", None)
    if manager is None:
        return []
    return list(manager.all()[:50])


class InitiativeEditView(VersionedUpdateView):
    model = Initiative
    form_class = InitiativeForm
    template_name = "strategy/form_page.html"
    read_role = Role.MANAGER
    write_role = Role.MANAGER
    success_message = "Initiative saved."

    def perform_update(self, form, version):
        return services.initiative_update(
            initiative=form.instance, data=form_data(form), version=version, by=self.membership
        )

    def get_success_url(self):
        return _url("initiative_detail", self.organization, self.object.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            page_title=f"Edit {self.object.name}",
            back_url=self.get_success_url(),
            back_label=self.object.name,
            **kwargs,
        )


class EffectDeleteView(OrgActionView):
    write_role = Role.MANAGER

    def post(self, request, *args, **kwargs):
        effect = get_object_or_404(
            KPIEffect.objects.for_org(self.organization).select_related("initiative"),
            pk=kwargs["pk"],
        )
        try:
            services.effect_delete(effect=effect, by=self.membership)
            messages.success(request, "KPI move removed.")
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        return redirect(_url("initiative_detail", self.organization, effect.initiative_id))


# ---------------------------------------------------------------- decisions and capabilities


class DecisionListView(OrgViewMixin, CreateFormMixin, FormView):
    template_name = "strategy/decisions.html"
    form_class = DecisionForm
    write_role = Role.EXECUTIVE
    created_message = "Decision “{obj}” logged."

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

    def create(self, form):
        return services.decision_create(
            organization=self.organization, by=self.membership, **form_data(form)
        )

    def get_success_url(self):
        return _url("decisions", self.organization)


class DecisionEditView(VersionedUpdateView):
    model = Decision
    form_class = DecisionForm
    template_name = "strategy/form_page.html"
    read_role = Role.EXECUTIVE
    write_role = Role.EXECUTIVE
    success_message = "Decision saved."

    def perform_update(self, form, version):
        return services.decision_update(
            decision=form.instance, data=form_data(form), version=version, by=self.membership
        )

    def get_success_url(self):
        return _url("decisions", self.organization)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            page_title=f"Edit decision: {self.object.title}",
            back_url=self.get_success_url(),
            back_label="Decision log",
            **kwargs,
        )


class CapabilityListView(OrgViewMixin, CreateFormMixin, FormView):
    template_name = "strategy/capabilities.html"
    form_class = CapabilityForm
    write_role = Role.CX_LEAD
    created_message = "Capability “{obj}” added."

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        caps = list(selectors.capability_list(organization=self.organization))
        caps.sort(key=lambda c: (-c.gap, c.name))
        context.update(capabilities=caps, gaps=sum(1 for c in caps if c.gap))
        return context

    def create(self, form):
        return services.capability_create(organization=self.organization, **form_data(form))

    def get_success_url(self):
        return _url("capabilities", self.organization)


class CapabilityEditView(VersionedUpdateView):
    model = Capability
    form_class = CapabilityForm
    template_name = "strategy/form_page.html"
    read_role = Role.CX_LEAD
    write_role = Role.CX_LEAD
    success_message = "Capability saved."

    def perform_update(self, form, version):
        return services.capability_update(
            capability=form.instance, data=form_data(form), version=version
        )

    def get_success_url(self):
        return _url("capabilities", self.organization)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            page_title=f"Edit {self.object.name}",
            back_url=self.get_success_url(),
            back_label="Capabilities",
            **kwargs,
        )
