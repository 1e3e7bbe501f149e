"""Reads of the alignment dashboard: one function per panel.

Every panel reads a finished run's stored `results` or a constant number of small queries over
goals, flags, touchpoints and memberships; none computes over responses (the customers' own
words are the brief's one window query). Numbers stay unrounded; templates round. Each panel
returns its chart (or None) and `rows`, the chart's data as the CSV export writes it.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Subquery, Value, When
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from alignment import charts, pages_data
from alignment.brief import theme_voices
from alignment.escalation import owed_filter
from alignment.models import Flag, Run
from alignment.readiness import readiness
from cxalign.orgs.models import Membership, Organization, OrgUnit
from cxalign.orgs.roles import Role
from cxalign.orgs.stamps import stamp_get
from feedback.models import Customer, ImportBatch, Response, Theme
from journeys.models import Audience, Journey, Stage, Touchpoint
from kpis import metrics
from strategy.models import CheckIn, Commitment, Cycle, Goal, GoverningModel, Leg, Vision
from strategy.rollup import ROLLUP_FIELDS, rollup

ALL = "all"
FILTER_PARAMS = ("cycle", "run", "segment", "unit")
TOP_FLAGS = 5
OWED_SHOWN = 8
CHART_CACHE_S = 24 * 3600  # a run's figures never change: its charts are cached by run id


def url(name: str, organization: Organization, *args, query: str = "") -> str:
    path = reverse(name, args=[organization.slug, *args])
    return f"{path}?{query}" if query else path


# ---------------------------------------------------------------- filters


@dataclass
class Filters:
    """What the dashboard shows: cycle, run (the period), segment and unit, from the URL."""

    cycle: Cycle | None
    run: Run | None
    segment: str = ""
    unit: OrgUnit | None = None
    cycles: list[Cycle] = field(default_factory=list)
    runs: list[Run] = field(default_factory=list)
    units: list[OrgUnit] = field(default_factory=list)

    @property
    def segments(self) -> list[str]:
        results = self.run.results if self.run else {}
        return [n for n in pages_data.segment_names(results or {}) if n != ALL]

    def values(self) -> dict:
        return {
            "cycle": self.cycle.id if self.cycle else "",
            "run": self.run.id if self.run else "",
            "segment": self.segment,
            "unit": self.unit.id if self.unit else "",
        }

    def canonical(self, params) -> bool:
        """Whether the URL names each filter it gives as the page shows it: only such pages
        are cached (a made-up segment or "?cycle=007" must not fill the cache)."""
        return all(params.get(k, "") in ("", str(v)) for k, v in self.values().items())

    def query(self, **changes) -> str:
        """The filters as a query string (for shareable links and CSV downloads)."""
        values = {**self.values(), **changes}
        return "&".join(f"{k}={v}" for k, v in values.items() if v not in ("", None))


def filters_asked(params) -> str:
    """The filters as the URL asks for them (other parameters do not change the page)."""
    # `in` first: a QueryDict's get() raises and catches KeyError for each missing name
    return "&".join(f"{k}={params[k] if k in params else ''}" for k in FILTER_PARAMS)  # noqa: SIM401


def filters_from(*, organization: Organization, params) -> Filters:
    """The filters of the URL; an id of another organization (or garbage) is a 404."""
    cycles = pages_data.cycle_choices(organization=organization)
    cycle_id = params.get("cycle") or None
    if cycle_id is None:
        cycle = pages_data.cycle_pick(organization=organization, cycle_id=None)
    else:
        wanted = pages_data.id_or_404(cycle_id)
        cycle = next((c for c in cycles if c.id == wanted), None)
        if cycle is None:
            raise Http404("No such planning cycle.")
    run = pages_data.run_shown(organization=organization, cycle=cycle, run_id=params.get("run"))
    if run is not None and cycle is not None and run.cycle_id != cycle.id:
        if cycle_id is not None:
            raise Http404("That run belongs to another planning cycle.")
        cycle = run.cycle  # a link naming only the run shows that run's cycle
    units = pages_data.unit_choices(organization=organization)
    unit = None
    if params.get("unit"):
        wanted = pages_data.id_or_404(params["unit"])
        unit = next((u for u in units if u.id == wanted), None)
        if unit is None:
            raise Http404("No such unit.")
    filters = Filters(cycle=cycle, run=run, unit=unit, cycles=cycles, units=units)
    segment = params.get("segment", "")
    filters.segment = segment if segment in filters.segments else ""
    filters.runs = runs_of(organization=organization, cycle=cycle)
    return filters


def runs_of(*, organization: Organization, cycle: Cycle | None, limit: int = 12) -> list[Run]:
    """The cycle's finished runs, newest first, without their figures (the period select)."""
    if cycle is None:
        return []
    return list(
        Run.objects.for_org(organization).finished().filter(cycle=cycle)
        .only("id", "finished_at", "current_first", "current_last", "cycle_id")
        .order_by("-finished_at", "-id")[:limit]
    )  # fmt: skip


