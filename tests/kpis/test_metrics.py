"""kpis.metrics against independent computations: simulated answers, numpy by hand, to 1e-9.

No database: the metrics are pure functions.
"""

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

from kpis import metrics

TOL = 1e-9
Z = 1.96


def simulate(seed: int, n: int) -> np.ndarray:
    """n NPS answers 0–10, skewed like real surveys."""
    weights = np.array([2, 1, 2, 3, 3, 5, 7, 10, 16, 22, 24], dtype=float)
    return np.random.default_rng(seed).choice(11, size=n, p=weights / weights.sum())


def counts(scores: np.ndarray) -> tuple[int, int, int]:
    """(promoters, passives, detractors) counted straight from the answers."""
    return (
        int((scores >= 9).sum()),
        int(((scores >= 7) & (scores <= 8)).sum()),
        int((scores <= 6).sum()),
    )


def by_hand(scores: np.ndarray) -> dict:
    """NPS, its SE and both intervals from the answers mapped to +1 / 0 / −1."""
    x = np.where(scores >= 9, 1.0, np.where(scores <= 6, -1.0, 0.0))
    n = x.size
    score = 100 * x.mean()
    se = 100 * np.sqrt(x.var() / n)  # population variance of the ±1/0 answers
    p, d = (x == 1).sum() + 0.75, (x == -1).sum() + 0.75
    n_adj = n + 3
    centre = (p - d) / n_adj
    se_adj = np.sqrt((p / n_adj + d / n_adj - centre**2) / n_adj)
    return {
        "nps": score,
        "se": se,
        "wald": (score - Z * se, score + Z * se),
        "adjusted": (100 * centre, 100 * (centre - Z * se_adj), 100 * (centre + Z * se_adj)),
    }


@pytest.mark.parametrize("score,expected", [(0, "detractor"), (6, "detractor"), (7, "passive"),
                                            (8, "passive"), (9, "promoter"), (10, "promoter"),
                                            (None, None)])  # fmt: skip
def test_score_class_bands(score, expected):
    assert metrics.score_class(score) == expected


def test_score_class_agrees_with_the_constants_on_every_score():
    for score in range(11):
        by_constants = (
            "promoter"
            if score >= metrics.PROMOTER_MIN
            else "passive"
            if score >= metrics.PASSIVE_MIN
            else "detractor"
        )
        assert metrics.score_class(score) == by_constants
    assert (metrics.PROMOTER_MIN, metrics.PASSIVE_MIN) == (9, 7)


@pytest.mark.parametrize("score", [-1, 11, 100])
def test_score_class_refuses_a_score_off_the_scale(score):
    with pytest.raises(ValueError, match=f"0 to 10, not {score}"):
        metrics.score_class(score)


@pytest.mark.parametrize("seed,n", [(1, 1), (2, 7), (3, 50), (4, 1000), (5, 12345)])
def test_nps_se_and_intervals_match_numpy(seed, n):
    scores = simulate(seed, n)
    promoters, passives, detractors = counts(scores)
    assert promoters + passives + detractors == n
    expected = by_hand(scores)
    assert metrics.nps(promoters, detractors, n) == pytest.approx(expected["nps"], abs=TOL)
    assert metrics.nps_se(promoters, detractors, n) == pytest.approx(expected["se"], abs=TOL)
    low, high = metrics.nps_ci95(promoters, detractors, n)
    assert (low, high) == pytest.approx(expected["wald"], abs=TOL)
    adjusted = metrics.nps_adjusted_wald(promoters, detractors, n)
    assert adjusted == pytest.approx(expected["adjusted"], abs=TOL)


