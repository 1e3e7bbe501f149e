"""One definition of every metric the product shows, as pure, unrounded functions.

Every page, export, chart and the alignment engine call these; rounding happens only in
templates. Undefined figures (nobody answered, zero variance) are None, never an error.
"""

import math
from decimal import MAX_PREC, Decimal, getcontext, localcontext

PROMOTER_MIN = 9  # 9–10
PASSIVE_MIN = 7  # 7–8; 0–6 are detractors
NPS_SCALE_MAX = 10
CLASSES = ("promoters", "passives", "detractors")
Z95 = 1.96
SIGNIFICANT_Z = 1.96


def score_class(score: int | None) -> str | None:
    """ "promoter", "passive" or "detractor" for an NPS answer 0–10; None when unanswered."""
    if score is None:
        return None
    if not 0 <= score <= NPS_SCALE_MAX:
        raise ValueError(f"An NPS answer is 0 to {NPS_SCALE_MAX}, not {score!r}.")
    if score >= PROMOTER_MIN:
        return "promoter"
    if score >= PASSIVE_MIN:
        return "passive"
    return "detractor"


def _check_counts(promoters: float, detractors: float, responses: float) -> None:
    """Counts are never negative and promoters plus detractors never exceed the responses."""
    if min(promoters, detractors, responses) < 0:
        raise ValueError(
            f"Counts cannot be negative (promoters={promoters}, detractors={detractors}, "
            f"responses={responses})."
        )
    if promoters + detractors > responses:
        raise ValueError(
            f"{promoters} promoters and {detractors} detractors are more than the "
            f"{responses} responses."
        )


def nps(promoters: int, detractors: int, responses: int) -> float | None:
    """Net Promoter Score in points (-100..100); None when nobody answered."""
    _check_counts(promoters, detractors, responses)
    return None if responses == 0 else 100 * (promoters - detractors) / responses


def nps_se(promoters: int, detractors: int, responses: int) -> float | None:
    """Standard error of the NPS in points: 100·sqrt((pP + pD − (pP − pD)²)/N).

    0.0 when every answer is in the same class (zero variance).
    """
    _check_counts(promoters, detractors, responses)
    if responses == 0:
        return None
    return nps_se_float(promoters, detractors, responses)


def nps_ci95(promoters: int, detractors: int, responses: int) -> tuple[float, float] | None:
    """The Wald 95 % interval: nps ∓ 1.96·se."""
    score = nps(promoters, detractors, responses)
    se = nps_se(promoters, detractors, responses)
    if score is None or se is None:
        return None
    return score - Z95 * se, score + Z95 * se


def nps_adjusted_wald(
    promoters: int, detractors: int, responses: int
) -> tuple[float, float, float] | None:
    """Adjusted-Wald 95 % interval (Rocks 2016: N+3, P+¾, D+¾): (centre, low, high).

    Better than Wald for small samples; this is the interval pages show.
    """
    _check_counts(promoters, detractors, responses)
    if responses == 0:
        return None
    n, p, d = responses + 3, promoters + 0.75, detractors + 0.75
    centre = 100 * (p - d) / n
    se = nps_se_float(p, d, n)
    return centre, centre - Z95 * se, centre + Z95 * se


def nps_se_float(promoters: float, detractors: float, responses: float) -> float:
    """The NPS standard error for (possibly fractional, adjusted) counts; responses > 0."""
    p_p, p_d = promoters / responses, detractors / responses
    return 100 * math.sqrt(max(p_p + p_d - (p_p - p_d) ** 2, 0.0) / responses)


def nps_figures(promoters: int, passives: int, detractors: int) -> dict:
    """Every response-level figure of one group of NPS answers (unrounded)."""
    responses = promoters + passives + detractors
    ci = nps_ci95(promoters, detractors, responses)
    adjusted = nps_adjusted_wald(promoters, detractors, responses)
    return {
        "responses": responses,
        "promoters": promoters,
        "passives": passives,
        "detractors": detractors,
        "nps": nps(promoters, detractors, responses),
        "se": nps_se(promoters, detractors, responses),
        "ci95_low": ci[0] if ci else None,
        "ci95_high": ci[1] if ci else None,
        "adjusted_nps": adjusted[0] if adjusted else None,
        "adjusted_low": adjusted[1] if adjusted else None,
        "adjusted_high": adjusted[2] if adjusted else None,
    }


def nps_change(previous: dict, current: dict) -> dict:
    """`change_points`, `change_z` and `significant` between two nps_figures() results."""
    if previous.get("nps") is None or current.get("nps") is None:
        return {"change_points": None, "change_z": None, "significant": False}
    change = current["nps"] - previous["nps"]
    spread = math.sqrt(previous["se"] ** 2 + current["se"] ** 2)
    z = change / spread if spread > 0 else None
    return {
        "change_points": change,
        "change_z": z,
        "significant": z is not None and abs(z) >= SIGNIFICANT_Z,
    }


def share(part: int | float, whole: int | float) -> float | None:
    """part / whole, None when whole is 0."""
    return None if not whole else part / whole


def churn_rate(churned: int, customers: int) -> float | None:
    """Share of customers (0..1) who churned; None when there are no customers."""
    if churned < 0 or churned > customers:
        raise ValueError(f"{churned} churned is not between 0 and the {customers} customers.")
    return share(churned, customers)


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """numerator / denominator, None when either is missing or the denominator is 0."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def _exact_sum(values: list[Decimal]) -> Decimal:
    """The sum of decimals without the context's rounding (addition of decimals is exact)."""
    with localcontext() as ctx:
        ctx.prec = MAX_PREC
        return sum((Decimal(v) for v in values), Decimal(0))


def decimal_mean(values: list[Decimal]) -> Decimal | None:
    """Mean of decimals: the sum is exact, the division keeps every digit of the sum plus the
    context's precision (so a mean that terminates, like 0.15, is exact); None for no values."""
    if not values:
        return None
    total = _exact_sum(values)
    with localcontext() as ctx:
        ctx.prec = len(total.as_tuple().digits) + getcontext().prec
        return total / Decimal(len(values))


def decimal_median(values: list[Decimal]) -> Decimal | None:
    """Exact median (an even count takes the mean of the middle two); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return decimal_mean([ordered[middle - 1], ordered[middle]])


def csat(satisfied: int, answered: int) -> float | None:
    """CSAT in % (4–5 of 5 are satisfied)."""
    rate = share(satisfied, answered)
    return None if rate is None else 100 * rate


CSAT_SATISFIED_MIN = 4


def cents_mean(total_cents: int, count: int) -> Decimal | None:
    """Exact mean of amounts held as whole cents (their sum and count); None for no values."""
    if count == 0:
        return None
    total = Decimal(int(total_cents)).scaleb(-2)
    with localcontext() as ctx:
        ctx.prec = len(total.as_tuple().digits) + getcontext().prec
        return total / Decimal(count)


def cents_median(sorted_cents) -> Decimal | None:
    """Exact median of amounts in whole cents, already sorted (an even count: mean of the
    middle two); None for no values."""
    n = len(sorted_cents)
    if n == 0:
        return None
    middle = n // 2
    if n % 2:
        return Decimal(int(sorted_cents[middle])).scaleb(-2)
    return cents_mean(int(sorted_cents[middle - 1]) + int(sorted_cents[middle]), 2)
