"""Pure functions from the engine's reads to the links document (the contract of the API).

Nothing here touches the database. Every figure comes from `kpis.metrics` or from the
statistics below; nothing is rounded. Undefined figures are None.
"""

import math
from decimal import Decimal

import numpy as np
import pandas as pd
from scipy import stats

from kpis import metrics

PERIODS = ("previous", "current")
ALL = "all"
NO_SEGMENT = "(no segment)"
# Class codes of score_classes(): detractor 0, passive 1, promoter 2.
CLASS_OF = {"promoters": 2, "passives": 1, "detractors": 0}


def segment_key(name: str | None) -> str:
    return name if name else NO_SEGMENT


def _float(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else value


# --- response-level ---------------------------------------------------------------------------


def _empty_counts() -> dict:
    return {"promoters": 0, "passives": 0, "detractors": 0}


def nps_entry(counts: dict[str, dict]) -> dict:
    """{"previous": F, "current": F, change...} from class counts per period."""
    entry = {
        period: metrics.nps_figures(
            **{k: counts.get(period, {}).get(k, 0) for k in metrics.CLASSES}
        )
        for period in PERIODS
    }
    entry.update(metrics.nps_change(entry["previous"], entry["current"]))
    return entry


def nps_block(count_rows: list[dict], key=segment_key) -> dict[str, dict]:
    """Per group (and "all" when `key` is segment_key): NPS figures of both periods."""
    grouped: dict[str, dict[str, dict]] = {}
    for row in count_rows:
        names = [key(row["name"])] + ([ALL] if key is segment_key else [])
        for name in names:
            counts = grouped.setdefault(name, {}).setdefault(row["period"], _empty_counts())
            for cls in metrics.CLASSES:
                counts[cls] += int(row[cls] or 0)
    if key is segment_key:
        grouped.setdefault(ALL, {})
    return {name: nps_entry(counts) for name, counts in sorted(grouped.items())}


def touchpoint_block(count_rows: list[dict]) -> dict[str, dict]:
    named = [row for row in count_rows if row["name"]]
    block = nps_block(named, key=lambda name: name)
    ids: dict[str, int] = {}
    for row in named:
        if row["touchpoint_id"] is not None:
            ids[row["name"]] = int(row["touchpoint_id"])
    for name, entry in block.items():
        entry["touchpoint_id"] = ids.get(name)
    return block


def theme_block(theme_rows: list[dict], names: dict[int, str], totals: dict[str, int],
                ratio_needed: float, min_responses: int) -> dict[str, dict]:  # fmt: skip
    """Per theme: tagged responses, their share of the period's responses, NPS, rising."""
    counts: dict[int, dict[str, dict]] = {}
    for row in theme_rows:
        theme_id = int(row["theme_id"])
        counts.setdefault(theme_id, {})[row["period"]] = row
    block = {}
    for theme_id, name in sorted(names.items(), key=lambda item: item[1]):
        per = {}
        for period in PERIODS:
            row = counts.get(theme_id, {}).get(period) or {}
            tagged = int(row.get("total") or 0)
            parts = {cls: int(row.get(cls) or 0) for cls in metrics.CLASSES}
            per[period] = {
                "responses": tagged,
                "share": metrics.share(tagged, totals.get(period, 0)),
                "nps": metrics.nps(parts["promoters"], parts["detractors"], sum(parts.values())),
            }
        ratio = metrics.ratio(per["current"]["share"], per["previous"]["share"])
        grew = (ratio is not None and ratio >= ratio_needed) or (
            not per["previous"]["share"] and per["current"]["responses"] > 0
        )
        block[name] = {
            "theme_id": theme_id,
            **per,
            "share_ratio_current_to_previous": ratio,
            "rising": bool(grew and per["current"]["responses"] >= min_responses),
        }
    return block


# --- customer-level ---------------------------------------------------------------------------


def score_classes(scores: np.ndarray) -> np.ndarray:
    """metrics.score_class over an array, as codes (see CLASS_OF), with the same thresholds."""
    promoter = scores >= metrics.PROMOTER_MIN
    return (scores >= metrics.PASSIVE_MIN).astype(np.int8) + promoter.astype(np.int8)


def _money(cents: np.ndarray, known: np.ndarray) -> tuple[int, Decimal | None, Decimal | None]:
    """(count, exact mean, exact median) of the known amounts, held as int64 cents."""
    values = np.sort(cents[known])
    total = int(values.sum(dtype=np.int64))
    return values.size, metrics.cents_mean(total, values.size), metrics.cents_median(values)


def class_figures(frame: dict[str, np.ndarray]) -> dict:
    """Customers, churn and money of one class of customers."""
    count, churned = int(frame["score"].size), int(frame["churned"].sum())
    clv_known, mean, median = _money(frame["clv"], frame["clv_known"])
    revenue = int(frame["revenue"][frame["revenue_known"]].sum(dtype=np.int64))
    return {
        "customers": count,
        "churned": churned,
        "churn_rate": metrics.churn_rate(churned, count),
        "clv_known": clv_known,
        "clv_mean": _float(mean),
        "clv_median": _float(median),
        "revenue_sum": float(Decimal(revenue).scaleb(-2)),
    }


def correlation(x: np.ndarray, y: np.ndarray) -> dict:
    """Pearson and Spearman (average ranks) r with two-sided p; None when undefined."""
    empty = {"pearson_r": None, "pearson_p": None, "spearman_r": None, "spearman_p": None}
    if x.size < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return empty
    pearson = stats.pearsonr(x, y)
    spearman = stats.spearmanr(x, y)
    return {
        "pearson_r": _float(pearson.statistic),
        "pearson_p": _float(pearson.pvalue),
        "spearman_r": _float(spearman.statistic),
        "spearman_p": _float(spearman.pvalue),
    }


def _subset(frame: dict[str, np.ndarray], mask: np.ndarray) -> dict[str, np.ndarray]:
    return {k: v[mask] for k, v in frame.items()}


def links_figures(frame: dict[str, np.ndarray]) -> dict:
    """L: the customer-level links of one group of customers (one period, one segment)."""
    scores, churned = frame["score"], frame["churned"]
    classes = score_classes(scores)
    _, mean, _ = _money(frame["clv"], frame["clv_known"])
    block = {
        "customers": int(scores.size),
        "churned": int(churned.sum()),
        "churn_rate": metrics.churn_rate(int(churned.sum()), int(scores.size)),
        "clv_mean": _float(mean),
    }
    for cls, single in CLASS_OF.items():
        block[cls] = class_figures(_subset(frame, classes == single))
    pro, det = block["promoters"], block["detractors"]
    block["revenue_at_risk"] = det["revenue_sum"]
    block["churn_ratio_detractors_to_promoters"] = metrics.ratio(
        det["churn_rate"], pro["churn_rate"]
    )
    block["clv_mean_ratio_promoters_to_detractors"] = metrics.ratio(
        pro["clv_mean"], det["clv_mean"]
    )
    block["clv_median_ratio_promoters_to_detractors"] = metrics.ratio(
        pro["clv_median"], det["clv_median"]
    )
    block["score_vs_churned"] = correlation(scores.astype(float), churned.astype(float))
    known = frame["clv_known"]
    block["score_vs_clv"] = correlation(
        scores[known].astype(float), frame["clv"][known].astype(float) / 100
    )
    return block


def links_of_period(frame: dict[str, np.ndarray]) -> dict[str, dict]:
    """{segment key and "all": L} of one period's customers."""
    codes, names = pd.factorize(frame["segment"])  # hashing: no sort of a million strings
    numbers = {k: v for k, v in frame.items() if k != "segment"}
    # One stable sort by segment, then a slice per segment (not a mask over every row each).
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(names) + 1))
    by_segment = {k: v[order] for k, v in numbers.items()}
    block = {ALL: links_figures(numbers)}
    for code, name in enumerate(names):
        part = slice(bounds[code], bounds[code + 1])
        block[segment_key(name)] = links_figures({k: v[part] for k, v in by_segment.items()})
    return block


