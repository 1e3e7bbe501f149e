"""The alignment engine's results: recompute runs (with every figure they computed) and the
misalignment flags they raise.

A run's figures live in its own row (`results`), written once when the run finishes, so pages
always read one complete run: never half old, half new. Flags are edited by people
(acknowledge, reopen), so they are `OrgOwned` with a version and change history.
"""

from django.db import models
from django.db.models import Q

from cxalign.orgs.models import OrgOwned
from cxalign.orgs.querysets import OrgQuerySet


class RunQuerySet(OrgQuerySet):
    def finished(self) -> "RunQuerySet":
        return self.filter(status=Run.Status.SUCCEEDED)

    def active(self) -> "RunQuerySet":
        return self.filter(status__in=Run.ACTIVE)


class Run(models.Model):
    """One recompute of an organization's figures and flags for a planning cycle."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Computing"
        SUCCEEDED = "succeeded", "Finished"
        FAILED = "failed", "Failed"

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "Daily schedule"
        IMPORT = "import", "After an import"
        PERSON = "person", "Started by a person"
        COMMAND = "command", "Command line"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="+"
    )
    cycle = models.ForeignKey("strategy.Cycle", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    trigger = models.CharField(max_length=12, choices=Trigger.choices, default=Trigger.PERSON)
    requested_by = models.ForeignKey(
        "orgs.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    current_first = models.DateField()
    current_last = models.DateField()
    previous_first = models.DateField()
    previous_last = models.DateField()
    # The organization's settings as the run read them (horizon, cadence, thresholds...).
    settings = models.JSONField(default=dict, blank=True)
    # What the figures were computed from: row counts, latest response and import ids.
    inputs = models.JSONField(default=dict, blank=True)
    # The links document (see alignment.engine.figures), written when the run finishes.
    results = models.JSONField(default=dict, blank=True)
    # Seconds per step.
    timings = models.JSONField(default=dict, blank=True)
    progress = models.FloatField(default=0.0)
    step = models.CharField(max_length=120, blank=True)
    message = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    flags_open = models.PositiveIntegerField(default=0)
    flags_new = models.PositiveIntegerField(default=0)
    flags_resolved = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = RunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One run at a time per organization and cycle.
            models.UniqueConstraint(
                fields=["organization", "cycle"],
                condition=Q(status__in=["queued", "running"]),
                name="run_one_active_per_cycle",
            ),
        ]
        indexes = [models.Index(fields=["organization", "cycle", "status", "-finished_at"])]

    def __str__(self) -> str:
        return f"Run {self.pk} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class FlagQuerySet(OrgQuerySet):
    def unresolved(self) -> "FlagQuerySet":
        return self.exclude(state=Flag.State.RESOLVED)


class Flag(OrgOwned):
    """Something the company does that is at odds with its CX goal, raised by one rule."""

    class Severity(models.TextChoices):
        HIGH = "high", "High"
        MEDIUM = "medium", "Medium"
        LOW = "low", "Low"

    class State(models.TextChoices):
        OPEN = "open", "Open"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        RESOLVED = "resolved", "Resolved"

    SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}

    cycle = models.ForeignKey("strategy.Cycle", on_delete=models.CASCADE, related_name="+")
    rule = models.CharField(max_length=60)
    # The flag's identity within the cycle: its rule and the objects it points at.
    key = models.CharField(max_length=64)
    severity = models.CharField(max_length=8, choices=Severity.choices)
    title = models.CharField(max_length=300)
    # [{"type", "id", "label", "url"}]
    subjects = models.JSONField(default=list, blank=True)
    evidence = models.JSONField(default=dict, blank=True)
    # How bad it is, in the rule's own terms; a re-run that finds it larger reopens the flag.
    magnitude = models.FloatField(default=0.0)
    owner = models.ForeignKey(
        "orgs.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner_label = models.CharField(max_length=200, blank=True)
    unit = models.ForeignKey(
        "orgs.OrgUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=14, choices=State.choices, default=State.OPEN)
    acknowledged_by = models.ForeignKey(
        "orgs.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_reason = models.TextField(blank=True)
    acknowledged_magnitude = models.FloatField(null=True, blank=True)
    first_run = models.ForeignKey(
        Run, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_run = models.ForeignKey(
        Run, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = FlagQuerySet.as_manager()

    class Meta:
        ordering = ["state", "severity", "rule", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "cycle", "key"], name="flag_unique_key_per_cycle"
            )
        ]
        indexes = [models.Index(fields=["organization", "cycle", "state"])]

    def __str__(self) -> str:
        return f"{self.rule}: {self.title}"
