from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django.views.generic import FormView, TemplateView

from cxalign.orgs import auth, services
from cxalign.orgs.clientip import client_ip
from cxalign.orgs.forms import (
    AcceptInvitationForm,
    InvitationForm,
    MembershipForm,
    OrganizationSettingsForm,
    OrgUnitForm,
)
from cxalign.orgs.landing import landing_membership
from cxalign.orgs.models import Invitation, Membership, Organization, OrgUnit
from cxalign.orgs.pages import (
    OrgCreateView,
    OrgDeleteView,
    OrgEditView,
    form_add_validation_error,
)
from cxalign.orgs.ratelimit import limit_exceeded
from cxalign.orgs.roles import ROLE_SUMMARY, Role
from cxalign.orgs.selectors import (
    membership_list,
    object_history,
    orgunit_tree,
)
from cxalign.orgs.tenancy import OrgViewMixin


def lockout_response(request, credentials, *args, **kwargs):
    """What a locked-out sign-in sees (django-axes calls this): a page, or JSON for the API."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": "Too many wrong passwords for this account: sign-in is paused for a while."},
            status=429,
        )
    return render(
        request,
        "registration/locked_out.html",
        {"minutes": 15},
        status=429,
    )


def role_home_url(membership: Membership) -> str | None:
    """The page a role lands on, declared by an app as `home_for = {role: url name}` on its
    AppConfig (so this lower layer never imports the app that provides it); None: the overview."""
    for config in apps.get_app_configs():
        name = getattr(config, "home_for", {}).get(membership.role)
        if name:
            return reverse(name, kwargs={"org_slug": membership.organization.slug})
    return None


@login_required
def home(request):
    """Send the user to their role's page in the organization they used last (or have the
    most to do in), or explain that they have none yet."""
    membership = landing_membership(user=request.user)
    if membership is None:
        return render(request, "orgs/no_organization.html")
    return redirect(
        role_home_url(membership) or reverse("orgs:home", args=[membership.organization.slug])
    )


class OrgHomeView(OrgViewMixin, TemplateView):
    template_name = "orgs/home.html"

    def get(self, request, *args, **kwargs):
        # Executives and CX leads land on the dashboard, managers on their own page;
        # `?overview=1` shows everyone this page.
        target = None if request.GET.get("overview") else role_home_url(self.membership)
        return redirect(target) if target else super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sections = []
        for config in apps.get_app_configs():
            overview = getattr(config, "overview", None)
            if overview:
                sections.append(overview)
        context["sections"] = sections
        context["role_summary"] = ROLE_SUMMARY[self.membership.role]
        return context


class PeopleView(OrgViewMixin, FormView):
    template_name = "orgs/people.html"
    form_class = InvitationForm
    write_role = Role.ADMIN

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["members"] = membership_list(organization=self.organization)
        context["invitations"] = (
            Invitation.objects.for_org(self.organization)
            .filter(accepted_at__isnull=True, revoked_at__isnull=True)
            .select_related("unit")
        )
        context["roles"] = [(Role(r).label, text) for r, text in ROLE_SUMMARY.items()]
        return context

    def form_valid(self, form):
        try:
            invitation, token = services.invitation_create(
                organization=self.organization,
                invited_by=self.membership,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                unit=form.cleaned_data["unit"],
            )
        except ValidationError as exc:
            form_add_validation_error(form, exc)
            return self.form_invalid(form)
        link = self.request.build_absolute_uri(reverse("invitation_accept", args=[token]))
        messages.success(
            self.request,
            f"Invitation mailed to {invitation.email}. You can also share this link once: {link}",
        )
        return redirect(self.org_url("orgs:people"))


class InvitationRevokeView(OrgDeleteView):
    model = Invitation
    service = services.invitation_revoke
    write_role = Role.ADMIN
    success_message = "Invitation of {obj.email} withdrawn."
    success_url_name = "orgs:people"


class MembershipEditView(OrgEditView):
    model = Membership
    form_class = MembershipForm
    service = services.membership_update
    template_name = "orgs/membership_form.html"
    write_role = Role.ADMIN
    success_message = "Member updated."
    success_url_name = "orgs:people"

    def get_queryset(self):
        return super().get_queryset().select_related("user")


class MembershipDeactivateView(OrgDeleteView):
    queryset = Membership.objects.select_related("user")
    service = services.membership_deactivate
    write_role = Role.ADMIN
    success_message = "{obj.display_name} no longer has access."
    success_url_name = "orgs:people"


class UnitsView(OrgCreateView):
    template_name = "orgs/units.html"
    form_class = OrgUnitForm
    service = services.orgunit_create
    write_role = Role.ADMIN
    created_message = "Unit “{obj.name}” added."
    success_url_name = "orgs:units"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tree"] = orgunit_tree(organization=self.organization)
        return context


class UnitEditView(OrgEditView):
    model = OrgUnit
    form_class = OrgUnitForm
    service = services.orgunit_update
    template_name = "orgs/unit_form.html"
    write_role = Role.ADMIN
    success_message = "Unit saved."
    success_url_name = "orgs:units"


class UnitDeleteView(OrgDeleteView):
    model = OrgUnit
    service = services.orgunit_delete
    write_role = Role.ADMIN
    success_message = "Unit “{obj.name}” deleted."
    success_url_name = "orgs:units"


class OrgSettingsView(OrgViewMixin, FormView):
    """The organization's settings: everyone sees them, admins change them."""

    template_name = "orgs/settings.html"
    form_class = OrganizationSettingsForm
    write_role = Role.ADMIN

    def get_form_kwargs(self):
        # A copy: a refused form must not change the organization the page is drawn with.
        instance = Organization.objects.get(pk=self.organization.pk)
        return {**super().get_form_kwargs(), "instance": instance}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "can_recompute": self.can(Role.CX_LEAD)}

    def form_valid(self, form):
        data = {name: form.cleaned_data[name] for name in Organization.SETTINGS}
        try:
            changed = services.organization_settings_update(
                organization=self.organization, data=data
            )
        except ValidationError as exc:
            form_add_validation_error(form, exc)
            return self.form_invalid(form)
        note = ""
        if changed:
            labels = ", ".join(str(form.fields[name].label).lower() for name in changed)
            note = f" The figures still use the old {labels}: recompute to apply the new."
        messages.success(self.request, "Settings saved." + note)
        return redirect(self.org_url("orgs:settings"))