# ---------------------------------------------------------------- what the page depends on

# The rendered panels are cached under a stamp of every table they read (one query): a write
# anywhere in them (a goal, a check-in, a flag acknowledged, a recompute, an import...) gives a
# new stamp, so the page never shows stale rows; the hour in the key renews what time alone
# changes (the check-ins owed, the countdown). Responses and customers reach the page only
# through imports and runs, whose stamps cover them: their million rows are never scanned.
STAMPED = (
    (Goal, "updated_at"), (CheckIn, "created_at"), (Flag, "updated_at"),
    (Commitment, "updated_at"), (Cycle, "updated_at"),
    # memberships: edits bump `version`, deactivation flips `is_active`
    (Membership, "joined_at", "SUM(version) || '/' || SUM(CASE WHEN is_active THEN 1 ELSE 0 END)"),
    (OrgUnit, "updated_at"), (Audience, "updated_at"), (Journey, "updated_at"),
    (Stage, "updated_at"), (Touchpoint, "updated_at"), (Vision, "updated_at"),
    (GoverningModel, "updated_at"), (Run, "finished_at"), (ImportBatch, "finished_at"),
    (Theme, "updated_at"),
)  # fmt: skip
PAGE_CACHE_S = 600


def data_stamp(*, organization: Organization) -> str:
    """The latest change and row count of every table the dashboard reads (one query, kept a
    few seconds in the shared cache: cxalign/orgs/stamps.py)."""
    return stamp_get(organization.id, lambda: _data_stamp(organization=organization))


def _data_stamp(*, organization: Organization) -> str:
    # Table and column names come from the models above, never from input.
    part = "(SELECT CAST(COUNT(*) AS TEXT) || '/' || COALESCE(CAST(MAX({c}) AS TEXT), '') || '/' || COALESCE(CAST({x} AS TEXT), '') FROM {t} WHERE organization_id = %s)"  # noqa: E501
    parts = [
        part.format(c=column, x=extra[0] if extra else "''", t=model._meta.db_table)
        for model, column, *extra in STAMPED
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), [organization.id] * len(parts))
        row = cursor.fetchone()
    return hashlib.sha256("|".join(map(str, row)).encode()).hexdigest()


def page_key(*, organization: Organization, params, variant: str) -> str:
    """The cache key of the rendered panels: the organization, the filters as asked, who
    looks (`variant`), the hour and the data stamp."""
    asked = filters_asked(params)
    hour = timezone.localtime().strftime("%Y%m%d%H")
    stamp = data_stamp(organization=organization)
    shown = f"{variant}|{organization.settings_key()}"  # settings the page reads beside the data
    digest = hashlib.sha256(f"{asked}|{shown}|{hour}|{stamp}".encode()).hexdigest()
    return f"alignment:dashboard:page:{organization.id}:{digest}"


def person_page_key(*, organization_id: int, user_id: int, request) -> str:
    """Where the whole page of one person at one address is cached (known before the page
    runs: cxalign/prefetch.py reads it with the session); what it was rendered from is its
    `person_page_version`."""
    asked = f"{request.path}|{filters_asked(request.GET)}|{bool(getattr(request, 'htmx', False))}"
    digest = hashlib.sha256(asked.encode()).hexdigest()
    return f"alignment:dashboard:person:{organization_id}:{user_id}:{digest}"


def person_page_version(*, panels_key: str, edition: str) -> str:
    """What a person's cached page must have been rendered from to be served: the panels (the
    filters, the hour, the settings and the data stamp: `page_key`) and the edition of the
    person's user and memberships (cxalign/orgs/people.py: any change gives a new one)."""
    return hashlib.sha256(f"{panels_key}|{edition}".encode()).hexdigest()


