"""The cascade as a spreadsheet: export to CSV/XLSX, import with a per-row preview.

An import is all or nothing: every row is checked first, and if any row is wrong nothing is
written and each bad row is named with its reason. Rows are matched to existing goals of the
cycle by `key`, so importing the same file twice updates instead of duplicating.
"""

import datetime
import io
from contextlib import closing
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cxalign.orgs.history import history_snapshot
from cxalign.orgs.models import Membership, OrgUnit
from cxalign.orgs.roles import Role, role_at_least
from cxalign.tabular.read import (
    FileProblem,
    csv_records,
    decode,
    encoding_note,
    sniff_delimiter,
    xlsx_records,
)
from cxalign.tabular.write import restore, table_response
from kpis.models import KPI, direction_parse
from strategy.models import Cycle, Goal, Leg
from strategy.rollup import ROLLUP_FIELDS, clear_stale_progress, rollup

COLUMNS = [
    "key",
    "title",
    "parent key",
    "owner username",
    "org unit",
    "leg",
    "KPI",
    "baseline",
    "target",
    "unit",
    "weight",
    "due date",
]
# Written by the export; the import reads `measure` (kpi, milestone, rollup, none) and ignores
# the rest. It also reads an optional `direction` (higher/lower, up/down) checked against the KPI.
EXTRA_COLUMNS = ["measure", "status", "confidence", "own progress", "rolled-up progress"]
REQUIRED = {"key", "title"}
# Other names people give a column, normalised: the import reads them as the canonical one.
ALIASES = {"owner": "owner username", "kpi direction": "direction"}
MAX_ROWS = 20000
PROGRESS_ROWS = 250  # goals_import reports its progress every this many rows


def _norm(name) -> str:
    return " ".join(str(name or "").strip().lower().replace("_", " ").split())


# ---------------------------------------------------------------- export


def export_rows(*, cycle: Cycle) -> list[list]:
    """One row per goal in the export's columns, parents before children (two queries)."""
    goals = list(
        Goal.objects.filter(cycle=cycle)
        .select_related("parent", "owner__user", "org_unit", "kpi")
        .order_by("key", "id")
    )
    progress = rollup(Goal.objects.filter(cycle=cycle).values(*ROLLUP_FIELDS))
    by_parent: dict[int | None, list[Goal]] = {}
    ids = {g.id for g in goals}
    for goal in goals:
        by_parent.setdefault(goal.parent_id if goal.parent_id in ids else None, []).append(goal)
    ordered: list[Goal] = []
    stack = list(reversed(by_parent.get(None, [])))
    while stack:
        goal = stack.pop()
        ordered.append(goal)
        stack.extend(reversed(by_parent.get(goal.id, [])))

    def num(value):
        return "" if value is None else format(value.normalize(), "f")

    def pct(value):
        return "" if value is None else round(value * 100, 1)

    rows = []
    for g in ordered:
        p = progress.get(g.id)
        rows.append(
            [
                g.key,
                g.title,
                g.parent.key if g.parent else "",
                g.owner.user.username if g.owner else "",
                g.org_unit.name if g.org_unit else "",
                g.leg,
                g.kpi.key if g.kpi else "",
                num(g.baseline),
                num(g.target),
                g.measure_unit,
                num(g.weight),
                g.due_on.isoformat() if g.due_on else "",
                g.measure,
                g.status,
                g.confidence,
                pct(p.own) if p else "",
                pct(p.rollup) if p else "",
            ]
        )
    return rows


EXPORT_WIDTHS = [14, 48, 14, 16, 20, 10, 16, 10, 10, 8, 8, 12]


def export_response(*, cycle: Cycle, fmt: str, name: str):
    """The cascade download as `name`.csv or `name`.xlsx (`fmt`), in the columns the import
    reads; the shared writer neutralises formulas (a goal title may start with = or @)."""
    return table_response(
        fmt,
        COLUMNS + EXTRA_COLUMNS,
        export_rows(cycle=cycle),
        name=name,
        sheet="Cascade",
        widths=EXPORT_WIDTHS,
    )


# ---------------------------------------------------------------- reading