def test_nps_figures_bundle_every_figure():
    scores = simulate(9, 321)
    promoters, passives, detractors = counts(scores)
    expected = by_hand(scores)
    figures = metrics.nps_figures(promoters, passives, detractors)
    assert figures["responses"] == 321
    assert (figures["promoters"], figures["passives"], figures["detractors"]) == (
        promoters,
        passives,
        detractors,
    )
    assert figures["nps"] == pytest.approx(expected["nps"], abs=TOL)
    assert figures["se"] == pytest.approx(expected["se"], abs=TOL)
    assert (figures["ci95_low"], figures["ci95_high"]) == pytest.approx(expected["wald"], abs=TOL)
    assert (
        figures["adjusted_nps"],
        figures["adjusted_low"],
        figures["adjusted_high"],
    ) == pytest.approx(expected["adjusted"], abs=TOL)


def test_nps_is_unrounded():
    # 1 promoter, 2 passives: 33.333… points, not 33.
    assert metrics.nps(1, 0, 3) == pytest.approx(100 / 3, abs=TOL)
    assert metrics.nps(1, 0, 3) != 33


def test_nobody_answered_is_none_everywhere():
    assert metrics.nps(0, 0, 0) is None
    assert metrics.nps_se(0, 0, 0) is None
    assert metrics.nps_ci95(0, 0, 0) is None
    assert metrics.nps_adjusted_wald(0, 0, 0) is None
    figures = metrics.nps_figures(0, 0, 0)
    assert figures["responses"] == 0
    assert all(figures[k] is None for k in ("nps", "se", "ci95_low", "adjusted_nps"))


@pytest.mark.parametrize("promoters,passives,detractors,score", [(5, 0, 0, 100.0),
                                                                 (0, 5, 0, 0.0),
                                                                 (0, 0, 5, -100.0)])  # fmt: skip
def test_zero_variance(promoters, passives, detractors, score):
    n = promoters + passives + detractors
    assert metrics.nps(promoters, detractors, n) == score
    assert metrics.nps_se(promoters, detractors, n) == 0.0
    assert metrics.nps_ci95(promoters, detractors, n) == (score, score)
    # The adjusted interval is never zero-width: that is why pages show it.
    _, low, high = metrics.nps_adjusted_wald(promoters, detractors, n)
    assert high - low > 1
    same = metrics.nps_figures(promoters, passives, detractors)
    assert metrics.nps_change(same, same) == {
        "change_points": 0.0,
        "change_z": None,
        "significant": False,
    }


@pytest.mark.parametrize("p,d,n", [(-1, 0, 3), (0, -1, 3), (2, 2, 3), (0, 0, -1)])
def test_impossible_counts_are_refused(p, d, n):
    for fn in (metrics.nps, metrics.nps_se, metrics.nps_ci95, metrics.nps_adjusted_wald):
        with pytest.raises(ValueError, match="negative|more than"):
            fn(p, d, n)


def test_nps_change_matches_a_two_sample_z_by_hand():
    before, after = simulate(11, 400), simulate(12, 380)
    before[:60] = 3  # a worse first period
    b, a = by_hand(before), by_hand(after)
    change = metrics.nps_change(
        metrics.nps_figures(*counts(before)), metrics.nps_figures(*counts(after))
    )
    z = (a["nps"] - b["nps"]) / np.hypot(a["se"], b["se"])
    assert change["change_points"] == pytest.approx(a["nps"] - b["nps"], abs=TOL)
    assert change["change_z"] == pytest.approx(z, abs=TOL)
    assert change["significant"] is bool(abs(z) >= Z)
    assert change["significant"] is True


def test_nps_change_small_and_undefined():
    one = metrics.nps_figures(10, 5, 5)
    two = metrics.nps_figures(11, 4, 5)
    assert metrics.nps_change(one, two)["significant"] is False
    empty = metrics.nps_figures(0, 0, 0)
    assert metrics.nps_change(empty, two) == {
        "change_points": None,
        "change_z": None,
        "significant": False,
    }