class HistoryView(OrgViewMixin, TemplateView):
    """The change history of any object of the organization: one page for every app."""

    template_name = "orgs/history.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            model = apps.get_model(kwargs["app_label"], kwargs["model_name"])
        except LookupError as exc:
            raise Http404 from exc
        has_org = any(f.name == "organization" for f in model._meta.get_fields())
        if not has_org or not hasattr(model, "history"):
            raise Http404
        obj = self.get_org_object(model, kwargs["pk"])
        context.update(object=obj, model_name=model._meta.verbose_name, entries=object_history(obj))
        return context


def invitation_accept(request, token: str):
    """Accept an invitation: signed-in users join at once; others create their account here."""
    try:
        invitation = services.invitation_for_token(token)
    except ValidationError as exc:
        return render(
            request, "orgs/invitation_invalid.html", {"reason": exc.messages[0]}, status=410
        )
    if request.user.is_authenticated and not services.invitation_is_for(
        invitation=invitation, user=request.user
    ):
        # Bound to the invited address: another account holding the link cannot join.
        return render(
            request,
            "orgs/invitation_wrong_account.html",
            {
                "invitation": invitation,
                "reason": services.invitation_wrong_account_message(invitation=invitation),
            },
            status=403,
        )
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST":
        try:
            if request.user.is_authenticated:
                membership = services.invitation_accept(token=token, user=request.user)
            elif form.is_valid():
                membership = services.invitation_accept(
                    token=token,
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password1"],
                )
                login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            else:
                membership = None
        except ValidationError as exc:
            form_add_validation_error(form, exc)
            membership = None
        if membership is not None:
            messages.success(request, f"Welcome to {membership.organization.name}.")
            return redirect("orgs:home", org_slug=membership.organization.slug)
    return render(request, "orgs/invitation_accept.html", {"invitation": invitation, "form": form})


def csrf_failure(request, reason=""):
    """A stale or missing CSRF token: a page that says what to do, not Django's debug text."""
    return render(request, "403_csrf.html", status=403)


@login_required
def profile(request):
    """The signed-in user's API tokens (revocable) and the "sign out everywhere" button."""
    tokens = auth.api_tokens_of_user(user=request.user)
    return render(
        request,
        "registration/profile.html",
        {"tokens": tokens, "ttl_days": settings.API_TOKEN_TTL_DAYS},
    )


@login_required
@require_POST
def api_token_revoke(request, token_key: str):
    if auth.api_token_revoke(user=request.user, token_key=token_key):
        messages.success(request, f"Token {token_key}… revoked: it no longer works.")
    else:
        messages.error(request, "That token was already revoked or has expired.")
    return redirect("profile")


@login_required
@require_POST
def sign_out_everywhere(request):
    """End every session and revoke every API token of the user, this browser included."""
    done = auth.sign_out_everywhere(user=request.user)
    logout(request)
    messages.success(
        request,
        f"Signed out everywhere: {done['sessions']} session(s) ended, "
        f"{done['tokens']} API token(s) revoked.",
    )
    return redirect("login")


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset page, limited per address and per client so it cannot mail-bomb anyone.

    The refusal reads the same whether or not the address has an account.
    """

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().casefold()
        limit = settings.PASSWORD_RESET_LIMIT_PER_HOUR
        by_email = limit_exceeded(scope="reset-email", key=email, limit=limit, window_seconds=3600)
        by_ip = limit_exceeded(
            scope="reset-ip", key=client_ip(self.request), limit=limit, window_seconds=3600
        )
        if by_email or by_ip:
            form.add_error(
                None,
                "Too many reset requests for this address or from your network in the last "
                "hour. Check your inbox (and spam folder) for the link already sent, or try "
                "again in an hour.",
            )
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return super().form_valid(form)
