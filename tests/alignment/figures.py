"""Figure documents without a database: NPS blocks and changes the rules read, rule contexts
and findings, and a run's results as the brief reads them."""

from django.utils import timezone

from alignment.rules.base import Finding, RuleContext, Subject


def score(nps: float | None, responses: int = 200) -> dict:
    """An NPS block F of the figures document (only what the rules read)."""
    return {"responses": responses, "nps": nps}


def change(previous: float, current: float, *, significant: bool = True, **extra) -> dict:
    """A {"previous", "current", "change_points", "change_z", "significant"} block."""
    return {
        "previous": score(previous),
        "current": score(current),
        "change_points": current - previous,
        "change_z": -3.0 if significant else -0.5,
        "significant": significant,
        **extra,
    }


def make_ctx(org, cycle, figures: dict | None = None, *, now=None) -> RuleContext:
    now = now or timezone.now()
    today = timezone.localdate(now)
    return RuleContext(organization=org, cycle=cycle, figures=figures or {}, today=today, now=now)


def finding(key: str = "a", magnitude: float = 1.0, **kw) -> Finding:
    """A finding whose subject is a goal id `key` (its identity)."""
    fields = {"rule": "orphan_goal", "severity": "medium", "title": f"Finding {key}"}
    fields.update(kw)
    return Finding(
        subjects=[Subject("goal", key, f"Goal {key}")],
        evidence={"n": magnitude},
        magnitude=magnitude,
        **fields,
    )


def _score(nps):
    return {"responses": 120, "nps": nps, "adjusted_low": nps - 9, "adjusted_high": nps + 9}


def _links(churn_d, clv_p, clv_d):
    cls = lambda churn, clv, n: {"customers": n, "churned": 0, "churn_rate": churn,  # noqa: E731
                                 "clv_mean": clv, "clv_median": clv, "revenue_sum": clv * n}  # fmt: skip
    return {"current": {"customers": 60, "promoters": cls(0.1, clv_p, 30),
                        "passives": cls(0.2, clv_p, 10), "detractors": cls(churn_d, clv_d, 20),
                        "revenue_at_risk": 123456.0, "churn_ratio_detractors_to_promoters": 4.0}}  # fmt: skip


def results_document(nps_all, themes):
    """A run's stored results as the brief reads them: NPS, links, value of moving, themes."""
    return {
        "nps": {"all": {"current": _score(nps_all), "change_points": -12.0, "significant": True},
                "SMB": {"current": _score(5.0), "change_points": 1.0, "significant": False}},
        "links": {"all": _links(0.4, 900.0, 700.0), "SMB": _links(0.5, 800.0, 500.0)},
        "value_of_moving": {"share": 0.1, "value": 600.0, "churn_avoided": 0.8,
                            "segments": {"SMB": {"value": 600.0}}, "simpson": True,
                            "simpson_message": "Read the segments, not the pooled figure."},
        "themes": themes,
    }  # fmt: skip