# ---------------------------------------------------------------- first run


def setup_steps(*, organization: Organization) -> list[dict]:
    """The setup path of a new organization, each step ticked from the data (one query)."""
    of_org = {"organization": OuterRef("pk")}
    done = (
        Organization.objects.filter(pk=organization.pk)
        .annotate(
            vision=Exists(Vision.objects.filter(**of_org).exclude(vision="")),
            models=Exists(GoverningModel.objects.filter(**of_org)),
            cycle=Exists(Cycle.objects.filter(**of_org)),
            cascade=Exists(Goal.objects.filter(**of_org)),
            audiences=Exists(Audience.objects.filter(**of_org)),
            journeys=Exists(Journey.objects.filter(**of_org)),
            feedback=Exists(Response.objects.filter(**of_org)),
            customers=Exists(Customer.objects.filter(**of_org)),
            recompute=Exists(Run.objects.filter(**of_org, status=Run.Status.SUCCEEDED)),
        )
        .values()
        .get()
    )
    org = organization
    steps = [
        ("vision", "Write the vision and set up the five governing models",
         "The shared passion every goal ties into, and who owns each model.",
         done["vision"] and done["models"], url("strategy:vision", org), "Vision and models"),
        ("cycle", "Create the planning cycle",
         "Its inputs-due date decides which quarter of feedback is measured.",
         done["cycle"], url("strategy:cycles", org), "Planning cycles"),
        ("cascade", "Build the goal cascade",
         "Corporate goals at the C-team, each level naming the goal it contributes to.",
         done["cascade"], url("strategy:cascade", org), "Goal cascade"),
        ("journeys", "Name priority audiences and map their journeys",
         "Stages and touchpoints, each owned by a unit.",
         done["audiences"] and done["journeys"], url("journeys:index", org), "Journeys"),
        ("feedback", "Import feedback and customers",
         "Survey answers with scores and comments; customers with segment, CLV and churn.",
         done["feedback"] and done["customers"], url("feedback:imports", org), "Imports"),
        ("recompute", "Run the first recompute",
         "Links NPS to churn and CLV per segment and raises the misalignment flags.",
         done["recompute"], url("alignment:runs", org), "Recompute runs"),
    ]  # fmt: skip
    return [
        {"key": k, "title": t, "text": x, "done": bool(d), "url": u, "link": label}
        for k, t, x, d, u, label in steps
    ]


# ---------------------------------------------------------------- money: NPS, churn, CLV


def _narrow(results: dict, segment: str) -> dict:
    """The run's figures for the company and one segment (all segments when none is chosen)."""
    if not segment:
        return results
    keep = {ALL, segment}
    narrowed = dict(results)
    for block in ("nps", "links"):
        narrowed[block] = {k: v for k, v in (results.get(block) or {}).items() if k in keep}
    vom = dict(results.get("value_of_moving") or {})
    vom["segments"] = {k: v for k, v in (vom.get("segments") or {}).items() if k == segment}
    own = vom["segments"].get(segment) or {}
    vom.update(value=own.get("value"), churn_avoided=own.get("churn_avoided"))
    narrowed["value_of_moving"] = vom
    return narrowed


# chart id -> its CSV name and what its drill-down link opens (the links page, same run)
MONEY_CHARTS = {
    "nps-by-segment": {"csv": "nps", "drill_label": "NPS per segment"},
    "churn-by-class": {"csv": "churn", "drill_label": "Customers by class per segment"},
    "clv-by-class": {"csv": "clv", "drill_label": "Customers by class per segment"},
    "moving": {"csv": "moving", "drill_label": "Value of moving per segment"},
}


def source_of(run: Run) -> str:
    return charts.source_line((run.results or {}).get("periods", {}), run.id, run.finished_at)


