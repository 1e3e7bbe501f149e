"""Inputs of the alignment rules without a database: NPS blocks of the figures document,
rule contexts and findings."""

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
