"""The journey CSV: the same columns in the export and the import."""

from __future__ import annotations

from contextlib import closing

from cxalign.orgs.models import OrgUnit
from cxalign.tabular.read import FileProblem, csv_records, decode, encoding_note
from cxalign.tabular.write import csv_response, restore
from journeys.models import (
    DATA_FIELD_MAX,
    DATA_FIELDS_MAX,
    NAME_MAX,
    TEXT_MAX,
    Stage,
    Touchpoint,
    channel_from_name,
    normalize_data_field,
)
from journeys.selectors import CSV_COLUMNS

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
YES = {"yes", "y", "true", "1", "x"}
NO = {"no", "n", "false", "0", ""}


def export_response(rows: list[dict], *, filename: str):
    """The journey CSV download (formulas neutralised by the shared writer)."""
    table = ([row.get(c) for c in CSV_COLUMNS] for row in rows)
    return csv_response(CSV_COLUMNS, table, filename=filename)


def parse_journey_csv(content: bytes | str, *, organization) -> dict:
    """Stages and touchpoints from the CSV, or the bad rows with what is wrong in each.

    Also "warnings" (the encoding a file that is not UTF-8 was read in, NUL characters
    removed) and "text": the file as read, for the page's confirm step.
    """
    errors: list[dict] = []
    result = {"errors": errors, "warnings": [], "stages": [], "rows": 0, "touchpoints": 0,
              "preview": [], "text": ""}  # fmt: skip
    if len(content) > MAX_BYTES:
        errors.append({"row": None, "messages": ["The file is larger than 2 MB."]})
        return result
    text, encoding = (content, "utf-8") if isinstance(content, str) else decode(content)
    # NUL characters cannot be stored in PostgreSQL text: they are dropped, with a warning.
    result["text"] = text.replace("\x00", "")
    if encoding_note(encoding):
        result["warnings"].append(encoding_note(encoding))
    records = csv_records(text)
    try:
        with closing(records):
            _parse(records, result, organization)
    except FileProblem as exc:
        errors.append({"row": exc.row, "messages": [str(exc)]})
    if not result["stages"] and not errors:
        errors.append({"row": None, "messages": ["The file has no stages."]})
    return result


def _parse(records, result: dict, organization) -> None:
    errors = result["errors"]
    first = next(records, None)
    headers = [h.strip().lower() for h in (first.cells if first else [])]
    missing = [c for c in ("stage", "touchpoint") if c not in headers]
    if missing:
        errors.append({"row": 1, "messages": [
            "The header row needs the columns " + ", ".join(CSV_COLUMNS)
            + f" (missing: {', '.join(missing)})."]})  # fmt: skip
        return
    lookups = _lookups(organization)
    stages: dict[str, dict] = {}
    read = 0
    for record in records:
        if not record.cells:
            continue  # a blank line
        read += 1
        if read > MAX_ROWS:
            errors.append(
                {"row": record.number, "messages": [f"At most {MAX_ROWS} rows per file."]}
            )
            break
        cells = record.cells + [""] * (len(headers) - len(record.cells))
        row = {k: restore(v.strip()) for k, v in zip(headers, cells, strict=False) if k}
        if not any(row.values()):
            continue
        if record.nul:
            result["warnings"].append(
                f"Row {record.number}: {record.nul} NUL character(s) (\\0) removed; "
                "they cannot be stored."
            )
        _add_row(row, record.number, lookups, stages, result)
    result["stages"] = list(stages.values())


def _lookups(organization) -> dict:
    channels = {c.value: c.value for c in Touchpoint.Channel}
    channels.update({c.label.lower(): c.value for c in Touchpoint.Channel})
    units = {
        u.name.strip().lower(): u.pk
        for u in OrgUnit.objects.for_org(organization).only("id", "name")
    }
    return {"units": units, "channels": channels, "phases": {p.value for p in Stage.Phase}}