def money_panel(*, organization: Organization, run: Run | None, segment: str = "") -> dict | None:
    """NPS with adjusted-Wald bands, churn and CLV by class per segment, revenue at risk and
    the value of moving detractors: read from the run, charts cached by run and segment."""
    if run is None or not run.results:
        return None
    results = _narrow(run.results, segment)
    stamp = run.finished_at.timestamp() if run.finished_at else 0
    currency = organization.currency
    key = f"alignment:dashboard:money:{run.id}:{stamp}:{segment}:{currency}:v1"

    def build():
        source = source_of(run)
        built = charts.links_charts(results, source, currency)
        if segment and built and built[0]["id"] == "nps-by-segment":
            entry = (results.get("nps") or {}).get(segment)
            built[0] = {**built[0], "reading": charts.segment_nps_reading(segment, entry)}
        moving = charts.moving_chart(results, source, currency)
        return [*built, moving] if moving else built

    built = cache.get_or_set(key, build, CHART_CACHE_S)
    name = segment or ALL
    current = ((results.get("links") or {}).get(name) or {}).get("current") or {}
    vom = results.get("value_of_moving") or {}
    moving = (vom.get("segments") or {}).get(segment) if segment else vom
    query = f"run={run.id}" + (f"&segment={segment}" if segment else "")
    links_url = url("alignment:links", organization, query=query)
    return {
        "charts": [{**c, **MONEY_CHARTS[c["id"]], "drill_url": links_url} for c in built],
        "links_url": links_url,
        "nps": (results.get("nps") or {}).get(name) or {},
        "links": current,
        "segment": name,
        "value_of_moving": vom,
        "moving": moving or {},
        "simpson": bool(vom.get("simpson")) and not segment,
        "simpson_message": vom.get("simpson_message", ""),
    }


def money_rows(run: Run | None, chart: str, segment: str = "") -> list[dict]:
    """The data behind the NPS, churn, CLV and moving charts, one row per bar."""
    if run is None or not run.results:
        return []
    results = _narrow(run.results, segment)
    rows = []
    if chart == "nps":
        for name, entry in (results.get("nps") or {}).items():
            for period in ("previous", "current"):
                f = entry.get(period) or {}
                rows.append({"segment": name, "period": period, **{
                    k: f.get(k) for k in ("responses", "promoters", "passives", "detractors",
                                          "nps", "adjusted_nps", "adjusted_low", "adjusted_high")},
                    "change_points": entry.get("change_points"),
                    "change_z": entry.get("change_z"), "significant": entry.get("significant")})  # fmt: skip
    elif chart in ("churn", "clv"):
        for name, entry in (results.get("links") or {}).items():
            current = entry.get("current") or {}
            for cls, _label in pages_data.CLASSES:
                c = current.get(cls) or {}
                rows.append({"segment": name, "class": cls, "customers": c.get("customers"),
                             "churned": c.get("churned"), "churn_rate": c.get("churn_rate"),
                             "clv_mean": c.get("clv_mean"), "clv_median": c.get("clv_median")})  # fmt: skip
    elif chart == "moving":
        links = results.get("links") or {}
        vom = results.get("value_of_moving") or {}
        for name, m in sorted((vom.get("segments") or {}).items()):
            current = (links.get(name) or {}).get("current") or {}
            rows.append({"segment": name, "share": vom.get("share"), **m,
                         "revenue_at_risk": current.get("revenue_at_risk")})  # fmt: skip
    return rows


# ---------------------------------------------------------------- the cascade's health


CASCADE_FIELDS = (*ROLLUP_FIELDS, "key", "title", "leg", "org_unit_id", "org_unit__name",
                  "confidence", "owner__role")  # fmt: skip


def cascade_panel(
    *, organization: Organization, cycle: Cycle | None, unit=None, with_rows: bool = False
) -> dict:
    """Legs, units with a CX goal, goals contributing upward and the sunburst (two queries)."""
    if cycle is None:
        return {"total": 0, "chart": None, "rows": []}
    rows = list(Goal.objects.filter(cycle=cycle).values(*CASCADE_FIELDS).order_by("key", "id"))
    progress = rollup(rows)
    live = [r for r in rows if r["status"] != Goal.Status.DROPPED]
    shown = live if unit is None else [r for r in live if r["org_unit_id"] == unit.id]
    health = cascade_health(shown, units=OrgUnit.objects.for_org(organization).count())
    for r in rows:
        p = progress.get(r["id"])
        r["effective"] = p.effective if p else None
    base = url("strategy:cascade", organization, query=f"cycle={cycle.id}")
    for leg in health["legs"]:
        leg["url"] = f"{base}&leg={leg['leg']}" + (f"&unit={unit.id}" if unit else "")
    health["chart"] = charts.cascade_chart(
        rows=_with_ancestors(rows, shown), source=f"Cycle {cycle.name} · goals as of now",
        unit=unit.name if unit else "",
    ) if shown else None  # fmt: skip
    health["rows"] = with_rows and [
        {k: r[k] for k in ("id", "key", "title", "parent_id", "leg", "org_unit__name", "status",
                           "confidence", "effective")} for r in shown]  # fmt: skip
    health["cascade_url"] = f"{base}&unit={unit.id}" if unit else base
    return health


