# ruff: noqa: S608 -- table and column names come from the Spec constants, never from input.
"""Writing validated chunks: PostgreSQL COPY, or executemany on SQLite (embedded mode).

The engine has already sorted every row into new, updated or unchanged by comparing its key and
content fingerprint with a snapshot of what is stored, so:

* new rows are COPYed straight into their table, once (no staging table, no second write),
  in PostgreSQL's binary format where the spec gives the column types (`pgbinary`);
* changed rows go through a small temporary table and one UPDATE per chunk; their themes are
  the rules' new ones plus the ones a person added (`manual_theme_ids`, never overwritten);
* unchanged rows are not sent at all (a re-import of the same file writes nothing).

Both writers run inside the caller's transaction; a failure anywhere rolls everything back.
The source (or the organization's customer table) is locked for the whole import, so no other
writer can add a key between the snapshot and the commit.
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from django.db import connection

from feedback.imports import pgbinary
from feedback.themeids import to_json, union_sql

LOCK_CLASS = 7201  # pg_advisory_xact_lock namespace of the feedback imports
COPY_READ_BYTES = 4 * 1024 * 1024
# Ids are taken from the sequence this many at a time (one round trip each); an import's
# unused rest is a gap in the ids, nothing more.
ID_BLOCK = 200_000


@dataclass
class Spec:
    """The target table of one import kind."""

    table: str
    key_column: str  # the natural key (unique with the scope column)
    scope_column: str  # source_id or organization_id
    columns: list[str]  # written columns, in COPY order, without id
    tagged: bool  # carries theme_ids / manual_theme_ids (the last two columns)
    # PostgreSQL types of id + columns: given, new rows go in binary COPY format.
    binary_types: dict[str, str] | None = None


# How a stored column is read back for a re-import that keeps it, as the checks type it:
# column -> (PostgreSQL expression, kind). Read values must hash like freshly checked ones.
STORED_KINDS = {
    "customer_id": "text",
    "responded_at": "timestamp",
    "nps": "int16",
    "csat": "int16",
    "ces": "int16",
    "channel": "text",
    "comment": "text",
    "segment": "text",
    "touchpoint_name": "text",
    "touchpoint_id": "int64",
    "extra": "text",
    "start_date": "date",
    "revenue": "money",
    "clv": "money",
    "churned_on": "date",
    "onboarding_success": "bool",
}
_PG_READ = {
    "timestamp": "(extract(epoch FROM {0}) * 1000000)::bigint",
    "date": "({0} - DATE '1970-01-01')",
    "money": "{0}::float8",
    "bool": "{0}::int",
    "text": "{0}::text",
}
_ARROW_READ = {
    "text": pa.string(),
    "timestamp": pa.int64(),
    "date": pa.int32(),
    "money": pa.float64(),
    "bool": pa.int8(),
    "int16": pa.int16(),
    "int64": pa.int64(),
}


def _worth_keeping(kept: dict[str, pa.Array]) -> dict[str, pa.Array]:
    """The kept columns that hold something: one stored all empty is what an unmapped column
    gives anyway, so merging it would change nothing (and cost a second hash of every row)."""
    useful = {}
    for column, values in kept.items():
        if values.null_count == len(values):
            continue
        if pa.types.is_string(values.type) and not pc.any(pc.not_equal(values, "")).as_py():
            continue
        useful[column] = values
    return useful


def _as_checked(values: pa.Array, kind: str) -> pa.Array:
    """A column read back from the database, typed as the checks type a fresh one."""
    if kind == "timestamp":
        return values.cast(pa.int64()).cast(pa.timestamp("us", tz="UTC"))
    if kind == "date":
        return values.cast(pa.int32()).cast(pa.date32())
    if kind == "bool":
        return pc.not_equal(values, 0)
    return values.cast(_ARROW_READ[kind])


@dataclass
class Snapshot:
    """What is stored under the scope: natural keys, ids, content fingerprints, and the values
    of the columns a re-import keeps (`kept`, in the checks' types)."""

    keys: pa.Array
    ids: np.ndarray
    fingerprints: np.ndarray
    kept: dict[str, pa.Array] | None = None

    @classmethod
    def empty(cls) -> Snapshot:
        return cls(pa.array([], pa.string()), np.empty(0, np.int64), np.empty(0, np.int64))


@dataclass
class Chunk:
    rows_read: int = 0
    new_rows: int = 0
    new: pa.Table | None = None
    # PostgreSQL: the producer thread serialises new rows (ids included) ahead of the COPY.
    new_data: io.BytesIO | None = None
    updated: pa.Table | None = None  # first column is the stored id
    unchanged: int = 0
    rejected: int = 0
    errors: list | None = None  # (record, column, value, message)
    bytes_read: int = 0
    unknown_touchpoints: int = 0
    unknown_touchpoint_names: list | None = None
    # Good rows naming an unknown customer or segment: {"customers": (count, first names)}.
    unknown_values: dict | None = None

    @property
    def new_count(self) -> int:
        return self.new_rows

    @property
    def updated_count(self) -> int:
        return 0 if self.updated is None else self.updated.num_rows


def _csv_bytes(table: pa.Table) -> io.BytesIO:
    buffer = io.BytesIO()
    pacsv.write_csv(table, buffer, write_options=pacsv.WriteOptions(include_header=False))
    buffer.seek(0)
    return buffer


class PostgresWriter:
    """COPY-based writer; uses the raw psycopg2 cursor of Django's connection."""

    def __init__(self, spec: Spec, scope_id: int):
        self.spec = spec
        self.scope_id = scope_id
        self.cursor = connection.cursor().cursor  # psycopg2 cursor inside Django's transaction
        self.stage = f"feedback_stage_{spec.table.split('_', 1)[1]}"
        self._staged = False
        self._ids_connection = None
        self._ids = (0, 0)  # ids taken from the sequence and not used yet: [first, end)

    def _take_ids(self, n: int) -> int:
        """First of n fresh ids, from blocks of at least ID_BLOCK taken from the sequence."""
        first, end = self._ids
        if end - first < n:
            size = max(n, ID_BLOCK)
            first = self._reserve(size)
            end = first + size
        self._ids = (first + n, end)
        return first

    def _reserve(self, n: int) -> int:
        """First id of a block of n, taken from the table's sequence in one step.

        Asking nextval() a million times costs seconds; moving the sequence past a whole block
        costs one statement. The short advisory lock makes concurrent imports take disjoint
        blocks. It runs on a side connection in autocommit (sequences are not transactional
        anyway), so the producer thread can do it while the main connection is busy COPYing.
        """
        if self._ids_connection is None:
            self._ids_connection = connection.get_new_connection(connection.get_connection_params())
            self._ids_connection.autocommit = True
        with self._ids_connection.cursor() as cursor:
            cursor.execute(
                "WITH l AS (SELECT pg_advisory_xact_lock(%s, 0)), "
                "f AS (SELECT nextval(pg_get_serial_sequence(%s, 'id')) AS first FROM l) "
                "SELECT first, setval(pg_get_serial_sequence(%s, 'id'), first + %s - 1) FROM f",
                [LOCK_CLASS, self.spec.table, self.spec.table, n],
            )
            return cursor.fetchone()[0]

    def prepare(self, chunk: Chunk) -> None:
        """Called in the producer thread: give new rows their ids and serialise them."""
        if not chunk.new_count:
            return
        first = self._take_ids(chunk.new_count)
        ids = np.arange(first, first + chunk.new_count, dtype=np.int64)
        chunk.new_data = self._serialise(chunk.new.add_column(0, "id", pa.array(ids, pa.int64())))
        chunk.new = None

    def _serialise(self, table: pa.Table) -> io.BytesIO:
        if self.spec.binary_types is None:
            return _csv_bytes(table)
        return io.BytesIO(pgbinary.encode(table, self.spec.binary_types))

    def close(self) -> None:
        if self._ids_connection is not None:
            self._ids_connection.close()
            self._ids_connection = None

    def lock(self) -> None:
        """One import at a time per source (or per organization's customers)."""
        self.cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, %s)",
            [LOCK_CLASS + (1 if self.spec.tagged else 2), self.scope_id],
        )

    def snapshot(self, kept: list[str] = ()) -> Snapshot:
        reads = [_PG_READ.get(STORED_KINDS[column], "{0}").format(column) for column in kept]
        sql = (
            f"COPY (SELECT {', '.join(['id', self.spec.key_column, 'fingerprint', *reads])} "
            f"FROM {self.spec.table} WHERE {self.spec.scope_column} = {int(self.scope_id)}) "
            "TO STDOUT WITH (FORMAT csv)"
        )
        # Through a temporary file: a growing in-memory buffer would double at the peak.
        with tempfile.TemporaryFile() as buffer:
            self.cursor.copy_expert(sql, buffer, size=COPY_READ_BYTES)
            if buffer.tell() == 0:
                return _empty_snapshot(kept)
            buffer.seek(0)
            return self._parse_snapshot(buffer, list(kept))

    def _parse_snapshot(self, buffer, kept: list[str]) -> Snapshot:
        types = {"id": pa.int64(), "key": pa.string(), "fp": pa.int64()}
        types |= {column: _ARROW_READ[STORED_KINDS[column]] for column in kept}
        table = pacsv.read_csv(
            buffer,
            read_options=pacsv.ReadOptions(column_names=list(types), use_threads=False),
            # Text columns are NOT NULL: COPY quotes their empty values, never leaves them bare.
            convert_options=pacsv.ConvertOptions(
                column_types=types,
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
        )
        return Snapshot(
            table.column("key").combine_chunks(),
            table.column("id").to_numpy(),
            table.column("fp").to_numpy(),
            _worth_keeping(
                {
                    column: _as_checked(table.column(column).combine_chunks(), STORED_KINDS[column])
                    for column in kept
                }
            ),
        )

    def _copy(self, table_name: str, columns: list[str], data: io.BytesIO) -> None:
        binary = self.spec.binary_types is not None
        sql = (
            f"COPY {table_name} ({', '.join(columns)}) FROM STDIN "
            f"WITH (FORMAT {'binary' if binary else 'csv'})"
        )
        # Big reads: each read() of copy_expert takes the GIL from the producer thread.
        self.cursor.copy_expert(sql, data, size=COPY_READ_BYTES)

    def write(self, chunk: Chunk) -> None:
        if chunk.new_count:
            if chunk.new_data is None:
                self.prepare(chunk)
            self._copy(self.spec.table, ["id", *self.spec.columns], chunk.new_data)
        if chunk.updated_count:
            self._update(chunk)

    def _update(self, chunk: Chunk) -> None:
        spec = self.spec
        if not self._staged:
            self.cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {self.stage} (LIKE {spec.table} INCLUDING DEFAULTS) ON COMMIT DROP"
            )
            self._staged = True
        self.cursor.execute(f"TRUNCATE {self.stage}")
        self._copy(self.stage, ["id", *spec.columns], self._serialise(chunk.updated))
        _, assignments = update_assignments(spec, "s.{}", "t")
        self.cursor.execute(
            f"UPDATE {spec.table} t SET {assignments}, updated_at = now() "
            f"FROM {self.stage} s WHERE t.id = s.id"
        )