def links_block(per_period: dict[str, dict[str, dict]]) -> dict[str, dict]:
    """Per customer segment and "all": L for both periods, from `links_of_period` of each (a
    segment without customers in a period gets that period's figures of no customers)."""
    block: dict[str, dict] = {}
    for key in {key for links in per_period.values() for key in links}:
        block[key] = {}
        for period in PERIODS:
            found = per_period[period].get(key)
            block[key][period] = found if found is not None else links_figures(_nobody())
    return {ALL: block[ALL], **dict(sorted((k, v) for k, v in block.items() if k != ALL))}


def _nobody() -> dict[str, np.ndarray]:
    empty = np.empty(0, dtype=np.int64)
    return {"score": empty, "churned": empty, "clv": empty, "clv_known": empty.astype(bool),
            "revenue": empty, "revenue_known": empty.astype(bool)}  # fmt: skip


def onboarding_rates(onboarding_rows: list[dict]) -> dict[str, dict[str, float | None]]:
    """Per customer segment and "all", per period: onboarding success rate (0..1)."""
    counts: dict[str, dict[str, list[int]]] = {}
    for row in onboarding_rows:
        for name in (ALL, segment_key(row["name"])):
            pair = counts.setdefault(name, {}).setdefault(row["period"], [0, 0])
            pair[0] += int(row["succeeded"] or 0)
            pair[1] += int(row["known"] or 0)
    return {
        name: {p: metrics.share(*per.get(p, [0, 0])) for p in PERIODS}
        for name, per in counts.items()
    }