def cascade_health(rows: list[dict], *, units: int) -> dict:
    """Share of goals per leg, units with a CX goal, and goals contributing upward."""
    total = len(rows)
    legs = [
        {"leg": leg, "label": label, "count": sum(1 for r in rows if r["leg"] == leg),
         "share": metrics.share(sum(1 for r in rows if r["leg"] == leg), total)}
        for leg, label in Leg.choices
    ]  # fmt: skip
    cx_units = {r["org_unit_id"] for r in rows if r["leg"] == Leg.CX and r["org_unit_id"]}
    goal_units = {r["org_unit_id"] for r in rows if r["org_unit_id"]}
    corporate = [r for r in rows if r["parent_id"] is None and r["owner__role"] == Role.EXECUTIVE]
    below = total - len(corporate)
    contributing = sum(1 for r in rows if r["parent_id"] is not None)
    return {
        "total": total,
        "legs": legs,
        "units_total": units,
        "units_with_goals": len(goal_units),
        "units_with_cx": len(cx_units),
        "units_cx_share": metrics.share(len(cx_units), len(goal_units)),
        "corporate": len(corporate),
        "contributing": contributing,
        "contributing_share": metrics.share(contributing, below),
    }


def _with_ancestors(rows: list[dict], shown: list[dict]) -> list[dict]:
    """The shown goals and every goal above them (so a unit's goals keep their path)."""
    by_id = {r["id"]: r for r in rows}
    wanted: set[int] = set()
    for r in shown:
        current = r
        while current is not None and current["id"] not in wanted:
            wanted.add(current["id"])
            current = by_id.get(current["parent_id"])
    return [r for r in rows if r["id"] in wanted]


# ---------------------------------------------------------------- flags


SEVERITY_RANK = Case(
    *[When(severity=s, then=Value(i)) for s, i in Flag.SEVERITY_ORDER.items()],
    default=Value(9), output_field=IntegerField(),
)  # fmt: skip


def flags_panel(*, organization: Organization, cycle: Cycle | None, unit=None) -> dict:
    """Unresolved flags by severity and unit, and the top five with owners (two queries)."""
    if cycle is None:
        return {"total": 0, "chart": None, "rows": [], "top": []}
    flags = Flag.objects.for_org(organization).filter(cycle=cycle).unresolved()
    if unit is not None:
        flags = flags.filter(unit=unit)
    counts = list(
        flags.values("unit_id", "unit__name", "severity").annotate(n=Count("id")).order_by()
    )
    top = list(
        flags.select_related("owner__user", "unit")
        .annotate(rank=SEVERITY_RANK)
        .order_by("rank", "state", "-magnitude", "id")[:TOP_FLAGS]
    )
    base = url("alignment:flags", organization, query=f"cycle={cycle.id}")
    rows = [
        {"unit": c["unit__name"] or "No unit", "unit_id": c["unit_id"], "severity": c["severity"],
         "open": c["n"], "url": f"{base}&severity={c['severity']}"
         + (f"&unit={c['unit_id']}" if c["unit_id"] else "")}
        for c in counts
    ]  # fmt: skip
    by_severity = {
        s: sum(r["open"] for r in rows if r["severity"] == s) for s in Flag.SEVERITY_ORDER
    }
    return {
        "total": sum(by_severity.values()),
        "by_severity": by_severity,
        "rows": sorted(rows, key=lambda r: (Flag.SEVERITY_ORDER[r["severity"]], r["unit"])),
        "top": top,
        "url": base + (f"&unit={unit.id}" if unit else ""),
        "chart": charts.flags_chart(rows, source=f"Cycle {cycle.name} · flags as of now")
        if rows
        else None,
    }


# ---------------------------------------------------------------- journeys


