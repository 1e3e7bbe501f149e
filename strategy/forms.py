"""Forms of the strategy pages: they pass data to the services and decide nothing."""

from decimal import Decimal

from django import forms

from cxalign.orgs.forms import VersionField
from cxalign.orgs.roles import Role
from cxalign.orgs.tenancy import OrgScopedFormMixin
from strategy.models import (
    Capability,
    Commitment,
    Confidence,
    Cycle,
    Decision,
    Goal,
    GoverningModel,
    Initiative,
    KeyChoice,
    KPIEffect,
    Vision,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _people(field, *, min_roles=None):
    qs = field.queryset.filter(is_active=True).select_related("user")
    if min_roles:
        qs = qs.filter(role__in=min_roles)
    field.queryset = qs.order_by("user__first_name", "user__username")
    field.label_from_instance = lambda m: f"{m.display_name} · {m.title or m.get_role_display()}"


EXECUTIVES = [Role.EXECUTIVE, Role.ADMIN]
GOAL_OWNERS = [Role.MANAGER, Role.CX_LEAD, Role.EXECUTIVE, Role.ADMIN]


class VisionForm(OrgScopedFormMixin, forms.ModelForm):
    version = VersionField()

    class Meta:
        model = Vision
        fields = ["vision", "mission", "values"]
        widgets = {
            "vision": forms.Textarea(attrs={"rows": 3}),
            "mission": forms.Textarea(attrs={"rows": 3}),
            "values": forms.Textarea(attrs={"rows": 6}),
        }


class GoverningModelForm(OrgScopedFormMixin, forms.ModelForm):
    version = VersionField()

    class Meta:
        model = GoverningModel
        fields = ["owner", "summary", "review_cadence_months", "last_reviewed_on"]
        widgets = {"last_reviewed_on": DATE, "summary": forms.Textarea(attrs={"rows": 4})}
        labels = {"review_cadence_months": "Review cadence"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _people(self.fields["owner"], min_roles=EXECUTIVES)
        if self.instance.kind == GoverningModel.Kind.CX:
            self.fields["owner"].label = "Executive sponsor"


class KeyChoiceForm(OrgScopedFormMixin, forms.ModelForm):
    version = VersionField(required=False)

    class Meta:
        model = KeyChoice
        fields = ["text", "position", "likelihood", "impact", "kpi"]

    def __init__(self, *args, model=None, **kwargs):
        super().__init__(*args, **kwargs)
        kind = model.kind if model else (self.instance.model.kind if self.instance.pk else None)
        self.fields["position"].required = False
        if kind != GoverningModel.Kind.RISK:
            del self.fields["likelihood"], self.fields["impact"]
        if kind != GoverningModel.Kind.ECONOMIC:
            del self.fields["kpi"]


class CycleForm(OrgScopedFormMixin, forms.ModelForm):
    version = VersionField(required=False)

    class Meta:
        model = Cycle
        fields = ["name", "kind", "starts_on", "ends_on", "inputs_due_on", "status"]
        widgets = {"starts_on": DATE, "ends_on": DATE, "inputs_due_on": DATE}
        help_texts = {
            "inputs_due_on": "Leave empty for a month before the start: customer findings "
            "are due then."
        }

    def validate_unique(self):
        pass  # the service checks names within the organization


class CarryOverForm(OrgScopedFormMixin, forms.Form):
    target = forms.ModelChoiceField(
        queryset=Cycle.objects.all(), label="Carry unfinished goals into"
    )


class GoalForm(OrgScopedFormMixin, forms.ModelForm):
    version = VersionField(required=False)

    class Meta:
        model = Goal
        fields = [
            "cycle",
            "parent",
            "key",
            "title",
            "description",
            "owner",
            "org_unit",
            "leg",
            "measure",
            "kpi",
            "baseline",
            "target",
            "measure_unit",
            "weight",
            "due_on",
            "status",
        ]
        widgets = {"due_on": DATE, "description": forms.Textarea(attrs={"rows": 3})}
        labels = {
            "org_unit": "Org unit",
            "measure_unit": "Unit",
            "parent": "Contributes to",
            "kpi": "KPI",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _people(self.fields["owner"], min_roles=GOAL_OWNERS)
        self.fields["owner"].required = True
        cycle_id = self.initial.get("cycle") or self.instance.cycle_id or self.data.get("cycle")
        parents = self.fields["parent"].queryset.select_related("cycle").order_by("key")
        if cycle_id:
            parents = parents.filter(cycle_id=cycle_id)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
            self.fields["cycle"].disabled = True
        self.fields["parent"].queryset = parents
        self.fields["parent"].label_from_instance = lambda g: f"{g.key} · {g.title}"
        self.fields["parent"].help_text = (
            "Leave empty for a top-level goal; one owned outside the C-team is flagged as an "
            "orphan goal."
        )
        self.fields["kpi"].help_text = "For a KPI target; the unit defaults to the KPI's."

    def clean(self):
        cleaned = super().clean()
        kpi = cleaned.get("kpi")
        if kpi and cleaned.get("measure") == Goal.Measure.KPI and not cleaned.get("measure_unit"):
            # A friendly default; the rule (a KPI target needs a unit) stays in the model.
            cleaned["measure_unit"] = kpi.unit
        return cleaned

    def _post_clean(self):
        # Model validation runs in the service, which knows the cascade's rules.
        pass


class CheckInForm(forms.Form):
    value = forms.DecimalField(required=False, max_digits=16, decimal_places=4)
    progress_percent = forms.DecimalField(
        required=False, min_value=0, max_value=100, decimal_places=2, label="Progress (%)"
    )
    confidence = forms.ChoiceField(choices=Confidence.choices, widget=forms.RadioSelect)
    statement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="How does this contribute to the goal above?",
    )

    def __init__(self, *args, goal=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.goal = goal
        if goal is not None:
            if goal.measure == Goal.Measure.KPI:
                del self.fields["progress_percent"]
                self.fields["value"].label = f"Current value ({goal.measure_unit})"
                self.fields["value"].required = True
            elif goal.measure == Goal.Measure.MILESTONE:
                del self.fields["value"]
                self.fields["progress_percent"].required = True
            else:
                del self.fields["value"], self.fields["progress_percent"]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        percent = data.get("progress_percent")
        return {
            "value": data.get("value"),
            "progress": None
            if percent is None
            else (percent / Decimal(100)).quantize(Decimal("0.0001")),
            "confidence": data["confidence"],
            "statement": data["statement"],
        }


class CommitmentForm(OrgScopedFormMixin, forms.ModelForm):
    version = VersionField(required=False)

    class Meta:
        model = Commitment
        fields = ["goal", "statement"]
        widgets = {"statement": forms.Textarea(attrs={"rows": 3})}
        labels = {"statement": "My contribution to the corporate CX goal"}

    def __init__(self, *args, cycle=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = self.fields["goal"].queryset.filter(parent__isnull=True)
        if cycle is not None:
            qs = qs.filter(cycle=cycle)
        self.fields["goal"].queryset = qs.order_by("-leg", "key")
        self.fields["goal"].label = "Corporate goal"

    def _post_clean(self):
        pass


class InitiativeForm(OrgScopedFormMixin, forms.ModelForm):
    version = VersionField(required=False)

    class Meta:
        model = Initiative
        fields = [
            "cycle",
            "name",
            "kind",
            "org_unit",
            "owner",
            "starts_on",
            "status",
            "goals",
            "description",
            "outcome",
        ]
        widgets = {
            "starts_on": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
            "outcome": forms.Textarea(attrs={"rows": 3}),
            "goals": forms.SelectMultiple(attrs={"size": 8}),
        }
        labels = {"org_unit": "Owning unit", "goals": "Goals it serves"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _people(self.fields["owner"])
        goals = self.fields["goals"].queryset.select_related("cycle").order_by("cycle", "key")
        cycle_id = self.data.get("cycle") or self.initial.get("cycle") or self.instance.cycle_id
        if cycle_id:
            goals = goals.filter(cycle_id=cycle_id)
        self.fields["goals"].queryset = goals
        self.fields["goals"].label_from_instance = lambda g: f"{g.key} · {g.title} ({g.cycle.name})"
        self.fields["goals"].help_text = "Goals of the initiative's cycle."

    def _post_clean(self):
        pass


class KPIEffectForm(OrgScopedFormMixin, forms.ModelForm):
    class Meta:
        model = KPIEffect
        fields = ["kpi", "direction", "amount", "intended", "affected_unit", "note"]
        labels = {"kpi": "KPI", "intended": "Intended effect"}

    def _post_clean(self):
        pass


class DecisionForm(OrgScopedFormMixin, forms.ModelForm):
    version = VersionField(required=False)

    class Meta:
        model = Decision
        fields = [
            "title",
            "decided_on",
            "decided_by",
            "cycle",
            "description",
            "customer_view",
            "customer_view_why",
            "mitigation",
            "override",
            "override_reason",
            "goals",
            "initiatives",
        ]
        widgets = {
            "decided_on": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
            "customer_view": forms.RadioSelect,
            "customer_view_why": forms.Textarea(attrs={"rows": 3}),
            "mitigation": forms.Textarea(attrs={"rows": 2}),
            "override_reason": forms.Textarea(attrs={"rows": 2}),
            "goals": forms.SelectMultiple(attrs={"size": 6}),
            "initiatives": forms.SelectMultiple(attrs={"size": 5}),
        }
        labels = {
            "customer_view": "What would our best customers think of this decision?",
            "customer_view_why": "Why?",
            "override": "Go ahead without a mitigation (recorded override)",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _people(self.fields["decided_by"], min_roles=EXECUTIVES)
        self.fields["customer_view"].choices = Decision.CustomerView.choices
        self.fields["goals"].queryset = (
            self.fields["goals"]
            .queryset.select_related("cycle")
            .order_by("-cycle__starts_on", "key")
        )
        self.fields["goals"].label_from_instance = lambda g: f"{g.key} · {g.title} ({g.cycle.name})"

    def _post_clean(self):
        pass


class CapabilityForm(OrgScopedFormMixin, forms.ModelForm):
    version = VersionField(required=False)

    class Meta:
        model = Capability
        fields = ["name", "description", "current_level", "needed_level", "owner", "org_unit"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        labels = {"org_unit": "Org unit"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _people(self.fields["owner"])

    def _post_clean(self):
        pass


class ImportForm(OrgScopedFormMixin, forms.Form):
    cycle = forms.ModelChoiceField(queryset=Cycle.objects.all())
    file = forms.FileField(
        help_text="CSV or XLSX with the columns key, title, parent key, owner username, org unit, "
        "leg, KPI, baseline, target, unit, weight, due date."
    )