# --- value of moving detractors ---------------------------------------------------------------


def value_of_moving(links: dict[str, dict], share: float) -> dict:
    """Moving `share` of each segment's detractor customers to promoters, current period.

    The company figure is the sum over segments, never the pooled computation: pooled, a
    segment mix can reverse the promoter/detractor relation (Simpson's paradox).
    """
    segments, total_value, total_churn = {}, 0.0, 0.0
    for name, entry in links.items():
        if name == ALL:
            continue
        segments[name] = _segment_value(entry["current"], share)
        total_value += segments[name]["value"] or 0.0
        total_churn += segments[name]["churn_avoided"] or 0.0
    pooled = _segment_value(links[ALL]["current"], share) if ALL in links else None
    return {
        "share": share,
        "segments": segments,
        "value": total_value,
        "churn_avoided": total_churn,
        "pooled_value": pooled["value"] if pooled else None,
        **simpson(links),
    }


def _segment_value(figures: dict, share: float) -> dict:
    pro, det = figures["promoters"], figures["detractors"]
    moved = share * det["customers"]
    gain = None
    if pro["clv_mean"] is not None and det["clv_mean"] is not None:
        gain = pro["clv_mean"] - det["clv_mean"]
    churn_gap = None
    if pro["churn_rate"] is not None and det["churn_rate"] is not None:
        churn_gap = det["churn_rate"] - pro["churn_rate"]
    return {
        "detractors": det["customers"],
        "moved": moved,
        "clv_gain_per_customer": gain,
        "value": None if gain is None else moved * gain,
        "churn_avoided": None if churn_gap is None else moved * churn_gap,
    }