def journey_panel(*, organization: Organization, run: Run | None) -> dict:
    """NPS per stage × audience, summed from the run's stored touchpoint figures (one query)."""
    if run is None or not run.results:
        return {"chart": None, "rows": []}
    figures = (run.results or {}).get("touchpoints") or {}
    by_id = {f["touchpoint_id"]: f for f in figures.values() if f.get("touchpoint_id")}
    cells: dict[tuple[str, str], dict] = {}
    board = url("journeys:board", organization, 0)  # one reverse(), not one per touchpoint
    touchpoints = Touchpoint.objects.for_org(organization).values(
        "id", "name", "stage__name", "stage__phase", "stage__position", "journey_id",
        "journey__audience__name", "journey__audience__rank",
    )  # fmt: skip
    for tp in touchpoints:
        fig = by_id.get(tp["id"]) or figures.get(tp["name"])
        current = (fig or {}).get("current") or {}
        if not current.get("responses"):
            continue
        key = (tp["stage__name"], tp["journey__audience__name"])
        cell = cells.setdefault(key, {
            "stage": key[0], "audience": key[1], "responses": 0, "promoters": 0, "detractors": 0,
            "touchpoints": 0, "order": (_PHASES.get(tp["stage__phase"], 9), tp["stage__position"]),
            "rank": tp["journey__audience__rank"] or 0,
            "url": board.replace("/0/", f"/{tp['journey_id']}/")})  # fmt: skip
        cell["responses"] += current["responses"]
        cell["promoters"] += current.get("promoters") or 0
        cell["detractors"] += current.get("detractors") or 0
        cell["touchpoints"] += 1
    rows = sorted(cells.values(), key=lambda c: (c["order"], c["stage"], c["rank"], c["audience"]))
    for cell in rows:
        cell["nps"] = metrics.nps(cell["promoters"], cell["detractors"], cell["responses"])
    chart = charts.journey_chart(rows, source_of(run)) if rows else None
    return {"chart": chart, "rows": rows, "url": url("journeys:index", organization)}


_PHASES = {"before": 0, "during": 1, "after": 2}


# ---------------------------------------------------------------- themes


def themes_panel(*, organization: Organization, run: Run | None) -> dict:
    """Rising themes with three verbatim comments each (the brief's one-query reader)."""
    if run is None or not run.results:
        return {"themes": [], "chart": None, "rows": []}
    themes = theme_voices(organization=organization, run=run)
    for theme in themes:
        theme["url"] = url("feedback:theme_detail", organization, theme["theme_id"])
    rows = [
        {"theme": t["name"], "previous_share": (t.get("previous") or {}).get("share"),
         "current_share": (t.get("current") or {}).get("share"),
         "current_responses": (t.get("current") or {}).get("responses"),
         "current_nps": (t.get("current") or {}).get("nps"),
         "share_ratio": t.get("share_ratio_current_to_previous"), "rising": bool(t.get("rising")),
         "url": t["url"]}
        for t in themes
    ]  # fmt: skip
    chart = charts.themes_chart(rows, source_of(run)) if rows else None
    return {"themes": themes, "chart": chart, "rows": rows}


# ---------------------------------------------------------------- check-ins and commitments


def engagement_panel(
    *, organization: Organization, cycle: Cycle | None, unit=None, now=None
) -> dict:
    """Per unit: active goals, checked in within the cadence, owed; the most overdue (2 queries)."""
    if cycle is None:
        return {"chart": None, "rows": [], "owed": [], "owed_total": 0}
    now = now or timezone.now()
    cadence = organization.checkin_cadence_days
    fresh_since = now - datetime.timedelta(days=cadence)
    owed_q = owed_filter(organization, now)
    goals = Goal.objects.for_org(organization).filter(cycle=cycle, status=Goal.Status.ACTIVE)
    if unit is not None:
        goals = goals.filter(org_unit=unit)
    per_unit = (
        goals.values("org_unit_id", "org_unit__name")
        .annotate(goals=Count("id"), fresh=Count("id", filter=Q(last_checkin_at__gte=fresh_since)),
                  owed=Count("id", filter=owed_q))
        .order_by()
    )  # fmt: skip
    rows = [
        {"unit": r["org_unit__name"] or "No unit", "unit_id": r["org_unit_id"],
         "goals": r["goals"], "checked_in": r["fresh"], "owed": r["owed"],
         "share": metrics.share(r["fresh"], r["goals"])}
        for r in per_unit
    ]  # fmt: skip
    rows.sort(key=lambda r: (r["share"] if r["share"] is not None else -1, r["unit"]))
    owed = list(
        goals.filter(owed_q).select_related("owner__user", "org_unit")
        .order_by(Case(When(last_checkin_at__isnull=True, then=Value(0)), default=Value(1)),
                  "last_checkin_at", "key", "id")[:OWED_SHOWN]
    )  # fmt: skip
    for goal in owed:
        goal.checkin_url = url("strategy:goal_detail", organization, goal.id) + "#checkin"
    source = (
        f"Cycle {cycle.name} · check-ins within {cadence} days, as of {timezone.localdate(now)}"
    )
    return {
        "rows": rows,
        "owed": owed,
        "owed_total": sum(r["owed"] for r in rows),
        "cadence": cadence,
        "chart": charts.engagement_chart(rows, source, cadence) if rows else None,
    }


