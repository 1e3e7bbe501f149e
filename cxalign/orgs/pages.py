"""Base classes of pages that edit versioned objects: a stale save keeps the user's text."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.views import View
from django.views.generic import UpdateView

from cxalign.orgs.concurrency import VersionConflict, object_update
from cxalign.orgs.tenancy import OrgViewMixin


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


class VersionedUpdateView(OrgViewMixin, UpdateView):
    """Edits an object whose form carries its `version`; conflicts re-show the form."""

    success_message = "Saved."

    def get_initial(self):
        return {**super().get_initial(), "version": self.object.version}

    def perform_update(self, form, version: int):
        return object_update(instance=form.instance, data=form_data(form), version=version)

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
        except ValidationError as exc:
            form_add_validation_error(form, exc)
            return self.form_invalid(form)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.get_success_url())


class CreateFormMixin:
    """A page with a create form: `create(form)` calls the service; refusals become form errors."""

    created_message = "Saved."

    def create(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            obj = self.create(form)
        except ValidationError as exc:
            form_add_validation_error(form, exc)
            return self.form_invalid(form)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        messages.success(self.request, self.created_message.format(obj=obj))
        return HttpResponseRedirect(self.get_success_url())


class OrgActionView(OrgViewMixin, View):
    """A POST-only action under /o/<org_slug>/ (delete, carry over, re-tag): GET answers 405."""

    http_method_names = ["post"]