def update_assignments(spec: Spec, value: str, target: str) -> tuple[list[str], str]:
    """Columns an update writes and its SET list: `value` formats a column's new value
    ("s.{}" from a staged row, "%s" from a parameter); the themes a person added stay."""
    names = [c for c in spec.columns if c not in ("organization_id", "manual_theme_ids")]
    parts = []
    for column in names:
        new = value.format(column)
        if column == "theme_ids":
            new = union_sql(new, f"{target}.manual_theme_ids")
        parts.append(f"{column} = {new}")
    return names, ", ".join(parts)


def _python_rows(table: pa.Table) -> list[tuple]:
    columns = []
    for name in table.column_names:
        column = table.column(name)
        if pa.types.is_timestamp(column.type):
            column = pc.strftime(column, "%Y-%m-%d %H:%M:%S")
        elif pa.types.is_date(column.type):
            column = pc.strftime(column, "%Y-%m-%d")
        elif pa.types.is_list(column.type):
            columns.append([to_json(ids) for ids in column.to_pylist()])
            continue
        columns.append(column.to_pylist())
    return list(zip(*columns, strict=True))


class SqliteWriter:
    """The embedded mode's writer: executemany in the caller's (IMMEDIATE) transaction."""

    def __init__(self, spec: Spec, scope_id: int):
        self.spec = spec
        self.scope_id = scope_id
        self.cursor = connection.cursor()
        self.next_id = None

    def lock(self) -> None:
        """SQLite's IMMEDIATE transaction already holds the one write lock."""

    def prepare(self, chunk: Chunk) -> None:
        """Ids are assigned at write time: SQLite has one writer, under the lock."""

    def close(self) -> None:
        pass

    def snapshot(self, kept: list[str] = ()) -> Snapshot:
        self.cursor.execute(
            f"SELECT {', '.join(['id', self.spec.key_column, 'fingerprint', *kept])} "
            f"FROM {self.spec.table} WHERE {self.spec.scope_column} = %s",
            [self.scope_id],
        )
        rows = self.cursor.fetchall()
        if not rows:
            return _empty_snapshot(kept)
        ids, keys, fps, *values = zip(*rows, strict=True)
        return Snapshot(
            pa.array(keys, pa.string()),
            np.array(ids, np.int64),
            np.array(fps, np.int64),
            _worth_keeping(
                {
                    column: _sqlite_checked(list(column_values), STORED_KINDS[column])
                    for column, column_values in zip(kept, values, strict=True)
                }
            ),
        )

    def write(self, chunk: Chunk) -> None:
        spec = self.spec
        if chunk.new_count:
            if self.next_id is None:
                self.cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {spec.table}")
                self.next_id = self.cursor.fetchone()[0] + 1
            ids = np.arange(self.next_id, self.next_id + chunk.new_count, dtype=np.int64)
            self.next_id += chunk.new_count
            table = chunk.new.add_column(0, "id", pa.array(ids))
            placeholders = ", ".join(["%s"] * (len(spec.columns) + 1))
            self.cursor.executemany(
                f"INSERT INTO {spec.table} (id, {', '.join(spec.columns)}, created_at, updated_at) "
                f"VALUES ({placeholders}, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
                _python_rows(table),
            )
        if chunk.updated_count:
            names, assignments = update_assignments(spec, "%s", spec.table)
            self.cursor.executemany(
                f"UPDATE {spec.table} SET {assignments}, updated_at = CURRENT_TIMESTAMP "
                "WHERE id = %s",
                _python_rows(chunk.updated.select([*names, "id"])),
            )


def _empty_snapshot(kept) -> Snapshot:
    snapshot = Snapshot.empty()
    snapshot.kept = {
        column: _as_checked(pa.array([], _ARROW_READ[STORED_KINDS[column]]), STORED_KINDS[column])
        for column in kept
    }
    return snapshot


def _sqlite_checked(values: list, kind: str) -> pa.Array:
    """SQLite's stored values (dates and times as text, decimals as numbers) as checked ones."""
    if kind in ("timestamp", "date"):
        parsed = pd.to_datetime(pd.Series(values, dtype=object), utc=True, format="ISO8601")
        array = pa.array(parsed.astype("datetime64[us, UTC]"), pa.timestamp("us", tz="UTC"))
        if kind == "date":
            array = pc.cast(pc.cast(array, pa.timestamp("us")), pa.date32())
        return array
    if kind == "money":
        return pa.array([None if v is None else float(v) for v in values], pa.float64())
    if kind == "bool":
        return pa.array([None if v is None else bool(v) for v in values], pa.bool_())
    return pa.array(values, _ARROW_READ[kind])


def writer_for(spec: Spec, scope_id: int):
    if connection.vendor == "postgresql":
        return PostgresWriter(spec, scope_id)
    return SqliteWriter(spec, scope_id)
