"""Forms of the feedback pages: they pass data to services and decide nothing."""

from django import forms

from cxalign.orgs.forms import VersionField
from cxalign.orgs.models import Membership
from cxalign.orgs.params import parse_id
from cxalign.orgs.tenancy import OrgScopedFormMixin
from feedback import queue
from feedback.models import CUSTOMER_FIELDS, RESPONSE_FIELDS, FollowUp, ImportBatch, Source, Theme
from feedback.selectors import ResponseFilters
from kpis.metrics import NPS_SCALE_MAX, PASSIVE_MIN, PROMOTER_MIN

PER_PAGE = (25, 100, 200)
BAND_CHOICES = [
    ("", "Any score"),
    ("promoter", f"Promoters ({PROMOTER_MIN}–{NPS_SCALE_MAX})"),
    ("passive", f"Passives ({PASSIVE_MIN}–{PROMOTER_MIN - 1})"),
    ("detractor", f"Detractors (0–{PASSIVE_MIN - 1})"),
    ("none", "No NPS"),
]


class UploadForm(OrgScopedFormMixin, forms.Form):
    file = forms.FileField(
        help_text="CSV (any delimiter; UTF-8, UTF-16 or Windows-1252) or XLSX. Qualtrics, "
        "SurveyMonkey and Typeform exports work as they come."
    )
    kind = forms.ChoiceField(
        choices=ImportBatch.Kind.choices,
        initial=ImportBatch.Kind.FEEDBACK,
        label="What the file holds",
    )
    source = forms.ModelChoiceField(
        queryset=Source.objects.all(), required=False, help_text="Its column mapping is remembered."
    )
    new_source = forms.CharField(
        max_length=120,
        required=False,
        label="…or a new source",
        help_text="e.g. Qualtrics relationship NPS",
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("kind") == ImportBatch.Kind.FEEDBACK
            and not data.get("source")
            and not data.get("new_source", "").strip()
        ):
            self.add_error("source", "Choose the source of this feedback, or name a new one.")
        return data


class SourceForm(OrgScopedFormMixin, forms.ModelForm):
    version = VersionField()

    class Meta:
        model = Source
        fields = ["name", "kind", "description"]


class MappingForm(forms.Form):
    """One choice per field: which column of the file holds it."""

    dayfirst = forms.BooleanField(required=False, label="Dates are day-first (31/03/2024)")

    def __init__(self, *args, batch: ImportBatch, **kwargs):
        super().__init__(*args, **kwargs)
        fields = RESPONSE_FIELDS if batch.kind == ImportBatch.Kind.FEEDBACK else CUSTOMER_FIELDS
        choices = [("", "— not in this file —")] + [(h, h) for h in batch.headers]
        self.field_names = []
        for name, label in fields:
            self.fields[f"map_{name}"] = forms.ChoiceField(
                choices=choices,
                required=False,
                label=label,
                initial=batch.column_mapping.get(name, ""),
            )
            self.field_names.append(name)
        self.fields["dayfirst"].initial = bool(batch.options.get("dayfirst"))
        self.order_fields([f"map_{n}" for n in self.field_names] + ["dayfirst"])

    def mapping(self) -> dict[str, str]:
        return {n: self.cleaned_data.get(f"map_{n}") or "" for n in self.field_names}


class CommitForm(forms.Form):
    mode = forms.ChoiceField(
        choices=[
            ("skip", "Skip bad rows, import the rest"),
            ("all", "All or nothing: import only if every row is good"),
        ],
        initial="skip",
        widget=forms.RadioSelect,
    )


