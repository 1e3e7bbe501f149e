"""A generated company with planted NPS–churn–CLV relations, and an independent computation
of every figure of the links document (pandas/numpy/scipy, none of the engine's code)."""

import datetime
import zoneinfo
from decimal import Decimal

import numpy as np
import pandas as pd
from scipy import stats

from feedback.models import Customer, Response, Source, Theme

# Segment -> (customers, CLV of promoters, CLV of detractors, churn of promoters, of detractors)
PLANTED = {
    "SMB": (150, 800, 500, 0.12, 0.50),
    "Mid-market": (100, 5_000, 3_000, 0.10, 0.40),
    # Big-CLV segment full of detractors: pooled, promoters look worth less (Simpson).
    "Enterprise": (60, 120_000, 50_000, 0.08, 0.30),
}


def build(org, *, seed: int = 7, tz_name: str = "America/New_York", theme_ids=()) -> dict:
    """Customers and responses over Q2 and Q3 2026 (plus noise outside them)."""
    rng = np.random.default_rng(seed)
    org.time_zone = tz_name
    org.save(update_fields=["time_zone"])
    source, _ = Source.objects.get_or_create(organization=org, name="Survey")
    customers, responses = [], []
    for segment, (count, clv_p, clv_d, churn_p, churn_d) in PLANTED.items():
        for i in range(count):
            cid = f"{segment[:3].upper()}-{i:04d}"
            lean = rng.random()  # promoters lean high, detractors low
            detractor = lean < (0.7 if segment == "Enterprise" else 0.35)
            clv = clv_d if detractor else clv_p
            churn = churn_d if detractor else churn_p
            churned_on = None
            if rng.random() < churn:
                churned_on = datetime.date(2026, 7, 1) + datetime.timedelta(
                    days=int(rng.integers(0, 260))
                )
            customers.append(
                Customer(
                    organization=org,
                    customer_id=cid,
                    segment=segment,
                    clv=None
                    if rng.random() < 0.05
                    else Decimal(f"{clv * rng.uniform(0.85, 1.15):.2f}"),
                    revenue=Decimal(f"{clv * rng.uniform(0.1, 0.3):.2f}"),
                    churned_on=churned_on,
                    start_date=datetime.date(2026, 1, 1)
                    + datetime.timedelta(days=int(rng.integers(0, 270))),
                    onboarding_success=None if rng.random() < 0.2 else bool(rng.random() < 0.7),
                )
            )
            for _ in range(int(rng.integers(0, 5))):
                responses.append(_response(rng, org, source, cid, segment, detractor, theme_ids))
    for _ in range(60):  # responses naming nobody we know, or nobody at all
        cid = "" if rng.random() < 0.5 else f"GHOST-{int(rng.integers(0, 99))}"
        responses.append(_response(rng, org, source, cid, "SMB", False, theme_ids))
    Customer.objects.bulk_create(customers)
    for i, response in enumerate(responses):
        response.key = response.response_id = f"R{i:06d}"
    Response.objects.bulk_create(responses)
    return {"customers": len(customers), "responses": len(responses)}


def _response(rng, org, source, cid, segment, detractor, theme_ids) -> Response:
    start = datetime.datetime(2026, 3, 25, tzinfo=datetime.UTC)
    moment = start + datetime.timedelta(minutes=int(rng.integers(0, 60 * 24 * 200)))
    if detractor:
        score = int(rng.choice(11, p=_weights(low=True)))
    else:
        score = int(rng.choice(11, p=_weights(low=False)))
    tags = [t for t in theme_ids if rng.random() < 0.2]
    return Response(
        organization=org,
        source=source,
        customer_id=cid,
        responded_at=moment,
        nps=None if rng.random() < 0.05 else score,
        csat=int(rng.integers(1, 6)) if rng.random() < 0.6 else None,
        ces=int(rng.integers(1, 8)) if rng.random() < 0.4 else None,
        segment=segment if rng.random() < 0.95 else "",
        touchpoint_name=str(rng.choice(["Checkout", "Delivery", "Support call", ""])),
        theme_ids=tags,
    )


