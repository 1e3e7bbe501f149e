"""Pages of journeys: the overview, audiences, the journey-map editor, print and CSV."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.generic import FormView, TemplateView, View

from cxalign.orgs.pages import (
    OrgCreateView,
    OrgDeleteView,
    OrgEditView,
    form_add_validation_error,
)
from cxalign.orgs.roles import Role
from cxalign.orgs.tenancy import OrgViewMixin
from journeys import selectors, services
from journeys.blueprints import BLUEPRINTS
from journeys.csvio import export_response
from journeys.forms import AudienceForm, JourneyForm, JourneyImportForm, JourneyStartForm
from journeys.models import Audience, Journey

EMOTIONS = [(-2, "−2", "Very negative"), (-1, "−1", "Negative"), (0, "0", "Neutral"),
            (1, "+1", "Positive"), (2, "+2", "Very positive")]  # fmt: skip


class JourneyPageMixin(OrgViewMixin):
    read_role = Role.VIEWER
    write_role = Role.MEMBER

    def get_journey(self) -> Journey:
        return self.get_org_object(Journey.objects.select_related("audience"), self.kwargs["pk"])


class JourneyIndexView(JourneyPageMixin, TemplateView):
    """Every priority audience with its journeys and their silo signals."""

    template_name = "journeys/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        audiences = list(selectors.audience_list(organization=self.organization))
        journeys = list(selectors.journey_list(organization=self.organization))
        signals = selectors.organization_signals(organization=self.organization)
        emotions = selectors.journey_emotions(organization=self.organization)
        by_audience = {a.pk: [] for a in audiences}
        empty = {"unowned": 0, "duplicate_data": 0, "unlinked_moments": 0, "count": 0}
        for j in journeys:
            j.signals = signals["journeys"].get(j.pk, empty)
            j.spark = selectors.sparkline(emotions.get(j.pk, []))
            by_audience.setdefault(j.audience_id, []).append(j)
        groups = []
        for kind, label in Audience.Kind.choices:
            rows = [(a, by_audience.get(a.pk, [])) for a in audiences if a.kind == kind]
            groups.append({"kind": kind, "label": label, "audiences": rows})
        context.update(
            groups=groups,
            audiences=audiences,
            journey_count=len(journeys),
            touchpoint_total=sum(j.touchpoint_count for j in journeys),
            moment_total=sum(j.moment_count for j in journeys),
            signal_total=sum(j.signals["count"] for j in journeys)
            + len(signals["audiences_without_journey"]),
            audiences_without=signals["audiences_without_journey"],
            can_edit_audiences=self.can(Role.CX_LEAD),
        )
        return context


class AudienceListView(OrgCreateView):
    template_name = "journeys/audiences.html"
    form_class = AudienceForm
    service = services.audience_create
    write_role = Role.CX_LEAD
    created_message = "Audience “{obj.name}” added."
    success_url_name = "journeys:audiences"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["audiences"] = selectors.audience_list(organization=self.organization)
        return context


class AudienceEditView(OrgEditView):
    model = Audience
    form_class = AudienceForm
    service = services.audience_update
    template_name = "journeys/audience_form.html"
    write_role = Role.CX_LEAD
    success_message = "Audience saved."
    success_url_name = "journeys:audiences"


class AudienceDeleteView(OrgDeleteView):
    model = Audience
    service = services.audience_delete
    write_role = Role.CX_LEAD
    success_message = "Audience “{obj.name}” deleted."
    success_url_name = "journeys:audiences"


class JourneyStartView(JourneyPageMixin, FormView):
    """A new journey: blank, from a template, or as a copy."""

    template_name = "journeys/start.html"
    form_class = JourneyStartForm

    def get_initial(self):
        initial = super().get_initial()
        for key in ("audience", "template", "start", "source"):
            if key in self.request.GET:
                initial[key] = self.request.GET[key]
        return initial

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["blueprints"] = [
            {"key": k, **{f: b[f] for f in ("name", "description", "audience_kind")},
             "stages": [s[0] for s in b["stages"]]}
            for k, b in BLUEPRINTS.items()
        ]  # fmt: skip
        context["has_audiences"] = Audience.objects.for_org(self.organization).exists()
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            if data["start"] == "template":
                journey = services.journey_from_template(
                    organization=self.organization,
                    audience=data["audience"],
                    template=data["template"],
                    name=data["name"],
                )
            elif data["start"] == "copy":
                journey = services.journey_copy(
                    journey=data["source"], name=data["name"], audience=data["audience"]
                )
            else:
                journey = services.journey_create(
                    organization=self.organization,
                    audience=data["audience"],
                    name=data["name"],
                    description=data["description"],
                )
        except ValidationError as exc:
            form_add_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, f"Journey “{journey.name}” created.")
        return redirect(self.org_url("journeys:board", journey.pk))


class JourneyImportView(JourneyPageMixin, FormView):
    """A journey from a CSV: a preview that names bad rows, then all or nothing."""

    template_name = "journeys/import.html"
    form_class = JourneyImportForm

    def form_valid(self, form):
        data = form.cleaned_data
        upload = data.get("file")
        content = upload.read() if upload else data["content"]
        confirm = bool(data.get("confirm")) and not upload
        try:
            result = services.journey_import_csv(
                organization=self.organization,
                audience=data["audience"],
                name=data["name"],
                content=content,
                dry_run=not confirm,
            )
        except ValidationError as exc:
            form_add_validation_error(form, exc)
            return self.form_invalid(form)
        if result["journey"] is not None:
            journey = result["journey"]
            messages.success(
                self.request,
                f"Imported “{journey.name}”: {len(result['stages'])} stages, "
                f"{result['touchpoints']} touchpoints.",
            )
            return redirect(self.org_url("journeys:board", journey.pk))
        text = content.decode("utf-8-sig", "replace") if isinstance(content, bytes) else content
        confirm_form = None
        if not result["errors"]:
            confirm_form = JourneyImportForm(
                organization=self.organization,
                initial={
                    "name": data["name"],
                    "audience": data["audience"].pk,
                    "content": text,
                    "confirm": True,
                },
            )
        return self.render_to_response(
            self.get_context_data(form=form, result=result, confirm_form=confirm_form)
        )


class JourneyBoardView(JourneyPageMixin, TemplateView):
    """The journey-map editor: the board, live updates, the emotion curve and signals."""

    template_name = "journeys/board.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        journey = self.get_journey()
        board = selectors.journey_board(journey=journey)
        context.update(
            journey=journey,
            board=board,
            config={
                "api": self.org_url("journeys-journey-list").rsplit("journeys/", 1)[0],
                "journey": journey.pk,
                "canWrite": self.can(Role.MEMBER),
                "units": selectors.unit_choices(organization=self.organization),
                "links": selectors.link_choices(organization=self.organization),
                "channels": [
                    {"id": v, "name": label}
                    for v, label in journey.touchpoints.model.Channel.choices
                ],
                "phases": [
                    {"id": v, "name": label} for v, label in journey.stages.model.Phase.choices
                ],
                "me": self.membership.display_name,
                "meId": self.membership.pk,
                "audiencesWithout": selectors.audiences_without_journey(
                    organization=self.organization
                ).count(),
                "indexUrl": self.org_url("journeys:index"),
                "historyUrl": self.org_url(
                    "orgs:history", app_label="journeys", model_name="MODEL", pk=0
                ),
                "newUrl": self.org_url("journeys:new")
                + f"?audience={journey.audience_id}&start=template",
            },  # fmt: skip
            emotions=EMOTIONS,
        )
        return context


class JourneyPrintView(JourneyPageMixin, TemplateView):
    """A print-friendly map (and, through the browser's print dialog, a PDF)."""

    template_name = "journeys/print.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        journey = self.get_journey()
        board = selectors.journey_board(journey=journey)
        cards: dict[int, list] = {}
        for t in board["touchpoints"]:
            cards.setdefault(t["stage"], []).append(t)
        pains: dict[int, list] = {}
        for p in board["pain_points"]:
            pains.setdefault(p["stage"], []).append(p)
        faces = {value: face for value, face, _ in EMOTIONS}
        columns = [
            {
                **s,
                "cards": cards.get(s["id"], []),
                "pains": pains.get(s["id"], []),
                "face": faces.get(s["emotion"], ""),
                "owners": sorted(
                    {t["owner_name"] for t in cards.get(s["id"], []) if t["owner_name"]}
                ),
                "unowned": sum(1 for t in cards.get(s["id"], []) if not t["owner"]),
            }
            for s in board["stages"]
        ]
        context.update(journey=journey, board=board, columns=columns, emotions=EMOTIONS)
        return context


class JourneyExportView(JourneyPageMixin, View):
    def get(self, request, *args, **kwargs):
        journey = self.get_journey()
        filename = "".join(c if c.isalnum() else "-" for c in journey.name.lower()).strip("-")
        return export_response(
            selectors.export_rows(journey=journey), filename=f"{filename or 'journey'}.csv"
        )


class JourneyEditView(OrgEditView):
    model = Journey
    form_class = JourneyForm
    service = services.journey_update
    template_name = "journeys/journey_form.html"
    write_role = Role.MEMBER
    success_message = "Journey saved."
    success_url_name = "journeys:board"
    success_url_args = ("pk",)


class JourneyDeleteView(OrgDeleteView):
    model = Journey
    service = services.journey_delete
    write_role = Role.MEMBER
    success_message = "Journey “{obj.name}” deleted."
    success_url_name = "journeys:index"
    error_url_name = "journeys:edit"
