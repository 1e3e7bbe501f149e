"""Strategy: vision, the five governing models, planning cycles, the goal cascade and
what hangs off it (check-ins, commitments, initiatives, decisions, capabilities).

Layers, lowest first: `cxalign/orgs ← kpis ← strategy ← journeys ← feedback ← alignment`.
KPIs live in the lower `kpis` app, which this app imports plainly; it never imports journeys,
feedback or alignment: their links to goals (e.g. `Touchpoint.goals`) live in those apps.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cxalign.orgs.models import Organization, OrgOwned
from cxalign.orgs.querysets import OrgQuerySet
from strategy.querysets import CycleQuerySet, GoalQuerySet


def month_before(day: datetime.date) -> datetime.date:
    """The same day one month earlier (clamped to the month's last day)."""
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    for candidate in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


class Leg(models.TextChoices):
    """The three legs of stewardship every manager keeps."""

    FINANCIAL = "financial", "Financial"
    PEOPLE = "people", "People"
    CX = "cx", "Customer experience"


class Confidence(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"


class Vision(OrgOwned):
    """The organization's vision, mission and values: the shared passion goals tie into."""

    vision = models.TextField(blank=True)
    mission = models.TextField(blank=True)
    values = models.TextField(blank=True, help_text="One value per line: “Name — what it means”.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="vision_one_per_org"),
        ]

    def __str__(self) -> str:
        return f"Vision of {self.organization_id}"

    @property
    def value_list(self) -> list[tuple[str, str]]:
        items = []
        for line in (self.values or "").splitlines():
            line = line.strip()
            if not line:
                continue
            for sep in (" — ", " - ", ": "):
                if sep in line:
                    name, text = line.split(sep, 1)
                    items.append((name.strip(), text.strip()))
                    break
            else:
                items.append((line, ""))
        return items


class GoverningModel(OrgOwned):
    """One of the five models the C-team owns, with its key choices and review rhythm."""

    class Kind(models.TextChoices):
        BUSINESS = "business", "Business model"
        ECONOMIC = "economic", "Economic model"
        OPERATIONAL = "operational", "Operational model"
        RISK = "risk", "Risk model"
        CX = "cx", "CX model"

    class Cadence(models.IntegerChoices):
        MONTHLY = 1, "Monthly"
        QUARTERLY = 3, "Quarterly"
        HALF_YEARLY = 6, "Every six months"
        ANNUAL = 12, "Annually"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    owner = models.ForeignKey(
        "orgs.Membership",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The executive who owns this model (for the CX model: its executive sponsor).",
    )
    summary = models.TextField(blank=True)
    review_cadence_months = models.PositiveSmallIntegerField(
        choices=Cadence.choices, default=Cadence.QUARTERLY
    )
    last_reviewed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind"], name="governingmodel_one_kind_per_org"
            )
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    KIND_ORDER = [k.value for k in Kind]

    @property
    def next_review_on(self) -> datetime.date | None:
        if self.last_reviewed_on is None:
            return None
        day = self.last_reviewed_on
        month0 = day.month - 1 + self.review_cadence_months
        year, month = day.year + month0 // 12, month0 % 12 + 1
        for candidate in (day.day, 30, 29, 28):
            try:
                return datetime.date(year, month, min(day.day, candidate))
            except ValueError:
                continue
        return None

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        """Never reviewed, or the next review date has passed."""
        today = today or timezone.localdate()
        nxt = self.next_review_on
        return nxt is None or nxt < today


class KeyChoice(OrgOwned):
    """An ordered key choice of a governing model (risk items carry likelihood and impact)."""

    model = models.ForeignKey(GoverningModel, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveIntegerField(default=0)
    text = models.CharField(max_length=300)
    likelihood = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="Risk model only: 1 (rare) to 5 (almost certain).",
    )
    impact = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="Risk model only: 1 (minor) to 5 (severe).",
    )
    kpi = models.ForeignKey(
        "kpis.KPI",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Economic model only: the KPI this choice is judged by.",
    )

    class Meta:
        ordering = ["model", "position", "id"]

    def __str__(self) -> str:
        return self.text

    @property
    def risk_score(self) -> int | None:
        if self.likelihood and self.impact:
            return self.likelihood * self.impact
        return None

    def clean(self) -> None:
        kind = self.model.kind if self.model_id else None
        errors = {}
        if kind == GoverningModel.Kind.RISK:
            if not self.likelihood:
                errors["likelihood"] = "A risk needs a likelihood from 1 to 5."
            if not self.impact:
                errors["impact"] = "A risk needs an impact from 1 to 5."
        elif self.likelihood or self.impact:
            errors["likelihood"] = "Only the risk model's choices carry likelihood and impact."
        if self.kpi_id and kind != GoverningModel.Kind.ECONOMIC:
            errors["kpi"] = "Only the economic model's choices name a KPI."
        if errors:
            raise ValidationError(errors)