def _weights(*, low: bool) -> np.ndarray:
    w = np.array(
        [3, 2, 2, 3, 3, 4, 5, 4, 3, 2, 1] if low else [1, 1, 1, 1, 1, 2, 3, 6, 8, 10, 9], float
    )
    return w / w.sum()


# --- the independent computation -----------------------------------------------------------------


def frames(org) -> tuple[pd.DataFrame, pd.DataFrame]:
    responses = pd.DataFrame(
        list(
            Response.objects.filter(organization=org).values(
                "id",
                "response_id",
                "customer_id",
                "responded_at",
                "nps",
                "csat",
                "ces",
                "segment",
                "touchpoint_name",
                "theme_ids",
            )
        )  # fmt: skip
    )
    customers = pd.DataFrame(
        list(
            Customer.objects.filter(organization=org).values(
                "customer_id",
                "segment",
                "clv",
                "revenue",
                "churned_on",
                "start_date",
                "onboarding_success",
            )
        )  # fmt: skip
    )
    tz = zoneinfo.ZoneInfo(org.time_zone)
    responses["local_day"] = [t.astimezone(tz).date() for t in responses["responded_at"]]
    return responses, customers


def in_period(responses: pd.DataFrame, first, last) -> pd.DataFrame:
    mask = (responses["local_day"] >= first) & (responses["local_day"] <= last)
    return responses[mask]


def nps_parts(scores: np.ndarray) -> dict:
    scores = scores[~np.isnan(scores)]
    n = scores.size
    p = int((scores >= 9).sum())
    d = int((scores <= 6).sum())
    out = {"responses": n, "promoters": p, "passives": n - p - d, "detractors": d}
    if n:
        pp, pd_ = p / n, d / n
        out["nps"] = 100 * (pp - pd_)
        out["se"] = 100 * np.sqrt((pp + pd_ - (pp - pd_) ** 2) / n)
        na, pa, da = n + 3, p + 0.75, d + 0.75
        centre = 100 * (pa - da) / na
        se_a = 100 * np.sqrt((pa / na + da / na - (pa / na - da / na) ** 2) / na)
        out.update(ci95_low=out["nps"] - 1.96 * out["se"], ci95_high=out["nps"] + 1.96 * out["se"],
                   adjusted_nps=centre, adjusted_low=centre - 1.96 * se_a,
                   adjusted_high=centre + 1.96 * se_a)  # fmt: skip
    return out


def latest_per_customer(period_rows: pd.DataFrame, customers: pd.DataFrame, cutoff) -> pd.DataFrame:
    scored = period_rows[period_rows["nps"].notna() & (period_rows["customer_id"] != "")]
    ordered = scored.sort_values(["responded_at", "response_id", "id"])
    latest = ordered.groupby("customer_id").tail(1)
    merged = latest.merge(customers, on="customer_id", suffixes=("_r", ""))
    merged["churned"] = [int(c is not None and not pd.isna(c) and c <= cutoff)
                         for c in merged["churned_on"]]  # fmt: skip
    return merged


def pearson(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    xm, ym = x - x.mean(), y - y.mean()
    r = float((xm * ym).sum() / np.sqrt((xm**2).sum() * (ym**2).sum()))
    n = x.size
    t = r * np.sqrt((n - 2) / (1 - r * r))
    return r, float(2 * stats.t.sf(abs(t), n - 2))


def spearman(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    return pearson(stats.rankdata(x), stats.rankdata(y))


def class_money(group: pd.DataFrame) -> dict:
    clv = [Decimal(v) for v in group["clv"] if v is not None and not pd.isna(v)]
    mean = sum(clv, Decimal(0)) / len(clv) if clv else None
    ordered = sorted(clv)
    median = None
    if ordered:
        mid = len(ordered) // 2
        median = ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
    revenue = sum((Decimal(v) for v in group["revenue"] if v is not None), Decimal(0))
    return {
        "customers": len(group),
        "churned": int(group["churned"].sum()),
        "churn_rate": group["churned"].mean() if len(group) else None,
        "clv_mean": float(mean) if mean is not None else None,
        "clv_median": float(median) if median is not None else None,
        "revenue_sum": float(revenue),
    }


def theme_setup(org) -> list[int]:
    return [Theme.objects.create(organization=org, name=name).id for name in ("Delivery", "Price")]
