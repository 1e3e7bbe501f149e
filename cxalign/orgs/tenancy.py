"""Tenancy in one place: who is in which organization, with which role, for pages and API."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.forms import ModelChoiceField, ModelMultipleChoiceField
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property

from cxalign.orgs.landing import membership_touch
from cxalign.orgs.models import Membership
from cxalign.orgs.roles import Role, role_at_least

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def membership_get(*, user, org_slug: str) -> Membership:
    """The user's active membership in the organization, or 404 (never tells what exists)."""
    if not user.is_authenticated:
        raise PermissionDenied("Sign in first.")
    return get_object_or_404(
        Membership.objects.select_related("organization", "user", "unit"),
        user=user,
        organization__slug=org_slug,
        is_active=True,
    )


def role_required_message(*, membership: Membership, required: str) -> str:
    return (
        f"Your role ({membership.get_role_display()}) cannot do this here; "
        f"it needs {Role(required).label} or higher."
    )


def role_check(*, membership: Membership, required: str) -> None:
    """Raise PermissionDenied (403) when the membership's role is weaker than `required`."""
    if not role_at_least(membership.role, required):
        raise PermissionDenied(role_required_message(membership=membership, required=required))


def scope_related_fields(fields, organization) -> None:
    """Narrow every related-field queryset of a form or serializer to one organization."""
    for field in fields.values():
        queryset = getattr(field, "queryset", None)
        if queryset is None:
            child = getattr(field, "child_relation", None)
            queryset = getattr(child, "queryset", None)
            if queryset is not None:
                child.queryset = _scoped(queryset, organization)
            continue
        if isinstance(field, ModelChoiceField | ModelMultipleChoiceField) or hasattr(
            field, "queryset"
        ):
            field.queryset = _scoped(queryset, organization)


def _scoped(queryset, organization):
    model = queryset.model
    if any(f.name == "organization" for f in model._meta.get_fields()):
        return queryset.filter(organization=organization)
    return queryset


class OrgViewMixin:
    """Base of every page under /o/<org_slug>/: resolves the membership, checks the role.

    `read_role` guards GET/HEAD, `write_role` guards every other method.
    """

    read_role: str = Role.VIEWER
    write_role: str = Role.ADMIN

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        required = self.read_role if request.method in SAFE_METHODS else self.write_role
        role_check(membership=self.membership, required=required)
        request.membership = self.membership
        membership_touch(request, self.membership)
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def membership(self) -> Membership:
        return membership_get(user=self.request.user, org_slug=self.kwargs["org_slug"])

    @property
    def organization(self):
        return self.membership.organization

    def can(self, role: str) -> bool:
        return role_at_least(self.membership.role, role)

    def get_queryset(self):
        return super().get_queryset().for_org(self.organization)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["organization"] = self.organization
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            organization=self.organization,
            membership=self.membership,
            can_write=self.can(self.write_role),
        )
        return context


class OrgScopedFormMixin:
    """Forms take `organization=` and narrow their related choices to it."""

    def __init__(self, *args, organization=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        if organization is not None:
            scope_related_fields(self.fields, organization)
