"""Declarative pages: a view says its model, form and service; these bases do the rest
(scoping, the role check, the 409 path that keeps the user's text, messages, redirects)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import HttpResponseRedirect
from django.views import View
from django.views.generic import FormView, UpdateView

from cxalign.orgs.concurrency import VersionConflict, object_update
from cxalign.orgs.servicecall import service_call
from cxalign.orgs.tenancy import OrgViewMixin

# What a refused write can raise; pages show its text, never a 500.
REFUSALS = (ValidationError, PermissionDenied, VersionConflict)


def form_data(form) -> dict:
    """A form's cleaned data without its `version` (which the service takes on its own)."""
    return {k: v for k, v in form.cleaned_data.items() if k != "version"}


def form_add_validation_error(form, exc: ValidationError) -> None:
    """Attach a service's ValidationError to the form, by field where the form has it."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def form_add_refusal(form, exc: Exception) -> None:
    """A service's ValidationError by field, any other refusal as the form's own error."""
    if isinstance(exc, ValidationError):
        form_add_validation_error(form, exc)
    else:
        form.add_error(None, str(exc))


def error_text(exc: Exception) -> str:
    """What a refused action tells the person in a message: the service's own words."""
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def form_error_text(form) -> str:
    """A bound form's errors as one message line: "Label: error. Other label: error."."""
    parts = []
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        parts.append(f"{label or 'Form'}: {' '.join(errors)}")
    return " ".join(parts)


class FragmentMixin:
    """A page htmx also asks for in part: `fragment_template_name` answers htmx requests,
    `template_name` the others (the whole page, which works without JavaScript)."""

    fragment_template_name = ""

    def get_template_names(self):
        if self.request.htmx and self.fragment_template_name:
            return [self.fragment_template_name]
        return super().get_template_names()


class ProgressCardMixin:
    """A live progress card that htmx polls: once the job in its context (`job_context_name`)
    is no longer active, the answer asks htmx to reload the whole page, which shows the result."""

    job_context_name = "job"

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        if self.request.htmx and not context[self.job_context_name].is_active:
            response["HX-Refresh"] = "true"
        return response


class SuccessUrlMixin:
    """`success_url_name = "app:page"` and `success_url_args = ("pk",)` (attributes of the
    object) give the page to go to after a write."""

    success_url_name: str = ""
    success_url_args: tuple[str, ...] = ()

    def object_url(self, obj) -> str:
        return self.org_url(
            self.success_url_name, *[getattr(obj, a) for a in self.success_url_args]
        )

    def get_success_url(self) -> str:
        return self.object_url(getattr(self, "object", None))


class OrgEditView(SuccessUrlMixin, OrgViewMixin, UpdateView):
    """Edits an object whose form carries its `version`: `service` is called with the object,
    `data=` and `version=`; a conflict re-shows the form with the user's text."""

    service = None  # e.g. kpi_update; without one, object_update saves the fields
    success_message = "Saved."

    def get_initial(self):
        return {**super().get_initial(), "version": self.object.version}

    def perform_update(self, form, version: int):
        service = type(self).service
        if service is None:
            return object_update(instance=form.instance, data=form_data(form), version=version)
        return service_call(
            service,
            membership=self.membership,
            instance=form.instance,
            data=form_data(form),
            version=version,
        )

    def form_valid(self, form):
        try:
            self.object = self.perform_update(form, form.cleaned_data["version"])
        except VersionConflict as conflict:
            form.data = form.data.copy()
            form.data["version"] = conflict.current.version
            form.add_error(None, str(conflict) + " Your text is kept below.")
            return self.render_to_response(
                self.get_context_data(form=form, conflict_current=conflict.current)
            )
        except (ValidationError, PermissionDenied) as exc:
            form_add_refusal(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.get_success_url())


class CreateFormMixin(SuccessUrlMixin):
    """A page with a create form: `service` is called with the form's fields (or override
    `create(form)`); refusals become form errors; `created_message` is formatted with `obj`."""

    service = None  # e.g. kpi_create
    created_message = "Saved."

    def create(self, form):
        return service_call(type(self).service, membership=self.membership, **form_data(form))

    def form_valid(self, form):
        try:
            self.object = self.create(form)
        except (ValidationError, PermissionDenied) as exc:
            form_add_refusal(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, self.created_message.format(obj=self.object))
        return HttpResponseRedirect(self.get_success_url())


class OrgCreateView(CreateFormMixin, OrgViewMixin, FormView):
    """A page whose form creates one object through `service` (often above a list of them)."""


class OrgActionView(OrgViewMixin, View):
    """A POST-only action under /o/<org_slug>/ (delete, carry over, re-tag): GET answers 405."""

    http_method_names = ["post"]


class OrgDeleteView(SuccessUrlMixin, OrgActionView):
    """POST deletes the organization's object `pk` through `service` (object as its first
    keyword); a refusal is shown as a message and nothing changes."""

    model = None
    queryset = None  # a narrowed query set instead of `model`, e.g. with select_related
    service = None  # e.g. kpi_delete
    success_message = "Deleted."  # formatted with `obj`
    error_url_name: str = ""  # where a refusal goes back to (default: the success page)

    def get_object(self):
        source = self.queryset if self.queryset is not None else self.model
        return self.get_org_object(source, self.kwargs["pk"])

    def error_url(self, obj) -> str:
        if not self.error_url_name:
            return self.object_url(obj)
        return self.org_url(self.error_url_name, obj.pk)

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        # Both paths are worked out first: a deleted row no longer has its id.
        success_url, error_url = self.object_url(obj), self.error_url(obj)
        try:
            service_call(type(self).service, membership=self.membership, instance=obj)
        except REFUSALS as exc:
            messages.error(request, error_text(exc))
            return HttpResponseRedirect(error_url)
        except (ProtectedError, RestrictedError) as exc:
            linked = len(getattr(exc, "protected_objects", None) or exc.restricted_objects)
            messages.error(
                request, f"“{obj}” is still used by {linked} other record(s); not deleted."
            )
            return HttpResponseRedirect(error_url)
        messages.success(request, self.success_message.format(obj=obj))
        return HttpResponseRedirect(success_url)
