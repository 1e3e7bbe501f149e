from django import forms

from cxalign.orgs.forms import VersionField
from cxalign.orgs.tenancy import OrgScopedFormMixin
from kpis.models import KPI


class KPIForm(OrgScopedFormMixin, forms.ModelForm):
    version = VersionField(required=False)

    class Meta:
        model = KPI
        fields = ["name", "key", "unit", "direction", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def _post_clean(self):
        pass  # the service validates the row and the key's uniqueness
