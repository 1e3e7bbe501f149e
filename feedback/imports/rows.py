"""Validating and normalising a batch of rows, a column at a time. Pure: no database.

Every check works on whole columns (pyarrow / numpy / pandas); Python only loops over the rows
that fail, to word their messages.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from feedback.imports.known import unknown_masks
from feedback.models import CES_RANGE, CSAT_RANGE, NPS_MAX

MAX_LENGTHS = {
    "response_id": 200,
    "customer_id": 100,
    "channel": 100,
    "segment": 100,
    "touchpoint": 200,
    "comment": 20_000,
}
# Tried in order on the values ISO 8601 does not parse; month-first before day-first unless the
# import says the file is day-first (a day above 12 settles it either way).
DATE_FORMATS_MDY = [
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y",
    "%m/%d/%y",
]
DATE_FORMATS_DMY = [
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%d/%m/%y",
]
DATE_FORMATS_OTHER = [
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d",
    "%d-%m-%Y",
    "%d %b %Y",
    "%d %B %Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%b %d %Y %I:%M %p",
    "%d-%b-%Y",
]
TRUE_WORDS = {"true", "yes", "y", "1", "t", "success", "successful"}
FALSE_WORDS = {"false", "no", "n", "0", "f", "failed", "failure"}


@dataclass
class Context:
    """What validation needs to know beyond the row: the org's touchpoints, the options."""

    touchpoints: dict[str, int] | None = None  # lower-case name -> id; None: not checked
    # known.KnownValues by comparison ("customers", "segments"); absent: not compared.
    known: dict = field(default_factory=dict)
    dayfirst: bool = False
    now: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass
class Checked:
    """A validated batch: normalised columns for every row, which rows are good, and why not."""

    columns: dict[str, pa.Array]
    ok: np.ndarray  # bool per row
    keys: pa.Array  # natural key per row ("" where it could not be made)
    fingerprints: np.ndarray  # int64 per row
    errors: list[tuple[int, str, str, str]]  # (row index in batch, column, value, message)
    # Rows naming a touchpoint no journey has (kept by name, linked when one is made).
    unknown_touchpoints: np.ndarray | None = None
    # Rows naming a customer or segment the organization does not know (imported all the same).
    unknown_values: dict[str, np.ndarray] = field(default_factory=dict)


class _Errors:
    def __init__(self, n: int):
        self.bad = np.zeros(n, dtype=bool)
        self.items: list[tuple[int, str, str, str]] = []

    def add(self, mask: np.ndarray, column: str, values: pa.Array, message) -> None:
        """Record `message(value)` for every row where mask is True."""
        where = np.flatnonzero(mask)
        if len(where) == 0:
            return
        self.bad[where] = True
        raw = values.take(pa.array(where)).to_pylist()
        for i, value in zip(where.tolist(), raw, strict=True):
            self.items.append((i, column, value, message(value)))


def _col(table: pa.Table, header: str | None) -> pa.Array | None:
    if not header:
        return None
    return pc.utf8_trim_whitespace(table.column(header).combine_chunks())


def _np(array) -> np.ndarray:
    return np.asarray(array.to_numpy(zero_copy_only=False))


def _shorten(value: str, n: int = 60) -> str:
    value = value.replace("\n", " ")
    return value if len(value) <= n else value[: n - 1] + "…"


def _text(table, mapping, name, errors: _Errors) -> pa.Array:
    values = _col(table, mapping.get(name))
    if values is None:
        return pa.array([""] * table.num_rows, pa.string())
    limit = MAX_LENGTHS[name]
    too_long = _np(pc.greater(pc.utf8_length(values), limit))
    errors.add(
        too_long,
        mapping[name],
        values,
        lambda v, limit=limit: f"Longer than {limit} characters ({len(v)}).",
    )
    return values


def _score(table, mapping, name, low, high, errors: _Errors) -> pa.Array:
    """Whole numbers from low to high; '' is no score; '7.0' is 7; 7.5, 11, -1, N/A are errors."""
    values = _col(table, mapping.get(name))
    if values is None:
        return pa.nulls(table.num_rows, pa.int16())
    empty = _np(pc.equal(values, ""))
    whole = _np(pc.match_substring_regex(values, r"^\d{1,3}(\.0+)?$"))
    safe = pc.if_else(pa.array(whole), values, "0")
    numbers = _np(pc.cast(pc.cast(safe, pa.float64()), pa.int64()))
    bad = ~empty & (~whole | (numbers < low) | (numbers > high))
    errors.add(
        bad,
        mapping[name],
        values,
        lambda v: f"'{_shorten(v)}' is not a whole number from {low} to {high}.",
    )
    result = np.where(empty | bad, 0, numbers).astype(np.int16)
    return pa.array(result, pa.int16(), mask=empty | bad)


