"""Writes of the tenancy core: invitations, memberships and the org-unit tree."""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cxalign.orgs.concurrency import object_update
from cxalign.orgs.models import Invitation, Membership, Organization, OrgUnit
from cxalign.orgs.roles import Role

User = get_user_model()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invitation_create(
    *, organization: Organization, invited_by: Membership, email: str, role: str, unit=None
) -> tuple[Invitation, str]:
    """Create an invitation and mail its link after commit; returns it with its raw token."""
    email = email.strip().lower()
    if Membership.objects.filter(
        organization=organization, user__email__iexact=email, is_active=True
    ).exists():
        raise ValidationError({"email": f"{email} is already a member of {organization.name}."})
    if unit is not None and unit.organization_id != organization.id:
        raise ValidationError({"unit": "Choose a unit of this organization."})
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organization=organization,
        email=email,
        role=role,
        unit=unit,
        token_hash=token_hash(token),
        invited_by=invited_by,
        expires_at=timezone.now() + settings.INVITATION_TTL,
    )
    from cxalign.orgs.tasks import invitation_send

    invitation_send.delay_on_commit(invitation.id, token)
    return invitation, token


def invitation_mail(*, invitation_id: int, token: str) -> str:
    """The invitation task's work: mail the link once. Re-fetches the invitation and skips one
    that is gone, no longer pending or already sent; it counts as sent only once mailed."""
    invitation = (
        Invitation.objects.select_related("organization", "invited_by__user")
        .filter(id=invitation_id)
        .first()
    )
    if invitation is None or invitation.status != "pending" or invitation.sent_at:
        return "skipped"
    link = settings.SITE_URL + reverse("invitation_accept", args=[token])
    inviter = invitation.invited_by.display_name if invitation.invited_by else "An admin"
    send_mail(
        subject=f"You are invited to {invitation.organization.name} on CX Align",
        message=(
            f"{inviter} invited you to join {invitation.organization.name} on CX Align "
            f"as {invitation.get_role_display()}.\n\nAccept: {link}\n\n"
            f"The link works once and expires on {invitation.expires_at:%Y-%m-%d %H:%M} UTC."
        ),
        from_email=None,
        recipient_list=[invitation.email],
    )
    Invitation.objects.filter(id=invitation.id, sent_at__isnull=True).update(sent_at=timezone.now())
    return "sent"


def invitation_for_token(token: str) -> Invitation:
    """The pending invitation of a token, or a ValidationError that says why it is unusable."""
    invitation = (
        Invitation.objects.select_related("organization")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if invitation is None:
        raise ValidationError("This invitation link is not valid. Ask your admin for a new one.")
    if invitation.status == "accepted":
        raise ValidationError("This invitation was already used. Sign in instead.")
    if invitation.status == "revoked":
        raise ValidationError("This invitation was withdrawn. Ask your admin for a new one.")
    if invitation.status == "expired":
        raise ValidationError("This invitation has expired. Ask your admin for a new one.")
    return invitation


def invitation_is_for(*, invitation: Invitation, user) -> bool:
    """Whether the user's address is the invited one (case-insensitive)."""
    email = (user.email or "").strip()
    return bool(email) and email.casefold() == invitation.email.strip().casefold()


def invitation_wrong_account_message(*, invitation: Invitation) -> str:
    return (
        f"This invitation is for {invitation.email}. You are signed in with another address: "
        f"sign out and accept it as {invitation.email}, or ask your admin to invite your address."
    )


@transaction.atomic
def invitation_accept(
    *, token: str, user=None, username: str = "", password: str = ""
) -> Membership:
    """Join the organization: as the signed-in user, or as a new account made from the form.

    A signed-in user must own the invited address: holding the link is not enough.
    """
    invitation = invitation_for_token(token)
    if user is not None and not invitation_is_for(invitation=invitation, user=user):
        raise PermissionDenied(invitation_wrong_account_message(invitation=invitation))
    # Claim the invitation first: two tabs accepting at once must not both succeed.
    claimed = Invitation.objects.filter(id=invitation.id, accepted_at__isnull=True).update(
        accepted_at=timezone.now()
    )
    if not claimed:
        raise ValidationError("This invitation was already used. Sign in instead.")
    if user is None:
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError({"username": "That username is taken; choose another."})
        user = User(username=username, email=invitation.email)
        user.set_password(password)
        user.full_clean()
        user.save()
    membership, created = Membership.objects.get_or_create(
        organization=invitation.organization,
        user=user,
        defaults={"role": invitation.role, "unit": invitation.unit},
    )
    if not created:
        if membership.is_active:
            raise ValidationError(f"You are already a member of {invitation.organization.name}.")
        membership.is_active = True
        membership.role = invitation.role
        membership.save()
    Invitation.objects.filter(id=invitation.id).update(accepted_by=user)
    return membership


@transaction.atomic
def invitation_revoke(*, invitation: Invitation) -> None:
    if invitation.status != "pending":
        raise ValidationError(
            f"Only pending invitations can be withdrawn; this one is {invitation.status}."
        )
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])


def _ensure_an_admin_remains(*, membership: Membership, new_role: str | None, active: bool) -> None:
    losing_admin = membership.role == Role.ADMIN and (new_role != Role.ADMIN or not active)
    if not losing_admin:
        return
    others = (
        Membership.objects.filter(
            organization=membership.organization, role=Role.ADMIN, is_active=True
        )
        .exclude(id=membership.id)
        .exists()
    )
    if not others:
        raise ValidationError({"role": "The organization needs at least one admin."})