class Cycle(OrgOwned):
    """A planning cycle; customer findings are due about a month before it starts."""

    class Kind(models.TextChoices):
        ANNUAL = "annual", "Annual"
        QUARTERLY = "quarterly", "Quarterly"

    class Status(models.TextChoices):
        PREPARING = "preparing", "Preparing"
        ACTIVE = "active", "Active"
        CLOSED = "closed", "Closed"

    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.ANNUAL)
    starts_on = models.DateField()
    ends_on = models.DateField()
    inputs_due_on = models.DateField(
        blank=True, help_text="When customer inputs are due; defaults to a month before the start."
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PREPARING)

    objects = CycleQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="cycle_unique_name"),
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="cycle_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on <= self.starts_on:
            raise ValidationError({"ends_on": "The cycle must end after it starts."})
        if self.starts_on and not self.inputs_due_on:
            self.inputs_due_on = month_before(self.starts_on)
        if self.inputs_due_on and self.starts_on and self.inputs_due_on > self.starts_on:
            raise ValidationError(
                {"inputs_due_on": "Customer inputs must be due on or before the cycle starts."}
            )

    def save(self, *args, **kwargs):
        if self.starts_on and not self.inputs_due_on:
            self.inputs_due_on = month_before(self.starts_on)
        super().save(*args, **kwargs)