def parse_datetimes(values: pa.Array, *, dayfirst: bool) -> pd.Series:
    """UTC timestamps (NaT where nothing fits) from strings in several formats."""
    series = pd.Series(values.to_numpy(zero_copy_only=False), dtype=object)
    result = pd.to_datetime(series, format="ISO8601", errors="coerce", utc=True)
    missing = result.isna() & (series != "")
    formats = (
        (DATE_FORMATS_DMY + DATE_FORMATS_MDY) if dayfirst else (DATE_FORMATS_MDY + DATE_FORMATS_DMY)
    )
    for fmt in formats + DATE_FORMATS_OTHER:
        if not missing.any():
            break
        parsed = pd.to_datetime(series[missing], format=fmt, errors="coerce", utc=True)
        result[missing] = parsed
        missing = result.isna() & (series != "")
    if missing.any():
        # Unix epoch seconds (some tools export them).
        numeric = pd.to_numeric(series[missing], errors="coerce")
        plausible = numeric.between(946684800, 4102444800)
        if plausible.any():
            result[numeric[plausible].index] = pd.to_datetime(
                numeric[plausible], unit="s", utc=True
            )
    return result.astype("datetime64[us, UTC]")


def _datetime(
    table, mapping, name, ctx: Context, errors: _Errors, *, date_only=False, future_ok=False
):
    values = _col(table, mapping.get(name))
    if values is None:
        unit = pa.date32() if date_only else pa.timestamp("us", tz="UTC")
        return pa.nulls(table.num_rows, unit)
    parsed = parse_datetimes(values, dayfirst=ctx.dayfirst)
    empty = _np(pc.equal(values, ""))
    bad = parsed.isna().to_numpy() & ~empty
    errors.add(
        bad,
        mapping[name],
        values,
        lambda v: f"'{_shorten(v)}' is not a date (use e.g. 2024-03-31 14:05 or 03/31/2024).",
    )
    if not future_ok:
        limit = pd.Timestamp(ctx.now + timedelta(days=1))
        future = (parsed > limit).to_numpy() & ~bad
        errors.add(future, mapping[name], values, lambda v: f"'{_shorten(v)}' is in the future.")
    ancient = (parsed < pd.Timestamp("1970-01-02", tz="UTC")).to_numpy() & ~bad
    errors.add(ancient, mapping[name], values, lambda v: f"'{_shorten(v)}' is before 1970.")
    array = pa.array(parsed, pa.timestamp("us", tz="UTC"))
    if date_only:
        array = pc.cast(pc.cast(array, pa.timestamp("us")), pa.date32())
    return array


def _pandas_json(table: pa.Table, headers: list[str]) -> pa.Array:
    frame = table.select(headers).to_pandas()
    frame.columns = headers
    lines = frame.to_json(orient="records", lines=True, force_ascii=False)
    return pa.array(lines.rstrip("\n").split("\n"), pa.string())


def _json_strings(values: pa.Array) -> pa.Array:
    """JSON literals of text values, escaped as pandas' to_json escapes them; null -> null."""
    if not pa.types.is_string(values.type):
        values = values.cast(pa.string())
    for plain, escaped in (("\\", "\\\\"), ('"', '\\"'), ("/", "\\/")):
        values = pc.replace_substring(values, plain, escaped)
    return pc.fill_null(pc.binary_join_element_wise('"', values, '"', ""), "null")


def _extra_json(table: pa.Table, headers: list[str]) -> pa.Array:
    """The unmapped columns of each row as a JSON object, built column-wise in Arrow.

    Rows with control characters (rare: quoted newlines) are left to pandas' JSON writer, which
    the rest matches byte for byte (the text is part of each row's content fingerprint).
    """
    n = table.num_rows
    if not headers:
        return pa.array(["{}"] * n, pa.string())
    parts: list = ["{"]
    for i, header in enumerate(headers):
        key = json.dumps(header, ensure_ascii=False).replace("/", "\\/")
        parts += [("," if i else "") + key + ":", _json_strings(table.column(header))]
    parts.append("}")
    result = pc.binary_join_element_wise(*parts, "")
    control = np.zeros(n, bool)
    for header in headers:
        column = table.column(header)
        if pa.types.is_string(column.type):
            control |= _np(pc.fill_null(pc.match_substring_regex(column, "[\\x00-\\x1f]"), False))
    if control.any():
        rows = np.flatnonzero(control)
        exact = _pandas_json(table.take(pa.array(rows)), headers).to_pylist()
        values = result.to_pylist()
        for row, text in zip(rows.tolist(), exact, strict=True):
            values[row] = text
        result = pa.array(values, pa.string())
    return result