def read_rows(content: bytes, *, filename: str, notes: list[dict] | None = None) -> list[dict]:
    """Rows of a CSV or XLSX file as dicts keyed by normalised column names, with `_row`.

    `notes`, when given, receives warnings about the file for `goals_import`: the encoding a
    CSV that is not UTF-8 was read in, NUL characters removed from a row.
    """
    name = (filename or "").lower()
    notes = [] if notes is None else notes
    if name.endswith((".xlsx", ".xlsm")):
        records = xlsx_records(io.BytesIO(content))
    elif name.endswith((".csv", ".txt")) or not name:
        records = _csv_records(content, notes)
    else:
        raise ValidationError({"file": "Upload a .csv or .xlsx file."})
    try:
        with closing(records):
            return _rows(records, notes)
    except FileProblem as exc:
        raise ValidationError({"file": str(exc)}) from exc


def _rows(records, notes: list[dict]) -> list[dict]:
    first = next(records, None)
    if first is None:
        raise ValidationError({"file": "The file is empty."})
    header = [ALIASES.get(_norm(h), _norm(h)) for h in first.cells]
    twice = sorted({h for h in header if h and header.count(h) > 1})
    if twice:
        raise ValidationError(
            {"file": f"These columns appear twice (“owner” means “owner username”): "
                     f"{', '.join(twice)}. Keep one of each."}
        )  # fmt: skip
    missing = [c for c in COLUMNS if _norm(c) not in header and _norm(c) in REQUIRED]
    if missing:
        raise ValidationError(
            {
                "file": f"The first row must name the columns; missing: {', '.join(missing)}. "
                f"Expected: {', '.join(COLUMNS)}."
            }  # fmt: skip
        )
    rows = []
    for record in records:
        if not any(str(v or "").strip() for v in record.cells):
            continue
        if len(rows) == MAX_ROWS:  # stop reading: the rest of a huge file is never parsed
            raise ValidationError({"file": f"At most {MAX_ROWS} rows per import; split the file."})
        row = {"_row": record.number}
        for col, value in zip(header, record.cells, strict=False):
            if col:
                row[col] = _cell(value)
        rows.append(row)
        if record.nul:
            _warn(notes, record.number, "", f"{record.nul} NUL character(s) (\\0) removed; "
                  "they cannot be stored.")  # fmt: skip
    return rows


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return restore(str(value).strip())  # a title our export neutralised reads back as typed


def _csv_records(content: bytes, notes: list[dict]):
    text, encoding = decode(content)
    if encoding_note(encoding):
        notes.append({"row": None, "column": "", "message": encoding_note(encoding)})
    return csv_records(text, delimiter=sniff_delimiter(text[:4096], delimiters=",;\t"))


# ---------------------------------------------------------------- import