def commitments_panel(*, organization: Organization, cycle: Cycle | None) -> dict:
    """Each executive: stated a contribution to the corporate CX goal this cycle or not."""
    if cycle is None:
        return {"rows": [], "stated": 0, "goals": []}
    mine = Commitment.objects.filter(cycle=cycle, executive_id=OuterRef("pk"))
    executives = (
        Membership.objects.for_org(organization).filter(is_active=True, role=Role.EXECUTIVE)
        .select_related("user")
        .annotate(statement=Subquery(mine.values("statement")[:1]),
                  goal_title=Subquery(mine.values("goal__title")[:1]))
        .order_by("user__first_name", "user__username")
    )  # fmt: skip
    rows = [
        {"executive": e.display_name, "stated": e.statement is not None,
         "statement": e.statement or "", "goal": e.goal_title or ""}
        for e in executives
    ]  # fmt: skip
    goals = list(
        Goal.objects.filter(cycle=cycle, parent__isnull=True, leg=Leg.CX)
        .only("id", "key", "title").order_by("key", "id")[:3]
    )  # fmt: skip
    return {
        "rows": rows,
        "stated": sum(1 for r in rows if r["stated"]),
        "goals": goals,
        "url": url("strategy:commitments", organization, query=f"cycle={cycle.id}"),
    }


def readiness_panel(*, cycle: Cycle | None, run: Run | None):
    return readiness(cycle=cycle, run=run) if cycle is not None else None


# ---------------------------------------------------------------- CSV


RUN_CHARTS = ("nps", "churn", "clv", "moving", "journey", "themes")
CHARTS = ("nps", "churn", "clv", "moving", "cascade", "flags", "journey", "themes",
          "engagement", "commitments")  # fmt: skip


def chart_rows(*, organization: Organization, filters: Filters, chart: str) -> list[dict]:
    """The data behind one chart of the dashboard, as CSV rows (only that panel is read)."""
    if chart in ("nps", "churn", "clv", "moving"):
        return money_rows(filters.run, chart, filters.segment)
    args = {"organization": organization, "cycle": filters.cycle}
    if chart == "cascade":
        return cascade_panel(**args, unit=filters.unit, with_rows=True)["rows"]
    if chart == "flags":
        return flags_panel(**args, unit=filters.unit)["rows"]
    if chart == "engagement":
        return engagement_panel(**args, unit=filters.unit)["rows"]
    if chart == "commitments":
        return commitments_panel(**args)["rows"]
    if chart == "journey":
        rows = journey_panel(organization=organization, run=filters.run)["rows"]
        return [{k: v for k, v in r.items() if k not in ("order", "rank")} for r in rows]
    if chart == "themes":
        return themes_panel(organization=organization, run=filters.run)["rows"]
    raise ValueError(f"Unknown chart “{chart}”: choose one of {', '.join(CHARTS)}.")


def dashboard(*, organization: Organization, filters: Filters) -> dict:
    """Every panel of the dashboard for the filters."""
    cycle, run, unit = filters.cycle, filters.run, filters.unit
    args = {"organization": organization, "cycle": cycle}
    return {
        "money": money_panel(organization=organization, run=run, segment=filters.segment),
        "cascade": cascade_panel(**args, unit=unit),
        "flags": flags_panel(**args, unit=unit),
        "journey": journey_panel(organization=organization, run=run),
        "themes": themes_panel(organization=organization, run=run),
        "engagement": engagement_panel(**args, unit=unit),
        "commitments": commitments_panel(**args),
        "readiness": readiness_panel(cycle=cycle, run=run),
    }
