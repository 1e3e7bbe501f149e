"""Demo journeys, read from `journeys/demo_data/<org slug>.json`: each organization's priority
audiences and mapped journeys, and for northwind the links to the strategy demo.

In the files a journey's stages and touchpoints have the fields `journey_build` takes, with a
touchpoint's owner as a unit name. Idempotent: audiences and journeys are found by name; a
journey that exists is left as it is (people may have edited it), and links are only added.
"""

from cxalign.orgs.demo import demo_data
from journeys import selectors
from journeys.models import Audience, Journey, Touchpoint
from journeys.services import journey_build
from strategy.models import Initiative


def _specs(stages: list[dict], demo, org) -> list[dict]:
    """The file's stages with each touchpoint's owner (a unit name) as `owner_id`."""

    def touchpoint(row: dict) -> dict:
        owner = row["owner"]
        fields = {k: v for k, v in row.items() if k != "owner"}
        return {**fields, "owner_id": demo.unit(org, owner).pk if owner else None}

    return [{**s, "touchpoints": [touchpoint(t) for t in s["touchpoints"]]} for s in stages]


def _journey(demo, org, audience: Audience, row: dict) -> bool:
    journey, created = Journey.objects.get_or_create(
        organization=org,
        audience=audience,
        name=row["name"],
        defaults={
            "description": row["description"],
            "status": row["status"],
            "template_key": "demo",
        },
    )
    if created:
        counts = journey_build(journey=journey, stages=_specs(row["stages"], demo, org))
        for key, value in counts.items():
            demo.created[key] = demo.created.get(key, 0) + value
    return created


def _audiences_and_journeys(demo, org, data: dict) -> None:
    audiences = {}
    for row in data["audiences"]:
        defaults = {k: v for k, v in row.items() if k != "name"}
        audience, created = Audience.objects.get_or_create(
            organization=org, name=row["name"], defaults=defaults
        )
        audiences[row["name"]] = audience
        demo.count("audiences", created)
    for row in data["journeys"]:
        demo.count("journeys", _journey(demo, org, audiences[row["audience"]], row))


def _link_strategy(org, hints: dict[str, list[str]]) -> int:
    """Link touchpoints to the first goal and initiative whose name has one of the words."""
    added = 0
    choices = selectors.link_choices(organization=org)
    for touchpoint in Touchpoint.objects.for_org(org).filter(name__in=hints):
        words = hints[touchpoint.name]
        for name in selectors.LINKS:
            manager = getattr(touchpoint, name)
            have = set(manager.values_list("id", flat=True))
            first = next(
                (c["id"] for c in choices[name] if any(w in c["name"].lower() for w in words)),
                None,
            )
            if first is not None and first not in have:
                manager.add(first)
                added += 1
    return added


def _link_initiatives(org, links: dict[str, list[str]]) -> int:
    """The explicit initiative -> touchpoints links."""
    added = 0
    for name, touchpoint_names in links.items():
        initiative = Initiative.objects.for_org(org).filter(name=name).first()
        if initiative is None:
            continue
        touchpoints = Touchpoint.objects.for_org(org).filter(name__in=touchpoint_names)
        for touchpoint in touchpoints.exclude(initiatives=initiative):
            touchpoint.initiatives.add(initiative)
            added += 1
    return added


def load(demo) -> dict:
    """Create the demo audiences and journeys; a second run creates nothing."""
    before = dict(demo.created)
    demo.created = {}
    files = {
        org: demo_data("journeys", f"{org.slug}.json") for org in (demo.northwind, demo.globex)
    }
    for org, data in files.items():
        _audiences_and_journeys(demo, org, data)
    links = 0
    if selectors.links_enabled():
        for org, data in files.items():
            links += _link_strategy(org, data.get("strategy_links", {}))
            links += _link_initiatives(org, data.get("initiative_touchpoints", {}))
    if links:
        demo.created["strategy_links"] = links
    result = dict(demo.created)
    demo.created = before
    return result