def test_share_ratio_and_churn_rate():
    rng = np.random.default_rng(21)
    churned = rng.random(997) < 0.137
    assert metrics.churn_rate(int(churned.sum()), churned.size) == pytest.approx(
        churned.mean(), abs=TOL
    )
    assert metrics.churn_rate(0, 0) is None
    assert metrics.share(3, 8) == 0.375 and metrics.share(3, 0) is None
    assert metrics.ratio(7.5, 2.5) == 3.0
    assert metrics.ratio(None, 2) is None and metrics.ratio(2, None) is None
    assert metrics.ratio(2, 0) is None


@pytest.mark.parametrize("churned,customers", [(-1, 10), (11, 10)])
def test_churn_rate_refuses_impossible_counts(churned, customers):
    with pytest.raises(ValueError, match="churned is not between 0"):
        metrics.churn_rate(churned, customers)


def test_csat_against_numpy():
    answers = np.random.default_rng(5).integers(1, 6, size=733)
    satisfied = int((answers >= metrics.CSAT_SATISFIED_MIN).sum())
    assert metrics.csat(satisfied, answers.size) == pytest.approx(
        100 * np.mean(answers >= 4), abs=TOL
    )
    assert metrics.csat(0, 0) is None


def test_decimal_mean_and_median_against_numpy_and_fractions():
    rng = np.random.default_rng(8)
    cents = rng.integers(0, 10_000_00, size=501)
    values = [Decimal(int(c)) / 100 for c in cents]
    exact_mean = Fraction(int(cents.sum()), 100 * cents.size)
    assert abs(Fraction(metrics.decimal_mean(values)) - exact_mean) < Fraction(1, 10**20)
    assert float(metrics.decimal_mean(values)) == pytest.approx(np.mean(cents) / 100, abs=1e-6)
    assert float(metrics.decimal_median(values)) == pytest.approx(np.median(cents) / 100)
    assert metrics.decimal_median(values) == Decimal(int(np.median(cents))) / 100


def test_decimal_median_of_an_even_count_is_the_mean_of_the_middle_two():
    values = [Decimal("4"), Decimal("1.1"), Decimal("9"), Decimal("1.2")]
    assert metrics.decimal_median(values) == Decimal("2.6")  # (1.2 + 4) / 2
    assert metrics.decimal_median([Decimal("1.1"), Decimal("1.2")]) == Decimal("1.15")
    assert metrics.decimal_median([Decimal("3")]) == Decimal("3")
    assert metrics.decimal_median([Decimal("5"), Decimal("1"), Decimal("3")]) == Decimal("3")


def test_decimal_figures_are_exact():
    assert metrics.decimal_mean([Decimal("0.1")] * 3) == Decimal("0.1")
    assert metrics.decimal_mean([Decimal("0.1"), Decimal("0.2")]) == Decimal("0.15")
    # More digits than the default 28-digit context: nothing is lost in the sum or the mean.
    big = [Decimal("1234567890123456789012345678.91"), Decimal("0.03")]
    expected = Fraction(123456789012345678901234567894, 100) / 2
    assert Fraction(metrics.decimal_mean(big)) == expected
    assert Fraction(metrics.decimal_median(big)) == expected
    assert isinstance(metrics.decimal_mean(big), Decimal)


def test_decimal_no_values_is_none():
    assert metrics.decimal_mean([]) is None
    assert metrics.decimal_median([]) is None


def test_cents_mean_and_median_are_exact_decimals():
    rng = np.random.default_rng(3)
    cents = rng.integers(0, 10**11, size=1001)
    from decimal import Decimal as D

    total = sum(int(c) for c in cents)
    mean = metrics.cents_mean(int(cents.sum()), len(cents))
    assert abs(Fraction(mean) - Fraction(total, 100 * len(cents))) < Fraction(1, 10**25)
    ordered = np.sort(cents)
    assert metrics.cents_median(ordered) == D(int(ordered[500])) / 100
    even = ordered[:1000]
    assert metrics.cents_median(even) == (D(int(even[499])) + D(int(even[500]))) / 200
    assert metrics.cents_mean(15, 100) == D("0.0015")
    assert metrics.cents_mean(0, 0) is None and metrics.cents_median([]) is None
