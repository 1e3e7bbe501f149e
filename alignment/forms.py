"""Forms of the alignment pages: they pass data through; services decide."""

from __future__ import annotations

from django import forms

from alignment.models import Flag
from alignment.pages_data import FlagFilters
from alignment.rules.catalogue import CONTRACT
from cxalign.orgs.forms import VersionField
from cxalign.orgs.tenancy import OrgScopedFormMixin
from strategy.models import Cycle

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
STATE_CHOICES = [("", "Open and acknowledged"), *Flag.State.choices, ("all", "Every state")]


class RecomputeForm(OrgScopedFormMixin, forms.Form):
    """Start a run of a cycle; the periods default to the contract's when left empty."""

    cycle = forms.ModelChoiceField(queryset=Cycle.objects.all(), empty_label=None)
    current_first = forms.DateField(required=False, widget=DATE, label="Current period from")
    current_last = forms.DateField(required=False, widget=DATE, label="Current period to")
    previous_first = forms.DateField(required=False, widget=DATE, label="Previous period from")
    previous_last = forms.DateField(required=False, widget=DATE, label="Previous period to")

    def clean(self):
        data = super().clean()
        for period in ("current", "previous"):
            first, last = data.get(f"{period}_first"), data.get(f"{period}_last")
            if (first is None) != (last is None):
                self.add_error(
                    f"{period}_last" if last is None else f"{period}_first",
                    f"Give both dates of the {period} period, or neither.",
                )
        return data

    def periods(self) -> dict:
        """`current` / `previous` as (first, last) tuples or None, for run_request."""
        data = self.cleaned_data
        return {
            p: (data[f"{p}_first"], data[f"{p}_last"]) if data.get(f"{p}_first") else None
            for p in ("current", "previous")
        }


class AcknowledgeForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "Why is this accepted for now?"}),
        max_length=2000,
        required=False,  # the service says why a blank reason is refused
    )
    version = VersionField()


class ReopenForm(forms.Form):
    version = VersionField()


class FlagFilterForm(forms.Form):
    """The flags page's filters; they stay in the URL so a filtered list can be shared."""

    rule = forms.ChoiceField(required=False)
    state = forms.ChoiceField(required=False, choices=STATE_CHOICES)
    severity = forms.ChoiceField(required=False)
    unit = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    cycle = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)

    def __init__(self, *args, units=(), cycles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.cycles = {c.id: c for c in cycles}
        self.fields["rule"].choices = [("", "Every rule")] + [
            (r, r.replace("_", " ").capitalize()) for r in sorted(CONTRACT)
        ]
        self.fields["severity"].choices = [("", "Every severity"), *Flag.Severity.choices]
        self.fields["unit"].choices = [("", "Every unit")] + [(u.id, u.name) for u in units]
        self.fields["cycle"].choices = [(c.id, c.name) for c in cycles]

    def filters(self, default_cycle) -> FlagFilters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return FlagFilters(
            rule=data.get("rule") or "",
            state=data.get("state") or "",
            severity=data.get("severity") or "",
            unit=data.get("unit"),
            cycle=self.cycles.get(data.get("cycle")) or default_cycle,
        )
