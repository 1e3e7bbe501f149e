from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from cxalign.orgs.querysets import OrgQuerySet
from cxalign.orgs.roles import Role


class Organization(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


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
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

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