def _hash(columns: dict[str, pa.Array]) -> np.ndarray:
    """One 64-bit hash per row of all its values (a content fingerprint, stable across runs).

    Text columns are joined into one string a row and hashed once (SipHash, in C); numbers and
    timestamps are hashed as integers, no formatting; the parts are mixed like pandas does.
    """
    texts, numbers = [], []
    for value in columns.values():
        if pa.types.is_string(value.type) or pa.types.is_large_string(value.type):
            texts.append(pc.fill_null(value, "\x00"))
        else:
            if pa.types.is_floating(value.type):
                value = pc.round(pc.multiply(value, 100))  # amounts: whole cents
            elif pa.types.is_date32(value.type):
                value = pc.cast(value, pa.int32())
            as_int = pc.cast(value, pa.int64())
            numbers.append(pc.fill_null(as_int, -(2**62)).to_numpy())
    n = len(next(iter(columns.values())))
    result = np.zeros(n, dtype=np.uint64)
    if texts:
        joined = pc.binary_join_element_wise(*texts, "\x1f") if len(texts) > 1 else texts[0]
        objects = joined.to_numpy(zero_copy_only=False).astype(object)
        result = pd.util.hash_array(objects, categorize=False)
    for i, part in enumerate(numbers):
        mixed = pd.util.hash_array(part, categorize=False)
        result = (result ^ mixed) * np.uint64(1000003 + 2 * i)
    return result.view(np.int64)


def row_hashes(table: pa.Table) -> np.ndarray:
    """Content hash of each raw row (all columns): the natural key of rows without an id."""
    return _hash({name: table.column(name).combine_chunks() for name in table.column_names})


# The stored columns each mappable field writes. A re-import changes on existing rows only the
# columns of the fields it maps: the others keep their stored values (`kept_columns`).
FIELD_COLUMNS = {
    "feedback": {
        "customer_id": ["customer_id"],
        "responded_at": ["responded_at"],
        "nps": ["nps"],
        "csat": ["csat"],
        "ces": ["ces"],
        "channel": ["channel"],
        "comment": ["comment"],
        "segment": ["segment"],
        "touchpoint": ["touchpoint_name", "touchpoint_id"],
    },
    "customers": {
        "segment": ["segment"],
        "start_date": ["start_date"],
        "revenue": ["revenue"],
        "clv": ["clv"],
        "churned_on": ["churned_on"],
        "onboarding_success": ["onboarding_success"],
    },
}


def kept_columns(kind: str, mapping: dict[str, str], headers: list[str]) -> list[str]:
    """Stored columns a re-import must leave as they are: those of the fields it does not map,
    and for feedback `extra` when the file has no column besides the mapped ones."""
    kept = [
        column
        for field, columns in FIELD_COLUMNS[kind].items()
        if not mapping.get(field)
        for column in columns
    ]
    if kind == "feedback" and not set(headers) - set(mapping.values()):
        kept.append("extra")
    return kept


def fingerprints(columns: dict[str, pa.Array]) -> np.ndarray:
    """Content fingerprints of checked columns (the same function the checks use)."""
    return _hash(columns)


