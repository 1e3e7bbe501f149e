"""Pages that act on many rows at once (bulk follow-ups, bulk triage) and the rule preview."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.views.generic import TemplateView

from cxalign.orgs.models import Membership
from cxalign.orgs.pages import FragmentMixin, OrgActionView, error_text
from cxalign.orgs.params import parse_id
from cxalign.orgs.redirects import safe_next
from cxalign.orgs.roles import Role
from feedback import bulk, queue, rule_preview
from feedback.forms import FollowUpBulkForm, RuleForm, TagForm, ThemeCreateForm
from feedback.models import Theme
from feedback.views import FeedbackPage


def _form_sentence(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


class FollowUpBulkView(FeedbackPage, OrgActionView):
    """POST ids=<response id>... with action=assign (owner=<id>|none) or action=status."""

    write_role = Role.MEMBER

    def post(self, request, *args, **kwargs):
        org = self.organization
        form = FollowUpBulkForm(request.POST, owners=queue.owner_choices(organization=org))
        try:
            ids = bulk.ids_parse(request.POST.getlist("ids"))
            if not form.is_valid():
                raise ValidationError(f"Nothing was changed. {_form_sentence(form)}")
            changes = self._changes(form.cleaned_data)
            count = bulk.followups_bulk_update(
                organization=org, by=self.membership, response_ids=ids, **changes
            )
            messages.success(request, bulk.followups_bulk_message(count, **changes))
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        return HttpResponseRedirect(safe_next(request, self.url("followups")))

    def _changes(self, data: dict) -> dict:
        if data["action"] == "status":
            return {"status": data["status"]}
        if data["owner"] == "none":
            return {"owner": None}
        owner = (
            Membership.objects.select_related("user")
            .filter(organization=self.organization, is_active=True, pk=parse_id(data["owner"]))
            .first()
        )
        if owner is None:
            raise ValidationError("Nothing was changed: choose someone of this organization.")
        return {"owner": owner}


class TriageBulkTagView(FeedbackPage, OrgActionView):
    """POST ids=<response id>... theme=<id>: tag the selected comments by hand."""

    write_role = Role.MEMBER

    def post(self, request, *args, **kwargs):
        form = TagForm(request.POST, organization=self.organization)
        try:
            ids = bulk.ids_parse(request.POST.getlist("ids"))
            if not form.is_valid():
                raise ValidationError("Nothing was tagged: choose a theme of this organization.")
            theme = form.cleaned_data["theme"]
            count = bulk.responses_bulk_tag(
                organization=self.organization, by=self.membership, response_ids=ids, theme=theme
            )
            noun = "comment" if len(ids) == 1 else "comments"
            already = len(ids) - count
            note = f" ({already} already carried it)" if already else ""
            messages.success(request, f"{len(ids)} {noun} tagged as {theme.name}{note}.")
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        return HttpResponseRedirect(safe_next(request, self.url("triage")))


class RulePreviewView(FragmentMixin, FeedbackPage, TemplateView):
    """What a rule would tag, before it is saved: GET ?pattern=... (htmx: the fragment only)."""

    template_name = "feedback/rule_preview.html"
    fragment_template_name = "feedback/_rule_preview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        theme = self.get_org_object(Theme, kwargs["pk"])
        form = RuleForm(self.request.GET)
        context.update(theme=theme, object=theme, can_write=self.can(Role.CX_LEAD))
        if not form.is_valid():
            context["problem"] = "Give a keyword or a phrase (at most 120 characters)."
            return context
        try:
            context["preview"] = rule_preview.rule_preview(
                theme=theme, pattern=form.cleaned_data["pattern"]
            )
        except ValidationError as exc:
            context["problem"] = error_text(exc)
        return context


class PatternsPreviewView(FragmentMixin, FeedbackPage, TemplateView):
    """What a new theme's keywords would tag, before the theme is created:
    GET ?patterns=refund, charged twice (htmx: the fragment under the form)."""

    template_name = "feedback/patterns_preview.html"
    fragment_template_name = "feedback/_patterns_preview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = ThemeCreateForm(data={"patterns": self.request.GET.get("patterns", "")})
        form.is_valid()  # only the keywords are read; the theme's other fields come later
        patterns = form.pattern_list()
        context.update(patterns=patterns, more=max(0, len(patterns) - rule_preview.MAX_PATTERNS))
        try:
            context["previews"] = rule_preview.patterns_preview(
                organization_id=self.organization.id, patterns=patterns
            )
        except ValidationError as exc:
            context["problem"] = error_text(exc)
        return context