def _add_row(row: dict, number: int, lookups: dict, stages: dict, result: dict) -> None:
    """Check one row; add its stage and touchpoint, or its problems to the errors."""
    messages = []
    stage_name = row.get("stage", "")
    if not stage_name:
        messages.append("stage: the stage name is empty.")
    elif len(stage_name) > NAME_MAX:
        messages.append(f"stage: at most {NAME_MAX} characters.")
    phase = (row.get("phase") or "during").lower()
    if phase not in lookups["phases"]:
        messages.append("phase: use before, during or after.")
    emotion = row.get("stage_emotion", "")
    emotion_value = None
    if emotion:
        try:
            emotion_value = int(emotion)
        except ValueError:
            emotion_value = 99
        if not -2 <= emotion_value <= 2:
            messages.append("stage_emotion: a whole number from -2 to 2, or empty.")
    actions = row.get("customer_actions", "")
    if len(actions) > TEXT_MAX:
        messages.append(f"customer_actions: at most {TEXT_MAX} characters.")
    tp = None
    if row.get("touchpoint", ""):
        tp, tp_messages = _touchpoint(row, units=lookups["units"], channels=lookups["channels"])
        messages.extend(tp_messages)
    elif any(row.get(c) for c in ("channel", "owner", "data_fields", "notes")):
        messages.append("touchpoint: the touchpoint name is empty.")
    if messages:
        result["errors"].append({"row": number, "messages": messages})
        return
    stage = stages.get(stage_name.lower())
    if stage is None:
        stage = stages[stage_name.lower()] = {"name": stage_name, "phase": phase,
                                              "emotion": emotion_value,
                                              "customer_actions": actions, "touchpoints": []}  # fmt: skip
    if tp is not None:
        stage["touchpoints"].append(tp)
        result["touchpoints"] += 1
        if len(result["preview"]) < 8:
            result["preview"].append({"stage": stage_name, **tp})
    result["rows"] += 1


def _touchpoint(row: dict, *, units: dict, channels: dict) -> tuple[dict, list[str]]:
    messages = []
    name = row["touchpoint"]
    if len(name) > NAME_MAX:
        messages.append(f"touchpoint: at most {NAME_MAX} characters.")
    channel_raw = (row.get("channel") or "").strip().lower()
    channel = channels.get(channel_raw) if channel_raw else channel_from_name(name)
    if channel is None:
        messages.append(
            "channel: unknown; use one of " + ", ".join(c.value for c in Touchpoint.Channel) + "."
        )
    owner_raw = row.get("owner", "")
    owner_id = None
    if owner_raw:
        owner_id = units.get(owner_raw.lower())
        if owner_id is None:
            messages.append(f"owner: no org unit is called “{owner_raw[:80]}”.")
    mtm_raw = (row.get("moment_that_matters") or "").lower()
    if mtm_raw not in YES | NO:
        messages.append("moment_that_matters: use yes or no.")
    fields = [normalize_data_field(f) for f in (row.get("data_fields") or "").split(";")]
    fields = list(dict.fromkeys(f for f in fields if f))
    if len(fields) > DATA_FIELDS_MAX or any(len(f) > DATA_FIELD_MAX for f in fields):
        messages.append(
            f"data_fields: at most {DATA_FIELDS_MAX} fields of {DATA_FIELD_MAX} characters."
        )
    action = row.get("customer_action", "")
    if len(action) > NAME_MAX:
        messages.append(f"customer_action: at most {NAME_MAX} characters.")
    notes = row.get("notes", "")
    if len(notes) > TEXT_MAX:
        messages.append(f"notes: at most {TEXT_MAX} characters.")
    pains = [p.strip() for p in (row.get("pain_points") or "").split(";") if p.strip()]
    if any(len(p) > NAME_MAX for p in pains):
        messages.append(f"pain_points: each at most {NAME_MAX} characters.")
    spec = {
        "name": name,
        "channel": channel,
        "owner_id": owner_id,
        "moment_that_matters": mtm_raw in YES,
        "customer_action": action,
        "data_fields": fields,
        "notes": notes,
        "pain_points": [{"kind": "pain", "text": p} for p in pains],
    }
    return spec, messages
