"""Every NPS figure of the feedback app comes from kpis.metrics: bands, summary, theme figures,
chart, score badge, follow-up rule. Checked against numpy on simulated answers, unrounded."""

from datetime import UTC, datetime

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string

from feedback import selectors, services
from feedback.charts import trend_frame
from feedback.forms import BAND_CHOICES
from feedback.models import Response, Source, Theme
from kpis.metrics import score_class

pytestmark = pytest.mark.django_db
TOL = 1e-9


def numpy_nps(scores) -> float:
    x = np.asarray([s for s in scores if s is not None], dtype=float)
    return 100 * (np.mean(x >= 9) - np.mean(x <= 6))


def make(org, scores, *, theme_ids=(), month=1, prefix="r"):
    source, _ = Source.objects.get_or_create(organization=org, name="S")
    Response.objects.bulk_create(
        Response(
            organization=org,
            source=source,
            key=f"{prefix}{i}",
            response_id=f"{prefix}{i}",
            nps=score,
            comment="late",
            theme_ids=list(theme_ids),
            responded_at=datetime(2024, month, 1 + i % 27, 10, tzinfo=UTC),
        )
        for i, score in enumerate(scores)
    )


def simulate(seed, n):
    scores = np.random.default_rng(seed).integers(0, 11, size=n).tolist()
    return scores + [None, None]  # unanswered NPS counts in volume, not in the score


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


def test_summary_is_unrounded_and_matches_numpy(org):
    scores = simulate(3, 301)
    make(org, scores)
    summary = selectors.nps_summary(Response.objects.for_org(org))
    assert summary["total"] == len(scores) and summary["scored"] == len(scores) - 2
    assert summary["nps"] == pytest.approx(numpy_nps(scores), abs=TOL)
    assert summary["nps"] != round(summary["nps"])  # left unrounded for the template
    assert selectors.nps_summary(Response.objects.none())["nps"] is None


def test_theme_figures_and_trend_are_unrounded_and_match_numpy(org):
    theme = Theme.objects.create(organization=org, name="Late")
    march, april = simulate(4, 97), simulate(5, 61)
    make(org, march, theme_ids=[theme.pk], month=3, prefix="m")
    make(org, april, theme_ids=[theme.pk], month=4, prefix="a")
    stats = selectors.theme_stats(organization=org)[theme.pk]
    assert stats["volume"] == len(march) + len(april)
    assert stats["nps"] == pytest.approx(numpy_nps(march + april), abs=TOL)
    frame = trend_frame(selectors.theme_trend_rows(organization=org, theme_ids=[theme.pk]))
    assert list(frame["nps"]) == pytest.approx([numpy_nps(march), numpy_nps(april)], abs=TOL)


def test_trend_frame_leaves_a_month_without_scores_empty():
    rows = [
        {"theme_id": 1, "theme__name": "T", "month": "2024-01-01T00:00:00Z", "volume": 3,
         "scored": 3, "promoters": 1, "detractors": 0},
        {"theme_id": 1, "theme__name": "T", "month": "2024-02-01T00:00:00Z", "volume": 2,
         "scored": 0, "promoters": 0, "detractors": 0},
    ]  # fmt: skip
    nps = trend_frame(rows)["nps"].tolist()
    assert nps[0] == pytest.approx(100 / 3, abs=TOL) and np.isnan(nps[1])


@pytest.mark.parametrize("score", [None, *range(11)])
def test_score_badge_takes_the_class_from_the_row(score):
    r = Response(nps=score)
    html = render_to_string("feedback/_score.html", {"r": r}).strip()
    if score is None:
        assert html == '<span class="muted">–</span>'
    else:
        band = score_class(score)
        assert html == f'<span class="score {band}" title="{band.capitalize()}">{score}</span>'


def test_pages_round_only_in_the_template(client, viewer, org):
    make(org, [10, 7, 7])  # 33.33… points
    client.force_login(viewer.user)
    body = client.get(f"/o/{org.slug}/feedback/responses/").content.decode()
    assert '<span class="value">33</span>' in body
    assert "33.3" not in body


def test_band_choices_name_the_ranges_of_the_constants():
    assert dict(BAND_CHOICES)["promoter"] == "Promoters (9–10)"
    assert dict(BAND_CHOICES)["passive"] == "Passives (7–8)"
    assert dict(BAND_CHOICES)["detractor"] == "Detractors (0–6)"


@pytest.mark.parametrize("score", [None, 7, 8, 9, 10])
def test_only_detractors_are_followed_up(org, member, score):
    make(org, [score])
    response = Response.objects.get(organization=org)
    with pytest.raises(ValidationError, match="Only detractors"):
        services.followup_save(response=response, by=member, owner=None, status="open", note="")
