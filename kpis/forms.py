from django import forms

from cxalign.orgs.forms import VersionField
from cxalign.orgs.tenancy import OrgScopedFormMixin
from kpis.models import KPI, direction_parse


class DirectionField(forms.ChoiceField):
    """Up/down, also written higher/lower (any case)."""

    def to_python(self, value):
        return direction_parse(value) or super().to_python(value)


class KPIForm(OrgScopedFormMixin, forms.ModelForm):
    version = VersionField(required=False)
    direction = DirectionField(choices=KPI.Direction.choices, initial=KPI.Direction.UP)

    class Meta:
        model = KPI
        fields = ["name", "key", "unit", "direction", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def _post_clean(self):
        pass  # the service validates the row and the key's uniqueness
