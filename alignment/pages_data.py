"""Reads of the alignment pages and exports: stored runs and flags, shaped for tables.

Nothing here computes over responses: every figure comes from a finished run's `results`
(the links document of `alignment.engine.figures`). Nothing is rounded; templates round.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Q
from django.http import Http404
from django.utils.dateparse import parse_datetime
from django.utils.text import capfirst

from alignment.models import Flag, Run
from alignment.selectors import cycle_current, flag_list, run_latest
from cxalign.orgs.models import Organization, OrgUnit
from cxalign.orgs.params import parse_id
from strategy.models import Cycle

ALL = "all"
CLASSES = (("promoters", "Promoters"), ("passives", "Passives"), ("detractors", "Detractors"))
SEVERITIES = [s.value for s in Flag.Severity]


# ---------------------------------------------------------------- cycles and runs


def cycle_choices(*, organization: Organization) -> list[Cycle]:
    return list(Cycle.objects.for_org(organization).order_by("-starts_on", "-id"))


def cycle_pick(*, organization: Organization, cycle_id: str | int | None) -> Cycle | None:
    """The cycle named in the URL (404 when it is not this organization's), else the current."""
    if cycle_id in (None, ""):
        return cycle_current(organization=organization)
    cycle = Cycle.objects.for_org(organization).filter(id=id_or_404(cycle_id)).first()
    if cycle is None:
        raise Http404("No such planning cycle.")
    return cycle


def id_or_404(value) -> int:
    """An id from the URL (the one id parser), else 404 (never a 500)."""
    number = parse_id(str(value))
    if number is None:
        raise Http404("No such object.")
    return number


def _runs(organization: Organization):
    return Run.objects.for_org(organization).select_related("cycle", "requested_by__user")


def run_get(*, organization: Organization, run_id) -> Run:
    """One run of the organization, or 404."""
    run = _runs(organization).filter(id=id_or_404(run_id)).first()
    if run is None:
        raise Http404("No such recompute run.")
    return run


STEPS = {"customers": "Customers' latest answers", "responses": "Response and theme counts",
         "onboarding": "Onboarding outcomes", "inputs": "Inputs counted", "themes": "Theme counts",
         "figures": "Figures", "flags": "Flags raised"}  # fmt: skip


def run_provenance(run: Run) -> dict:
    """What the run page lists beside its figures, in words: the settings it read (labelled as
    on the settings page), each step's seconds, the latest imports with their finish time."""
    settings = []
    for key, value in run.settings.items():
        try:
            label = Organization._meta.get_field(key).verbose_name
        except FieldDoesNotExist:  # a setting an older run read
            label = key.replace("_", " ")
        settings.append((capfirst(label), value))
    timings = []
    for key, seconds in run.timings.items():
        step, _, period = key.rpartition("_")
        if period not in ("current", "previous"):
            step, period = key, ""
        label = STEPS.get(step, capfirst(step.replace("_", " ")))
        timings.append((f"{label}, {period} period" if period else label, seconds))
    imports = [{**batch, "finished_at": parse_datetime(batch["finished_at"] or "")}
               for batch in run.inputs.get("latest_imports", [])]  # fmt: skip
    return {"settings": settings, "timings": timings, "imports": imports}


def run_shown(*, organization: Organization, cycle: Cycle | None, run_id=None) -> Run | None:
    """The run a links page shows: the one asked for (finished) or the cycle's latest."""
    if run_id in (None, ""):
        return run_latest(organization=organization, cycle=cycle)
    run = run_get(organization=organization, run_id=run_id)
    if run.status != Run.Status.SUCCEEDED or not run.results:
        raise Http404("That run has no figures: it did not finish.")
    return run


def run_list(*, organization: Organization, cycle: Cycle | None) -> list[Run]:
    """The cycle's runs, newest first (the `results` document is left in the database)."""
    if cycle is None:
        return []
    return list(_runs(organization).filter(cycle=cycle).defer("results"))


def run_compare_pair(*, organization: Organization, cycle, a_id, b_id) -> tuple[Run, Run] | None:
    """The two finished runs to compare: given ids, else the cycle's two latest."""
    if a_id not in (None, "") and b_id not in (None, ""):
        return tuple(
            run_shown(organization=organization, cycle=cycle, run_id=i) for i in (a_id, b_id)
        )
    if cycle is None:
        return None
    latest = list(
        _runs(organization).finished().filter(cycle=cycle).order_by("-finished_at", "-id")[:2]
    )
    return (latest[1], latest[0]) if len(latest) == 2 else None


# ---------------------------------------------------------------- the links document


def segment_names(results: dict) -> list[str]:
    """ "all" first, then the segments in the order the engine stored them."""
    names = set(results.get("nps", {})) | set(results.get("links", {}))
    return [ALL] * (ALL in names) + sorted(n for n in names if n != ALL)


@dataclass
class SegmentRow:
    name: str
    nps: dict | None
    links: dict | None

    @property
    def label(self) -> str:
        return "All customers" if self.name == ALL else self.name

    def classes(self) -> list[dict]:
        """Per class: label, current and previous figures (C)."""
        cur = (self.links or {}).get("current") or {}
        prev = (self.links or {}).get("previous") or {}
        return [
            {"key": key, "label": label, "current": cur.get(key), "previous": prev.get(key)}
            for key, label in CLASSES
        ]


def links_page(results: dict, *, segment: str = "") -> dict:
    """Everything the links page shows, read from one run's stored figures."""
    names = segment_names(results)
    shown = [n for n in names if not segment or n in (segment, ALL)]
    rows = [
        SegmentRow(n, results.get("nps", {}).get(n), results.get("links", {}).get(n)) for n in shown
    ]
    vom = results.get("value_of_moving") or {}
    return {
        "segments": [n for n in names if n != ALL],
        "rows": rows,
        "periods": results.get("periods", {}),
        "value_of_moving": vom,
        "moving_rows": sorted((vom.get("segments") or {}).items()),
        "touchpoints": sorted((results.get("touchpoints") or {}).items()),
        "themes": sorted(
            (results.get("themes") or {}).items(), key=lambda kv: (not kv[1].get("rising"), kv[0])
        ),
        "data_quality": results.get("data_quality") or {},
    }


def compare_rows(a: Run, b: Run) -> list[dict]:
    """Per segment of either run: the headline figures of both runs and b − a."""
    names = segment_names(b.results)
    names += [n for n in segment_names(a.results) if n not in names]
    figures = (
        ("NPS (points)", lambda r, n: _get(r, "nps", n, "current", "nps")),
        ("Responses", lambda r, n: _get(r, "nps", n, "current", "responses")),
        ("Churn rate", lambda r, n: _get(r, "links", n, "current", "churn_rate")),
        ("Mean CLV", lambda r, n: _get(r, "links", n, "current", "clv_mean")),
        ("Revenue at risk", lambda r, n: _get(r, "links", n, "current", "revenue_at_risk")),
        ("Detractor / promoter churn", lambda r, n: _get(r, "links", n, "current",
                                                          "churn_ratio_detractors_to_promoters")),
    )  # fmt: skip
    rows = []
    for name in names:
        for label, read in figures:
            va, vb = read(a.results, name), read(b.results, name)
            diff = vb - va if va is not None and vb is not None else None
            rows.append({"segment": name, "figure": label, "a": va, "b": vb, "diff": diff,
                         "is_rate": label == "Churn rate"})  # fmt: skip
    return rows


def _get(doc: dict, *path):
    for key in path:
        if not isinstance(doc, dict):
            return None
        doc = doc.get(key)
    return doc


# ---------------------------------------------------------------- flags


@dataclass
class FlagFilters:
    rule: str = ""
    state: str = ""  # "" = open and acknowledged; "all" = every state
    severity: str = ""
    unit: int | None = None
    cycle: Cycle | None = None


def flag_query(*, organization: Organization, filters: FlagFilters):
    """The filtered flags, most severe first, then by unit (one query)."""
    flags = flag_list(organization=organization)
    if filters.cycle is not None:
        flags = flags.filter(cycle=filters.cycle)
    if filters.rule:
        flags = flags.filter(rule=filters.rule)
    if filters.state == "":
        flags = flags.unresolved()
    elif filters.state != "all":
        flags = flags.filter(state=filters.state)
    if filters.severity:
        flags = flags.filter(severity=filters.severity)
    if filters.unit:
        flags = flags.filter(unit_id=filters.unit)
    return flags


def flag_groups(flags) -> list[dict]:
    """[{"severity", "units": [{"unit", "flags"}]}] ordered high → low, then by unit name."""
    ordered = sorted(
        flags,
        key=lambda f: (
            Flag.SEVERITY_ORDER.get(f.severity, 9),
            f.unit is None,
            f.unit.name if f.unit else "",
            f.state != Flag.State.OPEN,
            f.rule,
            f.id,
        ),
    )
    groups: list[dict] = []
    for flag in ordered:
        if not groups or groups[-1]["severity"] != flag.severity:
            groups.append({"severity": flag.severity, "label": flag.get_severity_display(),
                           "units": []})  # fmt: skip
        units = groups[-1]["units"]
        if not units or units[-1]["unit"] != flag.unit:
            units.append({"unit": flag.unit, "flags": []})
        units[-1]["flags"].append(flag)
    return groups


def flag_counts(*, organization: Organization, cycle: Cycle | None) -> dict:
    """Open / acknowledged counts per severity of the cycle (one query)."""
    flags = Flag.objects.for_org(organization)
    if cycle is not None:
        flags = flags.filter(cycle=cycle)
    aggregates = {}
    for severity in SEVERITIES:
        aggregates[f"{severity}_open"] = Count("id", filter=Q(severity=severity, state="open"))
        aggregates[f"{severity}_ack"] = Count(
            "id", filter=Q(severity=severity, state="acknowledged")
        )
    totals = flags.aggregate(**aggregates)
    return {
        s: {"open": totals[f"{s}_open"], "acknowledged": totals[f"{s}_ack"]} for s in SEVERITIES
    }


def unit_choices(*, organization: Organization) -> list[OrgUnit]:
    return list(OrgUnit.objects.for_org(organization).only("id", "name").order_by("name"))


def flag_history(flag: Flag, *, limit: int = 50) -> list[dict]:
    """The flag's states over time, newest first: who, when, why (one query)."""
    records = flag.history.select_related("history_user").order_by("-history_date", "-history_id")
    return [
        {
            "at": r.history_date,
            "state": r.state,
            "user": r.history_user.username if r.history_user else None,
            "reason": r.history_change_reason or "",
            "acknowledged_reason": r.acknowledged_reason,
            "magnitude": r.magnitude,
        }
        for r in records[:limit]
    ]


def run_latest_brief(*, organization: Organization, cycle: Cycle | None) -> Run | None:
    """The cycle's latest finished run without its figures: for provenance lines."""
    if cycle is None:
        return None
    return (
        _runs(organization).finished().filter(cycle=cycle).defer("results")
        .order_by("-finished_at", "-id").first()
    )  # fmt: skip


def evidence_items(evidence: dict) -> list[dict]:
    """A flag's evidence as (label, value, is_number) for display; the template rounds."""
    items = []
    for key, value in (evidence or {}).items():
        if key == "reopened":
            continue
        number = isinstance(value, int | float) and not isinstance(value, bool)
        items.append({"key": key, "label": key.replace("_", " "), "value": value,
                      "is_number": number})  # fmt: skip
    return items