def check_feedback(table: pa.Table, mapping: dict[str, str], ctx: Context) -> Checked:
    """Validate and normalise a batch of feedback rows."""
    n = table.num_rows
    errors = _Errors(n)
    response_id = _text(table, mapping, "response_id", errors)
    columns: dict[str, pa.Array] = {
        "response_id": response_id,
        "customer_id": _text(table, mapping, "customer_id", errors),
        "responded_at": _datetime(table, mapping, "responded_at", ctx, errors),
        "nps": _score(table, mapping, "nps", 0, NPS_MAX, errors),
        "csat": _score(table, mapping, "csat", *CSAT_RANGE, errors),
        "ces": _score(table, mapping, "ces", *CES_RANGE, errors),
        "channel": _text(table, mapping, "channel", errors),
        "comment": _text(table, mapping, "comment", errors),
        "segment": _text(table, mapping, "segment", errors),
        "touchpoint_name": _text(table, mapping, "touchpoint", errors),
    }
    touchpoint_id = pa.nulls(n, pa.int64())
    unknown = None
    if mapping.get("touchpoint") and ctx.touchpoints is not None:
        names = columns["touchpoint_name"]
        lowered = pc.utf8_lower(names)
        known = pa.array(list(ctx.touchpoints), pa.string())
        ids = pa.array(list(ctx.touchpoints.values()), pa.int64())
        idx = pc.index_in(lowered, value_set=known)
        touchpoint_id = pc.take(ids, idx) if len(known) else pa.nulls(n, pa.int64())
        # Not an error: the row keeps the name, and a touchpoint made later takes it over.
        unknown = _np(pc.is_null(idx)) & ~_np(pc.equal(names, ""))
    columns["touchpoint_id"] = touchpoint_id
    mapped = set(mapping.values())
    extra_headers = [h for h in table.column_names if h not in mapped]
    columns["extra"] = _extra_json(table, extra_headers)
    # Without a response id, a row is known by the hash of everything in it.
    has_id = ~_np(pc.equal(response_id, ""))
    if has_id.all():
        keys = response_id
    else:
        raw = row_hashes(table).view(np.uint64)
        fp_keys = pa.array([f"fp:{h:016x}" for h in raw.tolist()], pa.string())
        keys = pc.if_else(pa.array(has_id), response_id, fp_keys)
    fingerprints = _hash(columns)
    return Checked(
        columns,
        ~errors.bad,
        keys,
        fingerprints,
        errors.items,
        unknown,
        unknown_values=unknown_masks(columns, mapping, ctx.known),
    )


def _decimal(table, mapping, name, errors: _Errors) -> pa.Array:
    values = _col(table, mapping.get(name))
    if values is None:
        return pa.nulls(table.num_rows, pa.float64())
    cleaned = pc.replace_substring_regex(values, r"[\s,$€£]", "")
    empty = _np(pc.equal(cleaned, ""))
    good = _np(pc.match_substring_regex(cleaned, r"^\d{1,12}(\.\d{1,2})?$"))
    bad = ~empty & ~good
    errors.add(
        bad,
        mapping[name],
        values,
        lambda v: (
            f"'{_shorten(v)}' is not an amount (a number of at most two decimals, 0 or more)."
        ),
    )
    safe = pc.if_else(pa.array(good), cleaned, "0")
    numbers = pc.cast(safe, pa.float64())
    return pc.if_else(pa.array(good), numbers, pa.scalar(None, pa.float64()))


def _boolean(table, mapping, name, errors: _Errors) -> pa.Array:
    values = _col(table, mapping.get(name))
    if values is None:
        return pa.nulls(table.num_rows, pa.bool_())
    lowered = pc.utf8_lower(values)
    true = _np(pc.is_in(lowered, value_set=pa.array(sorted(TRUE_WORDS))))
    false = _np(pc.is_in(lowered, value_set=pa.array(sorted(FALSE_WORDS))))
    empty = _np(pc.equal(values, ""))
    bad = ~(true | false | empty)
    errors.add(
        bad, mapping[name], values, lambda v: f"'{_shorten(v)}' is not yes/no (true, false, 1, 0)."
    )
    return pa.array(true, pa.bool_(), mask=~(true | false))


def check_customers(table: pa.Table, mapping: dict[str, str], ctx: Context) -> Checked:
    """Validate and normalise a batch of customer rows (the key is the customer id)."""
    errors = _Errors(table.num_rows)
    customer_id = _text(table, mapping, "customer_id", errors)
    missing = _np(pc.equal(customer_id, ""))
    errors.add(
        missing, mapping.get("customer_id", "customer_id"), customer_id, lambda v: "No customer id."
    )
    columns = {
        "customer_id": customer_id,
        "segment": _text(table, mapping, "segment", errors),
        "start_date": _datetime(table, mapping, "start_date", ctx, errors, date_only=True),
        "revenue": _decimal(table, mapping, "revenue", errors),
        "clv": _decimal(table, mapping, "clv", errors),
        # A churn date after today is a scheduled churn (the customer gave notice): kept.
        "churned_on": _datetime(
            table, mapping, "churned_on", ctx, errors, date_only=True, future_ok=True
        ),
        "onboarding_success": _boolean(table, mapping, "onboarding_success", errors),
    }
    fingerprints = _hash(columns)
    return Checked(
        columns,
        ~errors.bad,
        customer_id,
        fingerprints,
        errors.items,
        unknown_values=unknown_masks(columns, mapping, ctx.known),
    )


def extra_dumps(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False)
