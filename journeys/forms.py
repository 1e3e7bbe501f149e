from django import forms

from cxalign.orgs.forms import VersionField
from cxalign.orgs.tenancy import OrgScopedFormMixin
from journeys.blueprints import BLUEPRINTS
from journeys.models import Audience, Journey


class AudienceForm(OrgScopedFormMixin, forms.ModelForm):
    version = VersionField(required=False)

    class Meta:
        model = Audience
        fields = [
            "name",
            "kind",
            "rank",
            "segment_key",
            "why_it_matters",
            "value_note",
            "size_note",
        ]
        widgets = {"why_it_matters": forms.Textarea(attrs={"rows": 3})}

    def validate_unique(self):
        # The organization is not a form field; the service checks the whole row.
        pass


class JourneyForm(OrgScopedFormMixin, forms.ModelForm):
    version = VersionField(required=False)

    class Meta:
        model = Journey
        fields = ["name", "audience", "status", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def validate_unique(self):
        pass


START_CHOICES = [
    ("blank", "A blank map"),
    ("template", "A template"),
    ("copy", "A copy of another journey"),
]


class JourneyStartForm(OrgScopedFormMixin, forms.Form):
    """Start a journey: blank, from a template or as a copy of another journey."""

    name = forms.CharField(max_length=200)
    audience = forms.ModelChoiceField(queryset=Audience.objects.all())
    start = forms.ChoiceField(choices=START_CHOICES, initial="template", widget=forms.RadioSelect)
    template = forms.ChoiceField(
        choices=[(k, b["name"]) for k, b in BLUEPRINTS.items()], required=False
    )
    source = forms.ModelChoiceField(
        queryset=Journey.objects.select_related("audience"),
        required=False,
        label="Journey to copy",
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") == "template" and not cleaned.get("template"):
            self.add_error("template", "Choose a template.")
        if cleaned.get("start") == "copy" and not cleaned.get("source"):
            self.add_error("source", "Choose the journey to copy.")
        return cleaned


class JourneyImportForm(OrgScopedFormMixin, forms.Form):
    name = forms.CharField(max_length=200, label="New journey's name")
    audience = forms.ModelChoiceField(queryset=Audience.objects.all())
    file = forms.FileField(
        required=False,
        label="CSV file",
        help_text="The columns of the touchpoint export: stage, phase, stage_emotion, "
        "customer_actions, touchpoint, channel, owner, moment_that_matters, customer_action, "
        "data_fields (separated by ;), pain_points (separated by ;), notes.",
    )
    content = forms.CharField(widget=forms.HiddenInput, required=False)
    confirm = forms.BooleanField(widget=forms.HiddenInput, required=False)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("file") and not cleaned.get("content"):
            self.add_error("file", "Choose a CSV file.")
        return cleaned
