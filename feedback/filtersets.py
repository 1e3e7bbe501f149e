"""Filters of the feedback API (django-filter: they appear in the OpenAPI schema)."""

import django_filters

from cxalign.orgs.params import IdFilter
from feedback import selectors
from feedback.forms import BAND_CHOICES
from feedback.models import Response


class ResponseFilter(django_filters.FilterSet):
    """The responses endpoint's filters. They are read here and applied by
    `selectors.response_filter`, the same definition the pages and the export use."""

    date_from = django_filters.DateFilter(help_text="Answered on or after this day (YYYY-MM-DD).")
    date_to = django_filters.DateFilter(help_text="Answered on or before this day (YYYY-MM-DD).")
    segment = django_filters.CharFilter(help_text="The customer segment / audience, exactly.")
    touchpoint = IdFilter(help_text="A touchpoint id.")
    theme = IdFilter(help_text="A theme id: responses tagged with it.")
    band = django_filters.ChoiceFilter(
        choices=[c for c in BAND_CHOICES if c[0]],
        help_text="Score band: promoter, passive, detractor, or none (no NPS).",
    )
    q = django_filters.CharFilter(help_text="Text the comment contains (any case).")
    customer = django_filters.CharFilter(help_text="The customer id, exactly.")

    class Meta:
        model = Response
        fields = ["date_from", "date_to", "segment", "touchpoint", "theme", "band", "q", "customer"]

    def filter_queryset(self, queryset):
        filters = selectors.ResponseFilters.from_cleaned(self.form.cleaned_data)
        return selectors.response_filter(queryset, filters)
