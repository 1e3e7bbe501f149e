"""The feedback query sets (feedback/querysets.py): NPS bands from the one definition of the
score classes."""

import pytest

from feedback.models import Response
from kpis.metrics import score_class
from tests.feedback.responses import make

pytestmark = pytest.mark.django_db


def test_band_filters_agree_with_score_class_on_every_score(org):
    make(org, [*range(11), None])
    qs = Response.objects.for_org(org)
    for band in ("promoter", "passive", "detractor"):
        got = sorted(qs.band(band).values_list("nps", flat=True))
        assert got == [s for s in range(11) if score_class(s) == band]
    assert list(qs.band("none").values_list("nps", flat=True)) == [None]
    assert sorted(qs.detractors().values_list("nps", flat=True)) == [0, 1, 2, 3, 4, 5, 6]
    assert [r.nps_band for r in qs.order_by("nps")] == [score_class(s) or "" for s in range(11)] + [
        ""
    ]
