"""Tenancy in one place: who is in which organization, with which role, for pages and API."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms import ModelChoiceField, ModelMultipleChoiceField
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property

from cxalign.orgs.landing import membership_touch
from cxalign.orgs.models import Membership, Organization
from cxalign.orgs.params import parse_id
from cxalign.orgs.roles import Role, role_at_least
from cxalign.orgs.selectors import memberships_of_user
from cxalign.orgs.stamps import stamp_forget

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def membership_get(*, user, org_slug: str, memberships: list | None = None) -> Membership:
    """The user's active membership in the organization, or 404 (never tells what exists).
    Found among all the user's memberships (one query; a user has a few), which a page's
    organization switcher lists too: pass them when they are loaded already."""
    if not user.is_authenticated:
        raise PermissionDenied("Sign in first.")
    if memberships is None:
        memberships = user_memberships(user=user)
    found = next((m for m in memberships if m.organization.slug == org_slug), None)
    if found is None:
        raise Http404("No such organization.")
    return found


def user_memberships(*, user) -> list[Membership]:
    """The user's active memberships with their organizations, units and the user (read with
    the signed-in user when the session loaded it: `cxalign.orgs.people`)."""
    loaded = getattr(user, "cx_memberships", None)
    if loaded is not None:
        return loaded
    return list(memberships_of_user(user=user).select_related("user", "unit"))


def org_object_get(model_or_queryset, pk, *, organization: Organization, **filters):
    """One row of the organization by id, else 404: another organization's id, a missing one
    and an id that is not a number (from a form or a query string) all read the same."""
    if isinstance(model_or_queryset, QuerySet):
        queryset = model_or_queryset
    else:
        queryset = model_or_queryset._default_manager.all()
    number = parse_id(str(pk)) if isinstance(pk, int) else parse_id(pk)
    if number is None:
        raise Http404(f"No {queryset.model._meta.verbose_name} {str(pk)[:40]}.")
    return get_object_or_404(queryset.for_org(organization), pk=number, **filters)


def org_url(organization: Organization, name: str, *args, **kwargs) -> str:
    """The path of page `name` ("app:name") of the organization; ids by position or by name."""
    if kwargs:
        return reverse(name, kwargs={"org_slug": organization.slug, **kwargs})
    return reverse(name, args=[organization.slug, *args])


class OrgObjectsMixin:
    """For pages and endpoints that know `self.organization`: one way to fetch and to link."""

    def get_org_object(self, model_or_queryset, pk, **filters):
        """The organization's row with this id (a model or a narrowed query set), else 404."""
        return org_object_get(model_or_queryset, pk, organization=self.organization, **filters)

    def org_url(self, name: str, *args, **kwargs) -> str:
        return org_url(self.organization, name, *args, **kwargs)


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


class OrgViewMixin(OrgObjectsMixin):
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
        response = super().dispatch(request, *args, **kwargs)
        if request.method not in SAFE_METHODS:
            stamp_forget(self.organization.id)  # what the organization's pages show changed
        return response

    @cached_property
    def membership(self) -> Membership:
        # Kept on the request: the organization switcher (org_context) lists the same rows.
        self.request.user_memberships = user_memberships(user=self.request.user)
        return membership_get(
            user=self.request.user,
            org_slug=self.kwargs["org_slug"],
            memberships=self.request.user_memberships,
        )

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