class ThemeForm(OrgScopedFormMixin, forms.ModelForm):
    class Meta:
        model = Theme
        fields = ["name", "business_need", "owner_unit", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        labels = {"owner_unit": "Owning unit"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_unit"].queryset = self.fields["owner_unit"].queryset.order_by("name")


class ThemeCreateForm(ThemeForm):
    patterns = forms.CharField(
        required=False,
        label="Keywords and phrases",
        help_text="One per line or comma-separated, e.g. refund, charged twice.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def pattern_list(self) -> list[str]:
        raw = self.cleaned_data.get("patterns", "")
        return [p.strip() for p in raw.replace("\n", ",").split(",") if p.strip()]


class ThemeEditForm(ThemeForm):
    version = VersionField()

    class Meta(ThemeForm.Meta):
        fields = [*ThemeForm.Meta.fields, "goals", "initiatives"]
        labels = {
            **ThemeForm.Meta.labels,
            "goals": "Goals that answer it",
            "initiatives": "Initiatives that answer it",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goals"].queryset = self.fields["goals"].queryset.order_by("title")
        self.fields["initiatives"].queryset = self.fields["initiatives"].queryset.order_by("name")


class AnswersForm(OrgScopedFormMixin, forms.Form):
    """The themes a goal or initiative answers."""

    themes = forms.ModelMultipleChoiceField(
        queryset=Theme.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Themes this answers",
    )


class RuleForm(forms.Form):
    pattern = forms.CharField(max_length=120, label="Keyword or phrase")


class TagForm(OrgScopedFormMixin, forms.Form):
    theme = forms.ModelChoiceField(queryset=Theme.objects.all())


class FollowUpForm(OrgScopedFormMixin, forms.Form):
    owner = forms.ModelChoiceField(
        queryset=Membership.objects.filter(is_active=True), required=False
    )
    status = forms.ChoiceField(choices=FollowUp.Status.choices)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = (
            self.fields["owner"].queryset.select_related("user").order_by("user__username")
        )
        self.fields["owner"].label_from_instance = lambda m: m.display_name


class ResponseFilterForm(forms.Form):
    date_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )
    segment = forms.ChoiceField(required=False, label="Audience / segment")
    touchpoint = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    theme = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    band = forms.ChoiceField(required=False, choices=BAND_CHOICES, label="Score band")
    q = forms.CharField(required=False, label="Comment contains")
    customer = forms.CharField(required=False, max_length=100, label="Customer id")

    def __init__(self, *args, segments=(), touchpoints=(), themes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["segment"].choices = [("", "All")] + list(segments)
        self.fields["touchpoint"].choices = [("", "All")] + list(touchpoints)
        self.fields["theme"].choices = [("", "All")] + [(t.id, t.name) for t in themes]

    def filters(self) -> ResponseFilters:
        if not self.is_valid():
            return ResponseFilters()
        return ResponseFilters.from_cleaned(self.cleaned_data)


class FollowUpQueueForm(forms.Form):
    """The follow-up queue's filters and sort. A bad value is dropped (`ignored` says which),
    never an error page; sorts are keys of `queue.QUEUE_SORTS`, never field names."""

    status = forms.ChoiceField(required=False, choices=queue.STATUSES)
    segment = forms.ChoiceField(required=False, label="Segment")
    owner = forms.ChoiceField(required=False, label="Owner")
    customer = forms.CharField(required=False, max_length=100, label="Customer id")
    clv_min = forms.DecimalField(
        required=False, min_value=0, max_digits=14, decimal_places=2, label="CLV at least"
    )
    age = forms.ChoiceField(
        required=False, label="Age", choices=[("", "Any age"), *queue.AGES.items()]
    )
    sort = forms.ChoiceField(
        required=False,
        label="Sort",
        choices=[(key, label) for key, (label, _) in queue.QUEUE_SORTS.items()],
    )
    per = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=25, label="Rows", choices=[(n, n) for n in PER_PAGE]
    )

    def __init__(self, *args, segments=(), owners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["segment"].choices = [("", "All segments"), *segments]
        self.fields["owner"].choices = [("", "Anyone"), ("none", "Nobody yet"), *owners]

    def query(self) -> tuple[queue.QueueQuery, list[str]]:
        """The valid filters as a query, and a sentence for each value that was dropped."""
        self.is_valid()
        data = self.cleaned_data
        owner = data.get("owner") or ""
        query = queue.QueueQuery(
            status=data.get("status") or FollowUp.Status.OPEN,
            segment=data.get("segment") or "",
            owner=parse_id(owner),
            unowned=owner == "none",
            customer=(data.get("customer") or "").strip(),
            clv_min=data.get("clv_min"),
            age=data.get("age") or "",
            sort=data.get("sort") or queue.DEFAULT_SORT,
        )
        ignored = [
            f"Ignored “{name}”: “{str(self.data.get(name, ''))[:40]}” is not one of its choices."
            if name != "clv_min"
            else f"Ignored “CLV at least”: {' '.join(errors)}"
            for name, errors in self.errors.items()
        ]
        return query, ignored

    def per_page(self) -> int:
        return (self.cleaned_data or {}).get("per") or PER_PAGE[0]


class FollowUpBulkForm(forms.Form):
    """Assign the selected follow-ups to someone (or nobody), or set their status."""

    action = forms.ChoiceField(choices=[("assign", "Assign"), ("status", "Set status")])
    owner = forms.ChoiceField(required=False)
    status = forms.ChoiceField(required=False, choices=[("", "—"), *FollowUp.Status.choices])

    def __init__(self, *args, owners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "—"), ("none", "Nobody (unassign)"), *owners]

    def clean(self):
        data = super().clean()
        if data.get("action") == "assign" and not data.get("owner"):
            self.add_error("owner", "Choose whom to assign them to.")
        if data.get("action") == "status" and not data.get("status"):
            self.add_error("status", "Choose the status to set.")
        return data