class Goal(OrgOwned):
    """A goal in the cascade: corporate goals have no parent; others name the goal above."""

    class Measure(models.TextChoices):
        KPI = "kpi", "KPI target"
        MILESTONE = "milestone", "Milestone"
        ROLLUP = "rollup", "From contributing goals"
        NONE = "none", "Not measurable yet"

    class Status(models.TextChoices):
        ACTIVE = "active", "In progress"
        ACHIEVED = "achieved", "Achieved"
        MISSED = "missed", "Missed"
        DROPPED = "dropped", "Dropped"

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="goals")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="The goal one level up that this goal contributes to.",
    )
    key = models.CharField(
        max_length=40,
        blank=True,
        help_text="A short code unique in the cycle, e.g. G-SALES-1 (used by spreadsheets).",
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        "orgs.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="goals"
    )
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="goals"
    )
    leg = models.CharField(max_length=12, choices=Leg.choices, default=Leg.CX)
    measure = models.CharField(max_length=12, choices=Measure.choices, default=Measure.MILESTONE)
    kpi = models.ForeignKey(
        "kpis.KPI", null=True, blank=True, on_delete=models.PROTECT, related_name="goals"
    )
    baseline = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    target = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    measure_unit = models.CharField(max_length=30, blank=True, help_text="e.g. points, %, EUR.")
    weight = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        default=Decimal("1"),
        help_text="How much this goal counts in its parent's roll-up (positive).",
    )
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    carried_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="carried_to",
        editable=False,
    )
    # The latest check-in, kept on the goal so the cascade reads one row per goal.
    current_value = models.DecimalField(
        max_digits=16, decimal_places=4, null=True, blank=True, editable=False
    )
    progress = models.DecimalField(
        max_digits=6, decimal_places=4, null=True, blank=True, editable=False
    )
    confidence = models.CharField(
        max_length=12, choices=Confidence.choices, blank=True, editable=False
    )
    last_checkin_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = GoalQuerySet.as_manager()

    class Meta:
        ordering = ["cycle", "key", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gt=0), name="goal_weight_positive"),
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="goal_not_own_parent"),
            models.UniqueConstraint(
                fields=["cycle", "key"], condition=~Q(key=""), name="goal_unique_key_per_cycle"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "cycle", "parent"]),
            models.Index(fields=["owner", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.title}".strip()

    @property
    def is_corporate(self) -> bool:
        return self.parent_id is None

    def clean(self) -> None:
        """Rules about this one row; the cascade's shape is checked in `goal_validate_parent`."""
        errors: dict[str, str] = {}
        if self.weight is not None and self.weight <= 0:
            errors["weight"] = "The weight must be a positive number, e.g. 1."
        if self.parent_id and self.pk and self.parent_id == self.pk:
            errors["parent"] = "A goal cannot contribute to itself."
        if self.measure == self.Measure.KPI:
            if not self.kpi_id:
                errors["kpi"] = "A KPI target names the KPI it is measured by."
            if self.baseline is None:
                errors["baseline"] = "A KPI target needs a baseline (where you start)."
            if self.target is None:
                errors["target"] = "A KPI target needs a target value."
            elif self.baseline is not None and self.target == self.baseline:
                errors["target"] = "The target must differ from the baseline."
            if not (self.measure_unit or "").strip():
                errors["measure_unit"] = "A KPI target needs a unit, e.g. points, % or EUR."
        elif self.kpi_id or self.target is not None:
            errors["measure"] = "Choose “KPI target” to set a KPI, baseline and target."
        if errors:
            raise ValidationError(errors)


class CheckIn(OrgOwned):
    """A manager's dated statement of progress and confidence; never edited, only added."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="checkins")
    author = models.ForeignKey(
        "orgs.Membership", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    value = models.DecimalField(
        max_digits=16,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="The KPI's current value (KPI targets).",
    )
    progress = models.DecimalField(
        max_digits=6,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="Progress from 0 to 1 (milestones); computed from the value for KPI targets.",
    )
    confidence = models.CharField(max_length=12, choices=Confidence.choices)
    statement = models.TextField(
        help_text="How this goal contributes to the goal one level up, in a few sentences."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "check-in"
        indexes = [models.Index(fields=["goal", "-created_at"])]

    def __str__(self) -> str:
        return f"Check-in on {self.goal_id} at {self.created_at:%Y-%m-%d}"


class Commitment(OrgOwned):
    """An executive's stated contribution to the corporate CX goal in one cycle."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="commitments")
    executive = models.ForeignKey(
        "orgs.Membership", on_delete=models.CASCADE, related_name="commitments"
    )
    goal = models.ForeignKey(
        Goal,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="commitments",
        help_text="The corporate CX goal this commitment serves.",
    )
    statement = models.TextField()

    class Meta:
        ordering = ["cycle", "executive"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "executive"], name="commitment_one_per_exec_per_cycle"
            )
        ]

    def __str__(self) -> str:
        return f"Commitment of {self.executive_id} in {self.cycle_id}"


class Initiative(OrgOwned):
    """An action a unit takes; it names the KPIs it expects to move and the goals it serves.

    Touchpoints are linked from the journeys app (`Touchpoint.initiatives`, related name
    `touchpoints`).
    """

    class Kind(models.TextChoices):
        CAMPAIGN = "campaign", "Campaign"
        COST_CUT = "cost_cut", "Cost cut"
        PROCESS = "process", "New process"
        TOOL = "tool", "New tool"
        PROGRAM = "program", "Programme"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACTIVE = "active", "Active"
        DONE = "done", "Done"
        STOPPED = "stopped", "Stopped"

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="initiatives")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.OTHER)
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="initiatives"
    )
    owner = models.ForeignKey(
        "orgs.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    goals = models.ManyToManyField(Goal, blank=True, related_name="initiatives")
    starts_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROPOSED)
    outcome = models.TextField(
        blank=True, help_text="What actually happened, including side effects on other units."
    )

    class Meta:
        ordering = ["-starts_on", "name"]

    def __str__(self) -> str:
        return self.name