def _decimal(raw: str, label: str, errors: list[str]) -> Decimal | None:
    if raw in ("", None):
        return None
    try:
        return Decimal(str(raw).replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        errors.append(f"{label} “{raw}” is not a number.")
        return None


def _date(raw: str, errors: list[str]) -> datetime.date | None:
    if not raw:
        return None
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(raw[:10], fmt).date()
        except ValueError:
            continue
    errors.append(f"due date “{raw}” is not a date (use YYYY-MM-DD).")
    return None


LEG_NAMES = {**{v: v for v in Leg.values}, **{_norm(label): v for v, label in Leg.choices},
             "cx": Leg.CX, "customer": Leg.CX, "finance": Leg.FINANCIAL}  # fmt: skip
MEASURE_NAMES = {**{v: v for v in Goal.Measure.values},
                 **{_norm(label): v for v, label in Goal.Measure.choices}}  # fmt: skip


def _lookups(cycle: Cycle) -> dict:
    """Everything a row may name, resolved within the cycle's organization (five queries)."""
    org = cycle.organization
    kpis = {}
    for kpi in KPI.objects.filter(organization=org):
        kpis[kpi.key.lower()] = kpi
        kpis[kpi.name.lower()] = kpi
    return {
        "org": org,
        "members": {
            m.user.username.lower(): m
            for m in Membership.objects.for_org(org).filter(is_active=True).select_related("user")
        },
        "units": {u.name.lower(): u for u in OrgUnit.objects.for_org(org)},
        "kpis": kpis,
        "existing": {g.key: g for g in Goal.objects.filter(cycle=cycle).exclude(key="")},
        "other_cycles": set(
            Goal.objects.filter(organization=org)
            .exclude(cycle=cycle)
            .exclude(key="")
            .values_list("key", flat=True)
        ),  # fmt: skip
    }


def _warn(warnings: list, row, column: str, message: str) -> None:
    warnings.append({"row": row, "column": column, "message": f"row {row}: {message}"})


def _check_key(row: dict, seen_keys: dict, problems: list) -> tuple[str, str, str]:
    number = row.get("_row")
    key = (row.get("key") or "").strip()
    title = (row.get("title") or "").strip()
    if not key:
        problems.append("key is empty; every goal needs a short unique key.")
    elif len(key) > 40:
        problems.append("key is longer than 40 characters.")
    elif key in seen_keys:
        problems.append(f"key “{key}” is used twice (also on row {seen_keys[key]}).")
    else:
        seen_keys[key] = number
    if not title:
        problems.append("title is empty.")
    elif len(title) > 200:
        problems.append("title is longer than 200 characters.")
    parent_key = (row.get("parent key") or "").strip()
    if parent_key and parent_key == key:
        problems.append("a goal cannot be its own parent.")
    return key, title, parent_key


def _check_owner(row: dict, ctx: dict, parent_key: str, problems: list, warnings: list):
    """The owner must be an active manager (or more); a top-level goal owned outside the
    C-team (the executives) is accepted with a warning: the engine flags it as an orphan."""
    owner_name = (row.get("owner username") or "").strip()
    owner = ctx["members"].get(owner_name.lower()) if owner_name else None
    if not owner_name:
        problems.append("owner username is empty.")
    elif owner is None:
        problems.append(f"owner “{owner_name}” is not an active member of {ctx['org'].name}.")
    elif not role_at_least(owner.role, Role.MANAGER):
        problems.append(f"{owner_name} is {owner.get_role_display()}; goal owners are managers.")
    elif not parent_key and owner.role != Role.EXECUTIVE:
        _warn(warnings, row.get("_row"), "owner username",
              f"top-level goal owned by {owner.user.username}, who is not on the C-team: "
              "it will be flagged as an orphan goal")  # fmt: skip
    return owner


def _check_measure(row: dict, ctx: dict, problems: list, warnings: list) -> dict:
    """KPI, baseline, target, unit, measure and direction of one row."""
    kpi_name = (row.get("kpi") or "").strip()
    kpi = ctx["kpis"].get(kpi_name.lower()) if kpi_name else None
    if kpi_name and kpi is None:
        problems.append(f"KPI “{kpi_name}” is not in the KPI catalogue.")
    baseline = _decimal(row.get("baseline"), "baseline", problems)
    target = _decimal(row.get("target"), "target", problems)
    measure_unit = (row.get("unit") or "").strip()
    measure_raw = (row.get("measure") or "").strip()
    measure = MEASURE_NAMES.get(_norm(measure_raw)) if measure_raw else None
    if measure_raw and measure is None:
        problems.append(f"measure “{measure_raw}” must be kpi, milestone, rollup or none.")
    elif measure == Goal.Measure.KPI and not kpi_name:
        problems.append("measure kpi needs a KPI; name it in the KPI column.")
    elif measure not in (None, Goal.Measure.KPI) and (kpi_name or target is not None
                                                       or baseline is not None):  # fmt: skip
        problems.append(f"a goal measured by “{measure_raw}” has no KPI, baseline or target; "
                        "clear them or use measure kpi.")  # fmt: skip
    elif kpi_name:
        if baseline is None or target is None:
            problems.append("a KPI target needs both a baseline and a target.")
        elif baseline == target:
            problems.append("the target must differ from the baseline.")
        if not measure_unit:
            unit_hint = f" ({kpi.name} is measured in {kpi.unit})" if kpi else ""
            problems.append(f"a KPI target needs a unit{unit_hint}.")
    elif target is not None or baseline is not None:
        problems.append("baseline and target need a KPI; name it in the KPI column.")
    _check_direction(row, kpi, problems, warnings)
    return {"measure": Goal.Measure.KPI if kpi else measure, "kpi": kpi, "baseline": baseline,
            "target": target, "measure_unit": measure_unit}  # fmt: skip


def _check_direction(row: dict, kpi, problems: list, warnings: list) -> None:
    raw = (row.get("direction") or "").strip()
    if not raw:
        return
    direction = direction_parse(raw)
    if direction is None:
        problems.append(f"direction “{raw}” must be higher or lower (or up or down).")
    elif kpi is not None and direction != kpi.direction:
        _warn(warnings, row.get("_row"), "direction",
              f"direction “{raw}” differs from the catalogue's {kpi.name} "
              f"({kpi.get_direction_display().lower()}); the catalogue's direction applies")  # fmt: skip


def _check_row(row: dict, ctx: dict, seen_keys: dict, warnings: list):
    """One row checked against the lookups: (parsed item or None, problems)."""
    problems: list[str] = []
    row_warnings: list[dict] = []
    key, title, parent_key = _check_key(row, seen_keys, problems)
    owner = _check_owner(row, ctx, parent_key, problems, row_warnings)
    unit_name = (row.get("org unit") or "").strip()
    unit = ctx["units"].get(unit_name.lower()) if unit_name else None
    if unit_name and unit is None:
        problems.append(f"org unit “{unit_name}” does not exist.")
    leg_raw = _norm(row.get("leg"))
    leg = LEG_NAMES.get(leg_raw) if leg_raw else Leg.CX
    if leg is None:
        problems.append(f"leg “{row.get('leg')}” must be financial, people or cx.")
    measured = _check_measure(row, ctx, problems, row_warnings)
    weight = _decimal(row.get("weight"), "weight", problems)
    if weight is None and not (row.get("weight") or "").strip():
        weight = Decimal(1)
    elif weight is not None and weight <= 0:
        problems.append(f"weight {row.get('weight')} must be positive.")
    due_on = _date(row.get("due date") or "", problems)
    fields = {"title": title, "owner": owner, "org_unit": unit, "leg": leg, **measured,
              "weight": weight, "due_on": due_on}  # fmt: skip
    if not problems:
        # The row's own field rules (lengths, digits), without touching the database.
        probe = Goal(key=key, **{k: v for k, v in fields.items() if k not in RELATIONS})
        try:
            probe.clean_fields(exclude=[*RELATIONS, "measure"])
        except ValidationError as exc:
            problems.extend(
                f"{name.replace('_', ' ')}: {' '.join(msgs)}"
                for name, msgs in exc.message_dict.items()
            )
    if problems:
        return None, problems
    warnings.extend(row_warnings)
    return {"_row": row.get("_row"), "key": key, "parent_key": parent_key, "fields": fields}, []


def _check_parents(*, cycle: Cycle, parsed: list, ctx: dict, seen_keys: dict) -> list[dict]:
    """Parents are in the file or already in this cycle; no loops across both."""
    existing = ctx["existing"]
    key_of = {g.id: k for k, g in existing.items()}
    parent_of = {k: key_of.get(g.parent_id, "") for k, g in existing.items()}
    parent_of.update({i["key"]: i["parent_key"] for i in parsed})
    errors = []
    for item in parsed:
        pk = item["parent_key"]
        if not pk:
            continue
        if pk not in seen_keys and pk not in existing:
            where = " (it is in another cycle)" if pk in ctx["other_cycles"] else ""
            message = f"parent key “{pk}” is not a goal of {cycle.name}{where}."
            errors.append({"row": item["_row"], "message": message})
            continue
        chain, current = {item["key"]}, pk
        while current:
            if current in chain:
                message = f"parent key “{pk}” makes a loop: a goal cannot be its own ancestor."
                errors.append({"row": item["_row"], "message": message})
                break
            chain.add(current)
            current = parent_of.get(current, "")
    return errors


def _settle_measures(parsed: list, existing: dict) -> None:
    """A row without KPI or explicit measure: a parent in the file rolls up, an existing goal
    keeps its measure, anything else is "not measurable yet" (never a silent milestone)."""
    children_in_file = {i["parent_key"] for i in parsed if i["parent_key"]}
    for item in parsed:
        fields = item["fields"]
        if fields["measure"] is not None:
            continue
        goal = existing.get(item["key"])
        keep = goal.measure if goal and goal.measure != Goal.Measure.KPI else None
        if item["key"] in children_in_file:
            fields["measure"] = keep or Goal.Measure.ROLLUP
        else:
            fields["measure"] = keep or Goal.Measure.NONE


def goals_import(
    *,
    cycle: Cycle,
    rows: list[dict],
    dry_run: bool = False,
    with_rows: bool = False,
    notes: list[dict] | None = None,
    on_progress=None,
) -> dict:
    """Check every row, then (unless `dry_run` or any row is wrong) create or update them all.

    Returns {"created", "updated", "rejected", "errors": [{"row", "message"}],
    "warnings": [{"row", "column", "message"}], "dry_run", "cycle"}; warnings never block.
    `with_rows` adds "rows": what each good row will do (for the page's preview). `notes` are
    the file's own warnings, from `read_rows`. `on_progress(checked, total)`, when given, is
    called as the rows are checked (a background import shows it).
    """
    ctx = _lookups(cycle)
    existing = ctx["existing"]
    errors: list[dict] = []
    warnings: list[dict] = list(notes or [])
    parsed: list[dict] = []
    seen_keys: dict[str, int] = {}
    for number, row in enumerate(rows, 1):
        if on_progress and number % PROGRESS_ROWS == 0:
            on_progress(number, len(rows))
        item, problems = _check_row(row, ctx, seen_keys, warnings)
        if problems:
            errors.append({"row": row.get("_row"), "message": " ".join(problems)})
        else:
            parsed.append(item)
    if on_progress and rows:
        on_progress(len(rows), len(rows))
    errors += _check_parents(cycle=cycle, parsed=parsed, ctx=ctx, seen_keys=seen_keys)
    _settle_measures(parsed, existing)
    created = sum(1 for i in parsed if i["key"] not in existing)
    errors.sort(key=lambda e: e["row"] or 0)
    summary = {
        "created": 0 if errors else created,
        "updated": 0 if errors else len(parsed) - created,
        "rejected": len({e["row"] for e in errors}),
        "errors": errors,
        "warnings": warnings,
        "dry_run": dry_run,
        "cycle": cycle.name,
    }
    if with_rows:
        summary["rows"] = [
            {"row": i["_row"], "key": i["key"], "title": i["fields"]["title"],
             "parent_key": i["parent_key"], "owner": i["fields"]["owner"].user.username,
             "measure": i["fields"]["measure"],
             "measure_label": Goal.Measure(i["fields"]["measure"]).label,
             "action": "update" if i["key"] in existing else "create"}
            for i in parsed
        ]  # fmt: skip
    if not errors and not dry_run:
        _apply(cycle=cycle, parsed=parsed, existing=existing)
    return summary


WRITE_FIELDS = ["title", "owner", "org_unit", "leg", "measure", "kpi", "baseline", "target",
                "measure_unit", "weight", "due_on", "parent", "version", "updated_at",
                "current_value", "progress"]  # fmt: skip
RELATIONS = ["organization", "cycle", "parent", "owner", "org_unit", "kpi", "carried_from"]


@transaction.atomic
def _apply(*, cycle: Cycle, parsed: list[dict], existing: dict) -> None:
    """Write the checked rows level by level (parents first), one bulk insert and one bulk
    update per level, with history. Relations were resolved within the organization while
    checking, so only the row's own rules run here; any failure rolls back everything."""
    by_key = {i["key"]: i for i in parsed}
    depth: dict[str, int] = {}
    for item in parsed:
        chain, key = [], item["key"]
        while key in by_key and key not in depth and key not in chain:
            chain.append(key)
            key = by_key[key]["parent_key"]
        base = depth[key] + 1 if key in depth else 0
        for offset, k in enumerate(reversed(chain)):
            depth[k] = base + offset
    levels: dict[int, list[dict]] = {}
    for item in parsed:
        levels.setdefault(depth[item["key"]], []).append(item)
    goals = dict(existing)
    for level in sorted(levels):
        new, changed = [], []
        for item in levels[level]:
            fields = dict(item["fields"])
            goal = goals.get(item["key"])
            if goal is None:
                goal = Goal(organization=cycle.organization, cycle=cycle, key=item["key"])
                new.append(goal)
            else:
                goal.version += 1
                goal.updated_at = timezone.now()
                changed.append(goal)
            for name, value in fields.items():
                setattr(goal, name, value)
            clear_stale_progress(goal)
            goal.parent = goals.get(item["parent_key"]) if item["parent_key"] else None
            try:
                goal.clean_fields(exclude=RELATIONS)
                goal.clean()
            except ValidationError as exc:
                raise ValidationError(f"Row {item['_row']}: {' '.join(exc.messages)}") from exc
        for goal in Goal.objects.bulk_create(new, batch_size=500):
            goals[goal.key] = goal
        if changed:
            Goal.objects.bulk_update(changed, WRITE_FIELDS, batch_size=500)
        for kind, written in (("+", new), ("~", changed)):  # history rows copied by the database
            history_snapshot(Goal, [g.id for g in written], history_type=kind, reason=None,
                             when=timezone.now())  # fmt: skip
