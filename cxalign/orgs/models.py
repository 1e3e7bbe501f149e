import re
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from cxalign.orgs.querysets import OrgQuerySet
from cxalign.orgs.roles import Role


def validate_currency(value: str) -> None:
    if not re.fullmatch(r"[A-Z]{3}", value or ""):
        raise ValidationError(f"“{value}” is not a currency code: three capital letters, e.g. EUR.")


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(f"“{value}” is not a time zone name, e.g. Europe/Berlin.") from exc


class Organization(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Settings the engine and the pages read; each has the product's default.
    time_zone = models.CharField(
        max_length=60,
        default="UTC",
        validators=[validate_time_zone],
        help_text="Dates of responses and periods are read in this time zone.",
    )
    currency = models.CharField(
        max_length=3,
        default="EUR",
        validators=[validate_currency],
        help_text="ISO 4217 code of the currency of revenue and CLV figures, e.g. EUR or USD.",
    )
    churn_horizon_days = models.PositiveSmallIntegerField(
        "churn horizon (days)",
        validators=[MinValueValidator(1)],
        default=90,
        help_text="A customer counts as churned when they leave within this many days after "
        "the period ends.",
    )
    checkin_cadence_days = models.PositiveSmallIntegerField(
        "check-in cadence (days)",
        validators=[MinValueValidator(1)],
        default=30,
        help_text="An active goal needs a check-in at least this often.",
    )
    followup_sla_hours = models.PositiveSmallIntegerField(
        "follow-up service level (hours)",
        validators=[MinValueValidator(1)],
        default=48,
        help_text="A detractor should be called back within this many hours.",
    )
    rising_theme_ratio = models.FloatField(
        "rising theme: share growth (×)",
        default=2.0,
        validators=[MinValueValidator(1.0)],
        help_text="A theme is rising when its share grew by at least this factor.",
    )
    rising_theme_min_responses = models.PositiveIntegerField(
        "rising theme: at least (responses)",
        default=30,
        help_text="…and it tags at least this many responses in the current period.",
    )
    detractor_move_share = models.FloatField(
        "value of moving: share of detractors (0–1)",
        default=0.10,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="The share of detractors the 'value of moving' figure moves.",
    )
    runs_kept = models.PositiveSmallIntegerField(
        "recompute runs kept per cycle",
        default=20,
        help_text="How many finished recompute runs are kept per cycle.",
    )
    history = HistoricalRecords()

    # What an admin sets on the settings page (the slug, the URL, never changes there).
    SETTINGS = ("name", "time_zone", "currency", "churn_horizon_days", "checkin_cadence_days",
                "followup_sla_hours", "rising_theme_ratio", "rising_theme_min_responses",
                "detractor_move_share", "runs_kept")  # fmt: skip

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def settings_key(self) -> str:
        """The settings' values in one string (caches of pages that show them key on it)."""
        return "|".join(str(getattr(self, name)) for name in self.SETTINGS)


class OrgOwned(models.Model):
    """Base of every domain row: one organization, timestamps, a version and change history."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic concurrency: a write naming an older version is refused (409).
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords(inherit=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        abstract = True


class OrgUnit(OrgOwned):
    class Kind(models.TextChoices):
        COMPANY = "company", "Company"
        DIVISION = "division", "Division"
        DEPARTMENT = "department", "Department"
        TEAM = "team", "Team"

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.DEPARTMENT)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    leader = models.ForeignKey(
        "orgs.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="orgunit_unique_name_per_org"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": "A unit cannot be its own parent."})


class MembershipQuerySet(OrgQuerySet):
    def active(self) -> "MembershipQuerySet":
        return self.filter(is_active=True)


class Membership(models.Model):
    """A person's place in one organization: role, unit and whom they report to."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    title = models.CharField(max_length=120, blank=True)
    unit = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    reports_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    is_active = models.BooleanField(default=True)
    joined_at = models.DateTimeField(default=timezone.now)
    # When the person last opened a page of this organization: "/" takes them back to it.
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["last_used_at"])

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"], name="membership_unique_user_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.get_role_display()}, {self.organization.slug})"

    @property
    def display_name(self) -> str:
        return self.user.get_full_name() or self.user.username

    def clean(self) -> None:
        if self.reports_to_id and self.reports_to_id == self.pk:
            raise ValidationError({"reports_to": "A person cannot report to themselves."})


class Invitation(models.Model):
    """A single-use, expiring invitation; only the token's hash is stored."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.SET_NULL)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        Membership, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.organization.slug}"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"
