"""Voice of customer: sources, import batches, responses, customers, themes, follow-ups.

Two kinds of rows live here:

* editable rows a person owns and changes (Source, Theme, ThemeRule, FollowUp, ImportBatch):
  `OrgOwned`, with a version and change history;
* bulk rows written by the import engine (Response, Customer): up to millions
  per organization, so they carry only an organization and the `OrgQuerySet` scoping. History
  on them would double every write of an import and grow the history table by a million rows a
  file; the import batch is their audit trail (who, when, which file, what changed).
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Now

from cxalign.orgs.models import OrgOwned
from feedback.querysets import ResponseQuerySet
from feedback.themeids import ThemeIds
from kpis.metrics import score_class

NPS_MAX = 10
CSAT_RANGE = (1, 5)
CES_RANGE = (1, 7)

# The response fields a file's columns can be mapped to (order = the mapping form's order).
RESPONSE_FIELDS = [
    ("response_id", "Response id"),
    ("customer_id", "Customer id"),
    ("responded_at", "Responded at"),
    ("nps", "NPS (0–10)"),
    ("csat", "CSAT (1–5)"),
    ("ces", "CES (1–7)"),
    ("channel", "Channel"),
    ("comment", "Comment"),
    ("segment", "Segment / audience"),
    ("touchpoint", "Touchpoint"),
]
CUSTOMER_FIELDS = [
    ("customer_id", "Customer id"),
    ("segment", "Segment / audience"),
    ("start_date", "Customer since"),
    ("revenue", "Revenue"),
    ("clv", "Customer lifetime value"),
    ("churned_on", "Churned on"),
    ("onboarding_success", "Onboarding success"),
]


class Source(OrgOwned):
    """Where feedback comes from (a survey tool, a form); remembers its column mapping."""

    class Kind(models.TextChoices):
        GENERIC = "generic", "Generic CSV / XLSX"
        QUALTRICS = "qualtrics", "Qualtrics"
        SURVEYMONKEY = "surveymonkey", "SurveyMonkey"
        TYPEFORM = "typeform", "Typeform"

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.GENERIC)
    description = models.CharField(max_length=300, blank=True)
    # {"nps": "Q1", "comment": "Why?"}: field -> column header, remembered from the last import.
    column_mapping = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="source_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        valid = {name for name, _ in RESPONSE_FIELDS}
        unknown = sorted(set(self.column_mapping or {}) - valid)
        if unknown:
            raise ValidationError(
                {
                    "column_mapping": f"Unknown field(s): {', '.join(unknown)}. Map to: {sorted(valid)}."
                }
            )


class ImportBatch(OrgOwned):
    """One uploaded file and what became of it: preview, commit, counts, errors."""

    class Kind(models.TextChoices):
        FEEDBACK = "feedback", "Feedback responses"
        CUSTOMERS = "customers", "Customers"

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Waiting for column mapping"
        PREVIEWING = "previewing", "Checking the file"
        PREVIEWED = "previewed", "Checked; ready to import"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Importing"
        SUCCEEDED = "succeeded", "Imported"
        REJECTED = "rejected", "Not imported (bad rows, all or nothing)"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    FINISHED = {Status.SUCCEEDED, Status.REJECTED, Status.FAILED, Status.CANCELLED}
    ACTIVE = {Status.PREVIEWING, Status.QUEUED, Status.RUNNING}

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.FEEDBACK)
    source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.PROTECT, related_name="batches"
    )
    created_by = models.ForeignKey(
        "orgs.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Blank for command-line imports of a local file (its path is in options["local_path"]).
    file = models.FileField(upload_to="feedback/imports/%Y/%m/", max_length=300, blank=True)
    file_name = models.CharField(max_length=255)
    file_size = models.BigIntegerField(default=0)
    file_format = models.CharField(max_length=40, blank=True)  # "csv utf-8 ';'", "xlsx", ...
    headers = models.JSONField(default=list, blank=True)
    sample_rows = models.JSONField(default=list, blank=True)
    column_mapping = models.JSONField(default=dict, blank=True)
    # {"all_or_nothing": bool, "dayfirst": bool}
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.UPLOADED)
    dry_run = models.BooleanField(default=False)
    message = models.TextField(blank=True)
    rows_read = models.PositiveIntegerField(default=0)
    rows_new = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    # The first errors, for the page and the command: [{"row", "column", "message"}].
    errors = models.JSONField(default=list, blank=True)
    error_report = models.FileField(upload_to="feedback/errors/%Y/%m/", blank=True, max_length=300)
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_s = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "import"
        indexes = [models.Index(fields=["organization", "-created_at"])]

    def __str__(self) -> str:
        return f"Import {self.pk} of {self.file_name}"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def rows_written(self) -> int:
        return self.rows_new + self.rows_updated

    @property
    def unknown_touchpoints(self) -> dict:
        """{"count", "examples"}: rows naming a touchpoint no journey has (kept by name)."""
        return (self.options or {}).get("unknown_touchpoints") or {"count": 0, "examples": []}

    def counts(self) -> dict:
        return {
            "rows_read": self.rows_read,
            "new": self.rows_new,
            "updated": self.rows_updated,
            "unchanged": self.rows_unchanged,
            "rejected": self.rows_rejected,
        }


class BulkRow(models.Model):
    """Base of rows the import engine writes by the million: scoped, no history, no version.

    Foreign keys of bulk rows are not enforced by database triggers (`db_constraint=False`):
    PostgreSQL checks each one per row during COPY, which would cost more than the COPY itself.
    The import engine writes only ids it resolved inside the same transaction.
    """

    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    created_at = models.DateTimeField(db_default=Now())
    updated_at = models.DateTimeField(db_default=Now())

    objects = ResponseQuerySet.as_manager()

    class Meta:
        abstract = True


class Response(BulkRow):
    """One survey response: scores, the customer's words, where and when."""

    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    batch = models.ForeignKey(
        ImportBatch,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        db_index=False,
        help_text="The import that last wrote this row.",
    )
    # Natural key within the source: the file's response id, or "fp:<hash>" of the row.
    key = models.CharField(max_length=200)
    response_id = models.CharField(max_length=200, blank=True)
    customer_id = models.CharField(max_length=100, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    nps = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(NPS_MAX)]
    )
    csat = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(CSAT_RANGE[0]), MaxValueValidator(CSAT_RANGE[1])],
    )
    ces = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(CES_RANGE[0]), MaxValueValidator(CES_RANGE[1])],
    )
    channel = models.CharField(max_length=100, blank=True)
    comment = models.TextField(blank=True)
    segment = models.CharField(max_length=100, blank=True)
    touchpoint_name = models.CharField(max_length=200, blank=True)
    # Resolved from the file's touchpoint name within the organization's journeys.
    touchpoint = models.ForeignKey(
        "journeys.Touchpoint",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="responses",
        db_constraint=False,
        db_index=False,
    )
    extra = models.JSONField(default=dict, blank=True)
    # Hash of the row's content: a re-import compares it instead of rewriting the row.
    fingerprint = models.BigIntegerField(default=0)
    # The themes the response carries (rules and people), and the ones a person added in triage,
    # which stay when the rules re-tag. Ids of this organization's themes, sorted.
    theme_ids = ThemeIds()
    manual_theme_ids = ThemeIds()

    class Meta:
        ordering = ["-responded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(nps__isnull=True) | models.Q(nps__lte=NPS_MAX),
                name="response_nps_0_10",
            ),
        ]
        # One index besides the primary key, made by migration 0005 because its kind depends on
        # the database: on PostgreSQL a BRIN index on (organization, source), which imports
        # append to in blocks and which costs next to nothing to maintain; a B-tree elsewhere.
        # Why no unique (source, key) index: maintaining it cost the import more than PostgreSQL's
        # whole COPY of the file. The natural key is enforced by the import engine instead:
        # one import at a time per source (advisory lock), each row compared with the stored
        # keys before it is written; only the engine writes responses.

    def __str__(self) -> str:
        return f"Response {self.response_id or self.key}"

    @property
    def nps_band(self) -> str:
        """promoter / passive / detractor (kpis.metrics.score_class); "" without an answer."""
        return score_class(self.nps) or ""