def simpson(links: dict[str, dict]) -> dict:
    """Does the pooled promoter/detractor CLV ratio point the other way from most segments?"""
    pooled = links.get(ALL, {}).get("current", {}).get("clv_mean_ratio_promoters_to_detractors")
    sides = [
        entry["current"]["clv_mean_ratio_promoters_to_detractors"] > 1
        for name, entry in links.items()
        if name != ALL and entry["current"]["clv_mean_ratio_promoters_to_detractors"] is not None
    ]
    if pooled is None or not sides or pooled == 1:
        return {"simpson": False, "simpson_message": None}
    higher = sum(sides)
    majority_higher = higher * 2 > len(sides)
    majority_lower = (len(sides) - higher) * 2 > len(sides)
    reversed_ = (pooled > 1 and majority_lower) or (pooled < 1 and majority_higher)
    if not reversed_:
        return {"simpson": False, "simpson_message": None}
    pooled_word = "more" if pooled > 1 else "less"
    segment_word = "less" if pooled > 1 else "more"
    count = len(sides) - higher if pooled > 1 else higher
    message = (
        f"Pooled over all segments, promoters look worth {pooled_word} than detractors "
        f"(mean CLV ratio {pooled:.2f}), but in {count} of {len(sides)} segments they are worth "
        f"{segment_word}: the segments differ in size and value (Simpson's paradox). "
        "Read the segments, not the pooled figure."
    )
    return {"simpson": True, "simpson_message": message}


# --- KPI values and data quality ----------------------------------------------------------------


def kpi_values(nps: dict, links: dict, onboarding: dict, csat_ces: dict) -> dict:
    """Per KPI key, per segment and "all", per period: the measured value in the KPI's unit."""
    block: dict[str, dict] = {key: {} for key in
                              ("nps", "churn_rate", "clv", "onboarding_success_rate", "csat", "ces")}  # fmt: skip
    for name, entry in nps.items():
        block["nps"][name] = {p: entry[p]["nps"] for p in PERIODS}
    for name, entry in links.items():
        block["churn_rate"][name] = {p: _percent(entry[p]["churn_rate"]) for p in PERIODS}
        block["clv"][name] = {p: entry[p]["clv_mean"] for p in PERIODS}
    for name, per in onboarding.items():
        block["onboarding_success_rate"][name] = {p: _percent(per[p]) for p in PERIODS}
    for name, per in csat_ces.items():
        block["csat"][name] = {p: metrics.csat(*per[p]["csat"]) for p in PERIODS}
        block["ces"][name] = {p: metrics.ratio(*per[p]["ces"]) for p in PERIODS}
    return block


def _percent(rate: float | None) -> float | None:
    return None if rate is None else 100 * rate


def csat_ces_counts(count_rows: list[dict]) -> dict:
    """Per segment and "all", per period: (satisfied, answered) and (ces sum, answered)."""
    block: dict[str, dict] = {}
    for row in count_rows:
        for name in (ALL, segment_key(row["name"])):
            per = block.setdefault(name, {p: {"csat": [0, 0], "ces": [0, 0]} for p in PERIODS})
            per[row["period"]]["csat"][0] += int(row["csat_satisfied"] or 0)
            per[row["period"]]["csat"][1] += int(row["csat_answered"] or 0)
            per[row["period"]]["ces"][0] += int(row["ces_sum"] or 0)
            per[row["period"]]["ces"][1] += int(row["ces_answered"] or 0)
    return block


def data_quality(segment_rows: list[dict], customers: dict[str, dict[str, np.ndarray]]) -> dict:
    """Per period: responses, scored, linked and unlinked, customers without a CLV (from each
    period's customer rows), responses naming an unknown touchpoint (from the per-segment
    counts)."""
    block = {}
    for period in PERIODS:
        rows = [r for r in segment_rows if r["period"] == period]
        responses = sum(int(r["total"] or 0) for r in rows)
        linked = sum(int(r["linked"] or 0) for r in rows)
        known = customers[period]["clv_known"]
        block[period] = {
            "responses": responses,
            "scored": sum(int(r["scored"] or 0) for r in rows),
            "linked": linked,
            "unlinked": responses - linked,
            "unlinked_share": metrics.share(responses - linked, responses),
            "customers": int(known.size),
            "customers_without_clv": int((~known).sum()),
            "unknown_touchpoint_responses": sum(
                int(r["unknown_touchpoint_responses"] or 0) for r in rows
            ),
        }
    return block
