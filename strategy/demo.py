"""Demo strategy data, read from `strategy/demo_data/<org slug>.json` (and the custom KPIs of
`kpis.json`): vision, governing models, cycles with their cascade, check-ins, initiatives,
decisions, capabilities and commitments.

In the files people are usernames, units are unit names, KPIs are keys and goals are keys;
dates are days before today; a cycle's name takes `{year}` (this year plus its `year`), its inputs
are due a month before it starts unless `inputs_due` (month-day) says otherwise. The
first cycle is the current one: check-ins, initiatives, decisions and commitments belong to it.
Idempotent: every row is found by its natural key first, so a second run creates nothing.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from cxalign.orgs.demo import Demo, demo_data
from kpis.models import KPI
from kpis.services import kpi_builtins_ensure
from strategy.models import (
    Capability,
    CheckIn,
    Commitment,
    Cycle,
    Decision,
    Goal,
    GoverningModel,
    Initiative,
    KeyChoice,
    KPIEffect,
    Vision,
)
from strategy.rollup import kpi_progress


class Refs:
    """One organization's rows by the names the demo files use."""

    def __init__(self, demo: Demo, org):
        self.demo, self.org = demo, org
        self.today, self.now = timezone.localdate(), timezone.now()
        self.kpis: dict[str, KPI] = {}
        self.goals: dict[str, Goal] = {}  # of the current cycle
        self.initiatives: dict[str, Initiative] = {}

    def person(self, username: str | None):
        return self.demo.member(self.org, username) if username else None

    def unit(self, name: str | None):
        return self.demo.unit(self.org, name) if name else None

    def days_ago(self, days: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days)