class Customer(BulkRow):
    """A customer record (imported): what the company earns from them and whether they stayed."""

    batch = models.ForeignKey(
        ImportBatch,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    customer_id = models.CharField(max_length=100)
    segment = models.CharField(max_length=100, blank=True)
    start_date = models.DateField(null=True, blank=True)
    revenue = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    clv = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    churned_on = models.DateField(null=True, blank=True)
    onboarding_success = models.BooleanField(null=True, blank=True)
    fingerprint = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["customer_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "customer_id"], name="customer_unique_id"
            )
        ]

    def __str__(self) -> str:
        return self.customer_id


class Theme(OrgOwned):
    """A recurring topic in the customers' words and the business need it stands for."""

    name = models.CharField(max_length=120)
    business_need = models.CharField(max_length=300, blank=True)
    owner_unit = models.ForeignKey(
        "orgs.OrgUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    description = models.TextField(blank=True)
    # What the company does about the theme: the misalignment flags look for these links.
    goals = models.ManyToManyField(
        "strategy.Goal", blank=True, related_name="themes", help_text="Goals that answer it."
    )
    initiatives = models.ManyToManyField(
        "strategy.Initiative",
        blank=True,
        related_name="themes",
        help_text="Initiatives that answer it.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="theme_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class ThemeRule(OrgOwned):
    """A keyword (one word) or phrase (several words) whose presence tags a comment."""

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="rules")
    pattern = models.CharField(
        max_length=120, help_text="A word (refund) or a phrase (waited too long); any case."
    )

    class Meta:
        ordering = ["pattern"]
        constraints = [
            models.UniqueConstraint(fields=["theme", "pattern"], name="themerule_unique_pattern")
        ]

    def __str__(self) -> str:
        return self.pattern

    @property
    def kind(self) -> str:
        return "phrase" if " " in self.pattern.strip() else "keyword"

    def clean(self) -> None:
        from feedback.imports.tagging import MAX_WORDS, normalize_pattern

        normalized = normalize_pattern(self.pattern or "")
        if not normalized:
            raise ValidationError({"pattern": "Give a word or a phrase of letters or digits."})
        words = len(normalized.split())
        if words > MAX_WORDS:
            raise ValidationError(
                {"pattern": f"A phrase has at most {MAX_WORDS} words; this one has {words}."}
            )
        self.pattern = normalized


class FollowUp(OrgOwned):
    """Closing the loop with a detractor: who calls them back, how far it got, what was said."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CONTACTED = "contacted", "Contacted"
        RESOLVED = "resolved", "Resolved"

    response = models.OneToOneField(
        Response, on_delete=models.CASCADE, related_name="followup", db_constraint=False
    )
    owner = models.ForeignKey(
        "orgs.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"Follow-up of {self.response_id}"

    def clean(self) -> None:
        if self.owner_id and self.owner.organization_id != self.organization_id:
            raise ValidationError({"owner": "Choose someone of this organization."})