@transaction.atomic
def membership_update(*, membership: Membership, data: dict, version: int) -> Membership:
    """Change a member's role, title, unit or manager; the last admin cannot be demoted."""
    _ensure_an_admin_remains(
        membership=membership,
        new_role=data.get("role", membership.role),
        active=data.get("is_active", membership.is_active),
    )
    reports_to = data.get("reports_to")
    seen = {membership.id}
    while reports_to is not None:
        if reports_to.id in seen:
            raise ValidationError({"reports_to": "That would make a reporting loop."})
        seen.add(reports_to.id)
        reports_to = reports_to.reports_to
    return object_update(instance=membership, data=data, version=version)


@transaction.atomic
def membership_deactivate(*, membership: Membership) -> None:
    _ensure_an_admin_remains(membership=membership, new_role=membership.role, active=False)
    membership.is_active = False
    membership.version += 1
    membership.save(update_fields=["is_active", "version"])


def _check_unit_parent(*, unit: OrgUnit, parent: OrgUnit | None) -> None:
    if parent is None:
        return
    if parent.organization_id != unit.organization_id:
        raise ValidationError({"parent": "Choose a parent unit of this organization."})
    ancestor, seen = parent, set()
    while ancestor is not None:
        if ancestor.id == unit.id:
            raise ValidationError(
                {"parent": "A unit cannot sit below itself or its own sub-units."}
            )
        if ancestor.id in seen:
            break
        seen.add(ancestor.id)
        ancestor = ancestor.parent


@transaction.atomic
def orgunit_create(*, organization: Organization, **fields) -> OrgUnit:
    unit = OrgUnit(organization=organization, **fields)
    _check_unit_parent(unit=unit, parent=unit.parent)
    unit.full_clean()
    unit.save()
    return unit


@transaction.atomic
def orgunit_update(*, unit: OrgUnit, data: dict, version: int) -> OrgUnit:
    _check_unit_parent(unit=unit, parent=data.get("parent", unit.parent))
    return object_update(instance=unit, data=data, version=version)


@transaction.atomic
def orgunit_delete(*, unit: OrgUnit) -> None:
    if unit.children.exists():
        raise ValidationError("Move or delete this unit's sub-units first.")
    unit.delete()


# ---------------------------------------------------------------- organizations from the shell


def _user_by_username(username: str):
    user = User.objects.filter(username__iexact=(username or "").strip()).first()
    if user is None:
        raise ValidationError({"username": f"There is no user “{username}”; create it first."})
    return user


def _role_checked(role: str) -> str:
    if role not in Role.values:
        raise ValidationError(
            {"role": f"“{role}” is not a role; choose one of {', '.join(Role.values)}."}
        )
    return role


@transaction.atomic
def organization_create(*, slug: str, name: str, admin_username: str) -> Membership:
    """A new organization with its built-in KPIs (kpis' post-save signal) and its first admin."""
    user = _user_by_username(admin_username)
    if Organization.objects.filter(slug__iexact=slug).exists():
        raise ValidationError({"slug": f"There is already an organization “{slug}”."})
    organization = Organization(slug=slug, name=(name or "").strip() or slug)
    organization.full_clean()
    organization.save()
    return Membership.objects.create(organization=organization, user=user, role=Role.ADMIN)


@transaction.atomic
def membership_add(
    *, organization: Organization, username: str, role: str, unit_name: str = ""
) -> tuple[Membership, bool]:
    """Add a person with a role (and unit), or update the role and unit of an existing member.

    Returns the membership and whether it is new. The last admin cannot be demoted.
    """
    user = _user_by_username(username)
    _role_checked(role)
    unit = None
    if unit_name:
        unit = OrgUnit.objects.for_org(organization).filter(name__iexact=unit_name).first()
        if unit is None:
            names = ", ".join(OrgUnit.objects.for_org(organization).values_list("name", flat=True))
            raise ValidationError(
                {"unit": f"{organization.slug} has no unit “{unit_name}” ({names or 'no units'})."}
            )
    membership = Membership.objects.filter(organization=organization, user=user).first()
    if membership is None:
        membership = Membership(organization=organization, user=user, role=role, unit=unit)
        membership.full_clean()
        membership.save()
        return membership, True
    _ensure_an_admin_remains(membership=membership, new_role=role, active=True)
    membership.role, membership.is_active = role, True
    if unit_name:
        membership.unit = unit
    membership.version += 1
    membership.full_clean()
    membership.save()
    return membership, False


# Settings a recompute reads: changing one makes the stored figures out of date.
ENGINE_SETTINGS = {"time_zone", "churn_horizon_days", "checkin_cadence_days",
                   "followup_sla_hours", "rising_theme_ratio", "rising_theme_min_responses",
                   "detractor_move_share"}  # fmt: skip


@transaction.atomic
def organization_settings_update(*, organization: Organization, data: dict) -> list[str]:
    """Save the organization's settings (validated, with history); returns the names of the
    changed ones the engine reads (the figures need a recompute to follow them)."""
    locked = Organization.objects.select_for_update().get(pk=organization.pk)
    changed = [name for name, value in data.items() if getattr(locked, name) != value]
    for name, value in data.items():
        setattr(locked, name, value)
    locked.full_clean(exclude=["slug"])
    locked.save()
    return sorted(set(changed) & ENGINE_SETTINGS)