def _number(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _kpis(refs: Refs) -> None:
    kpi_builtins_ensure(organization=refs.org)  # normally done when the organization was created
    for row in demo_data("strategy", "kpis.json"):
        defaults = {k: v for k, v in row.items() if k != "key"}
        _, created = KPI.objects.get_or_create(
            organization=refs.org, key=row["key"], defaults=defaults
        )
        refs.demo.count("kpis", created)
    refs.kpis = {k.key: k for k in KPI.objects.filter(organization=refs.org)}


def _governing_models(refs: Refs, rows: list[dict]) -> None:
    for row in rows:
        model, created = GoverningModel.objects.get_or_create(
            organization=refs.org,
            kind=row["kind"],
            defaults={
                "owner": refs.person(row["owner"]),
                "review_cadence_months": row["review_cadence_months"],
                "last_reviewed_on": refs.days_ago(row["reviewed_days_ago"]),
                "summary": row["summary"],
            },
        )
        refs.demo.count("governing_models", created)
        for position, choice in enumerate(row["choices"], start=1):
            fields = {k: v for k, v in choice.items() if k != "text"}
            if "kpi" in fields:
                fields["kpi"] = refs.kpis.get(fields["kpi"]) if fields["kpi"] else None
            _, created = KeyChoice.objects.get_or_create(
                organization=refs.org,
                model=model,
                text=choice["text"],
                defaults={"position": position, **fields},
            )
            refs.demo.count("key_choices", created)


def _cycle(refs: Refs, row: dict) -> Cycle:
    year = refs.today.year + row["year"]
    fields = {k: row[k] for k in ("kind", "status") if k in row}
    cycle, created = Cycle.objects.get_or_create(
        organization=refs.org,
        name=row["name"].format(year=year),
        defaults={
            **fields,
            "starts_on": datetime.date.fromisoformat(f"{year}-{row['starts']}"),
            "ends_on": datetime.date.fromisoformat(f"{year}-{row['ends']}"),
            # A month before the start unless the file says when (see northwind.json).
            **(
                {"inputs_due_on": datetime.date.fromisoformat(f"{year}-{row['inputs_due']}")}
                if "inputs_due" in row
                else {}
            ),  # fmt: skip
        },
    )
    refs.demo.count("cycles", created)
    return cycle


def _goals(refs: Refs, cycle: Cycle, rows: list[dict], *, due_on=None) -> dict[str, Goal]:
    goals = {g.key: g for g in Goal.objects.filter(cycle=cycle)}
    for row in rows:
        if row["key"] in goals:
            continue
        fields = {k: row[k] for k in ("title", "leg", "measure", "measure_unit") if k in row}
        fields.update({k: _number(row[k]) for k in ("baseline", "target", "weight") if k in row})
        if row.get("parent"):
            fields["parent"] = goals[row["parent"]]
        if row.get("kpi"):
            fields["kpi"] = refs.kpis[row["kpi"]]
        if due_on is not None:
            fields["due_on"] = due_on
        goals[row["key"]] = Goal.objects.create(
            organization=refs.org,
            cycle=cycle,
            key=row["key"],
            owner=refs.person(row["owner"]),
            org_unit=refs.unit(row["org_unit"]),
            **fields,
        )
        refs.demo.count("goals", True)
    return goals


def _cycles(refs: Refs, rows: list[dict]) -> Cycle:
    """Every cycle (its goals after it); returns the current one, whose goals `refs` keeps."""
    cycles = [_cycle(refs, row) for row in rows]
    for cycle, row in zip(cycles, rows, strict=True):
        due_on = cycle.ends_on if row.get("goals_due_at_end") else None
        goals = _goals(refs, cycle, row.get("goals", []), due_on=due_on)
        if cycle is cycles[0]:
            refs.goals = goals
    return cycles[0]


def _checkin_figures(goal: Goal, number: Decimal) -> tuple[Decimal | None, Decimal | None]:
    """(value, progress) of a check-in: a KPI value, a milestone's percent done, or nothing."""
    if goal.measure == Goal.Measure.KPI:
        share = kpi_progress(baseline=goal.baseline, target=goal.target, value=number)
        return number, (Decimal(str(round(share, 4))) if share is not None else None)
    if goal.measure == Goal.Measure.MILESTONE:
        return None, number / 100
    return None, None


def _checkins(refs: Refs, rows: dict[str, list[dict]]) -> None:
    for key, entries in rows.items():
        goal = refs.goals[key]
        if CheckIn.objects.filter(goal=goal).exists():
            continue
        for entry in entries:
            value, progress = _checkin_figures(goal, _number(entry["value"]))
            checkin = CheckIn.objects.create(
                organization=refs.org,
                goal=goal,
                author=goal.owner,
                value=value,
                progress=progress,
                confidence=entry["confidence"],
                statement=entry["statement"],
            )
            at = refs.now - datetime.timedelta(days=entry["days_ago"])
            CheckIn.objects.filter(pk=checkin.pk).update(created_at=at)
            refs.demo.count("checkins", True)
        # The goal mirrors its last check-in, as checkin_log leaves it.
        mirror = {"confidence": entry["confidence"], "last_checkin_at": at}
        if goal.measure != Goal.Measure.ROLLUP:
            mirror.update(current_value=value, progress=progress)
        Goal.objects.filter(pk=goal.pk).update(**mirror)


def _initiatives(refs: Refs, cycle: Cycle, rows: list[dict]) -> None:
    for row in rows:
        initiative, created = Initiative.objects.get_or_create(
            organization=refs.org,
            name=row["name"],
            defaults={
                "cycle": cycle,
                "kind": row["kind"],
                "org_unit": refs.unit(row["org_unit"]),
                "owner": refs.person(row["owner"]),
                "status": row["status"],
                "starts_on": refs.days_ago(row["started_days_ago"]),
                "description": row["description"],
                "outcome": row["outcome"],
            },
        )
        refs.initiatives[row["name"]] = initiative
        refs.demo.count("initiatives", created)
        if not created:
            continue
        initiative.goals.set([refs.goals[k] for k in row["goals"]])
        for effect in row["effects"]:
            KPIEffect.objects.create(
                organization=refs.org,
                initiative=initiative,
                kpi=refs.kpis[effect["kpi"]],
                direction=effect["direction"],
                amount=_number(effect["amount"]),
                intended=effect["intended"],
                affected_unit=refs.unit(effect["affected_unit"]),
                note=effect["note"],
            )
            refs.demo.count("kpi_effects", True)


def _decisions(refs: Refs, cycle: Cycle, rows: list[dict]) -> None:
    for row in rows:
        by, override, ago = refs.person(row["decided_by"]), row["override"], row["decided_days_ago"]
        decision, created = Decision.objects.get_or_create(
            organization=refs.org,
            title=row["title"],
            defaults={
                "cycle": cycle,
                "decided_on": refs.days_ago(ago),
                "decided_by": by,
                "customer_view": row["customer_view"],
                "customer_view_why": row["customer_view_why"],
                "mitigation": row["mitigation"],
                "override": override,
                "override_reason": row["override_reason"],
                "override_by": by if override else None,
                "override_at": refs.now - datetime.timedelta(days=ago) if override else None,
            },
        )
        refs.demo.count("decisions", created)
        if created:
            decision.goals.set([refs.goals[k] for k in row["goals"]])
            decision.initiatives.set([refs.initiatives[n] for n in row["initiatives"]])


def _capabilities_and_commitments(refs: Refs, cycle: Cycle, data: dict) -> None:
    for row in data.get("capabilities", []):
        defaults = {k: v for k, v in row.items() if k not in {"name", "owner", "org_unit"}}
        defaults.update(owner=refs.person(row["owner"]), org_unit=refs.unit(row["org_unit"]))
        _, created = Capability.objects.get_or_create(
            organization=refs.org, name=row["name"], defaults=defaults
        )
        refs.demo.count("capabilities", created)
    for row in data.get("commitments", []):
        _, created = Commitment.objects.get_or_create(
            organization=refs.org,
            cycle=cycle,
            executive=refs.person(row["executive"]),
            defaults={"statement": row["statement"], "goal": refs.goals[row["goal"]]},
        )
        refs.demo.count("commitments", created)


def _organization(demo: Demo, org) -> None:
    data = demo_data("strategy", f"{org.slug}.json")
    refs = Refs(demo, org)
    _kpis(refs)
    _, created = Vision.objects.get_or_create(organization=org, defaults=data["vision"])
    demo.count("vision", created)
    _governing_models(refs, data.get("governing_models", []))
    current = _cycles(refs, data["cycles"])
    _checkins(refs, data.get("checkins", {}))
    _initiatives(refs, current, data.get("initiatives", []))
    _decisions(refs, current, data.get("decisions", []))
    _capabilities_and_commitments(refs, current, data)


def load(demo: Demo) -> dict:
    """Create the strategy demo data; returns counts of what it created (empty on a re-run)."""
    before = dict(demo.created)
    for org in (demo.northwind, demo.globex):
        _organization(demo, org)
    return {k: v - before.get(k, 0) for k, v in demo.created.items() if v - before.get(k, 0)}
