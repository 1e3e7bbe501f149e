"""The feedback forms (feedback/forms.py)."""

import pytest

from feedback.forms import BAND_CHOICES

pytestmark = pytest.mark.django_db


def test_band_choices_name_the_ranges_of_the_constants():
    assert dict(BAND_CHOICES)["promoter"] == "Promoters (9–10)"
    assert dict(BAND_CHOICES)["passive"] == "Passives (7–8)"
    assert dict(BAND_CHOICES)["detractor"] == "Detractors (0–6)"