class KPIEffect(OrgOwned):
    """A KPI an initiative expects (or turned out) to move, up or down, by how much."""

    class Direction(models.TextChoices):
        UP = "up", "Up"
        DOWN = "down", "Down"

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="effects")
    kpi = models.ForeignKey("kpis.KPI", on_delete=models.PROTECT, related_name="+")
    direction = models.CharField(max_length=4, choices=Direction.choices)
    amount = models.DecimalField(
        max_digits=16,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="By how much, in the KPI's unit.",
    )
    intended = models.BooleanField(
        default=True, help_text="Untick for a side effect nobody planned (the cautionary tales)."
    )
    affected_unit = models.ForeignKey(
        "orgs.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The unit whose metric moves, when it is not the initiative's own.",
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["initiative", "-intended", "id"]
        verbose_name = "KPI effect"

    def __str__(self) -> str:
        return f"{self.kpi_id} {self.direction}"

    def clean(self) -> None:
        if self.amount is not None and self.amount < 0:
            raise ValidationError(
                {"amount": "Give the amount as a positive number; the direction says up or down."}
            )


class Decision(OrgOwned):
    """A decision with the answer to “what would our best customers think of this?”."""

    class CustomerView(models.TextChoices):
        APPROVE = "approve", "Would approve"
        NEUTRAL = "neutral", "Would not mind"
        DISAPPROVE = "disapprove", "Would disapprove"

    cycle = models.ForeignKey(
        Cycle, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    decided_on = models.DateField(default=datetime.date.today)
    decided_by = models.ForeignKey(
        "orgs.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    goals = models.ManyToManyField(Goal, blank=True, related_name="decisions")
    initiatives = models.ManyToManyField(Initiative, blank=True, related_name="decisions")
    customer_view = models.CharField(max_length=12, choices=CustomerView.choices)
    customer_view_why = models.TextField(
        help_text="What would our best customers think of this decision, and why?"
    )
    mitigation = models.TextField(blank=True)
    override = models.BooleanField(
        default=False, help_text="Go ahead despite customers' disapproval, without mitigation."
    )
    override_reason = models.TextField(blank=True)
    override_by = models.ForeignKey(
        "orgs.Membership",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    override_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-decided_on", "-id"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if not (self.customer_view_why or "").strip():
            errors["customer_view_why"] = "Say what your best customers would think, and why."
        if self.customer_view == self.CustomerView.DISAPPROVE:
            has_mitigation = bool((self.mitigation or "").strip())
            if not has_mitigation and not self.override:
                errors["mitigation"] = (
                    "Customers would disapprove: describe a mitigation, or record an explicit "
                    "override with its reason."
                )
            if self.override and not (self.override_reason or "").strip():
                errors["override_reason"] = "An override needs a recorded reason."
        elif self.override:
            errors["override"] = "An override is only for decisions customers would disapprove."
        if errors:
            raise ValidationError(errors)


class Capability(OrgOwned):
    """What the company has and what it needs to deliver the experiences (levels 0 to 5)."""

    LEVELS = [(0, "0 · absent"), (1, "1 · ad hoc"), (2, "2 · emerging"), (3, "3 · defined"),
              (4, "4 · managed"), (5, "5 · leading")]  # fmt: skip

    name = models.CharField(max_length=160)
    description = models.TextField(blank=True)
    current_level = models.PositiveSmallIntegerField(
        choices=LEVELS, validators=[MaxValueValidator(5)]
    )
    needed_level = models.PositiveSmallIntegerField(
        choices=LEVELS, validators=[MaxValueValidator(5)]
    )
    owner = models.ForeignKey(
        "orgs.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "capabilities"
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="capability_unique_name"),
            models.CheckConstraint(
                condition=Q(current_level__lte=5) & Q(needed_level__lte=5),
                name="capability_levels_0_to_5",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def gap(self) -> int:
        return max(0, self.needed_level - self.current_level)


class GoalImport(models.Model):
    """One uploaded cascade file: checked in the background, then applied all or nothing.
    A job, not a domain row: no change history (its summary can hold 20,000 rows)."""

    class Status(models.TextChoices):
        CHECKING = "checking", "Checking the file"
        CHECKED = "checked", "Checked; ready to import"
        APPLYING = "applying", "Importing"
        SUCCEEDED = "succeeded", "Imported"
        FAILED = "failed", "Not imported"

    ACTIVE = {Status.CHECKING, Status.APPLYING}

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="imports")
    created_by = models.ForeignKey(
        "orgs.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.FileField(upload_to="strategy/imports/%Y/%m/", max_length=300)
    file_name = models.CharField(max_length=255)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CHECKING)
    # goals_import's summary: created, updated, rejected, errors, warnings, rows (the preview).
    summary = models.JSONField(default=dict, blank=True)
    rejected = models.PositiveIntegerField(default=0)  # bad rows found by the check
    message = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "cascade import"

    def __str__(self) -> str:
        return f"Cascade import {self.pk} of {self.file_name}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def ready(self) -> bool:
        """Checked with no bad row: the person may apply it."""
        return self.status == self.Status.CHECKED and not self.rejected
