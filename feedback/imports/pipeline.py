"""The import engine: one code path for the page, the Celery task, the commands and the bench.

A producer thread reads, validates, tags and sorts each chunk (pure Python/C++, no database)
while the calling thread writes the previous chunk (COPY runs on the server's core), so client
and server work at the same time. The caller owns the transaction: the writer writes inside it
and a failure or an all-or-nothing rejection rolls everything back.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cxalign.tabular.write import CsvWriter
from feedback.imports import known
from feedback.imports.files import FileInfo, iter_batches
from feedback.imports.rows import (
    Context,
    check_customers,
    check_feedback,
    fingerprints,
    kept_columns,
)
from feedback.imports.tagging import Tagger
from feedback.imports.writers import Chunk, Snapshot, Spec

FIRST_ERRORS = 200  # kept on the batch for the page and the command; all go to the report
UNKNOWN_EXAMPLES = 5  # names of unknown touchpoints shown with their count

RESPONSE_SPEC = Spec(
    table="feedback_response",
    key_column="key",
    scope_column="source_id",
    columns=[
        "organization_id",
        "source_id",
        "batch_id",
        "key",
        "response_id",
        "customer_id",
        "responded_at",
        "nps",
        "csat",
        "ces",
        "channel",
        "comment",
        "segment",
        "touchpoint_name",
        "touchpoint_id",
        "extra",
        "fingerprint",
        "theme_ids",
        "manual_theme_ids",
    ],
    tagged=True,
    binary_types={
        "id": "int8",
        "organization_id": "int8",
        "source_id": "int8",
        "batch_id": "int8",
        "key": "text",
        "response_id": "text",
        "customer_id": "text",
        "responded_at": "timestamptz",
        "nps": "int2",
        "csat": "int2",
        "ces": "int2",
        "channel": "text",
        "comment": "text",
        "segment": "text",
        "touchpoint_name": "text",
        "touchpoint_id": "int8",
        "extra": "jsonb",
        "fingerprint": "int8",
        "theme_ids": "int4[]",
        "manual_theme_ids": "int4[]",
    },
)
CUSTOMER_SPEC = Spec(
    table="feedback_customer",
    key_column="customer_id",
    scope_column="organization_id",
    columns=[
        "organization_id",
        "batch_id",
        "customer_id",
        "segment",
        "start_date",
        "revenue",
        "clv",
        "churned_on",
        "onboarding_success",
        "fingerprint",
    ],
    tagged=False,
)


class ImportCancelled(Exception):
    """Someone cancelled the import; nothing is written."""


class AllOrNothingRejected(Exception):
    """The import was all or nothing and some rows were bad; nothing is written."""


@dataclass
class Result:
    rows_read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[dict] = field(default_factory=list)  # the first FIRST_ERRORS
    error_count: int = 0
    seconds: float = 0.0
    # Good rows naming a touchpoint no journey has, and the first few such names.
    unknown_touchpoints: int = 0
    unknown_touchpoint_names: list[str] = field(default_factory=list)
    # Good rows naming a customer or a segment the organization does not know (imported):
    # {"customers": {"count", "examples"}, "segments": {...}} for the comparisons made.
    unknown_values: dict[str, dict] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "rows_read": self.rows_read,
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "errors": self.errors,
            "unknown_touchpoints": self.unknown_touchpoints_summary(),
            "unknown_values": self.unknown_values,
        }

    def unknown_touchpoints_summary(self) -> dict:
        return {"count": self.unknown_touchpoints, "examples": self.unknown_touchpoint_names}

    def add_unknown_values(self, tally: dict[str, tuple[int, list[str]]]) -> None:
        for name, (count, names) in tally.items():
            seen = self.unknown_values.setdefault(name, {"count": 0, "examples": []})
            seen["count"] += count
            for value in names:
                if len(seen["examples"]) < UNKNOWN_EXAMPLES and value not in seen["examples"]:
                    seen["examples"].append(value)

    def add_unknown(self, count: int, names: list[str]) -> None:
        self.unknown_touchpoints += count
        for name in names:
            if len(self.unknown_touchpoint_names) >= UNKNOWN_EXAMPLES:
                break
            if name not in self.unknown_touchpoint_names:
                self.unknown_touchpoint_names.append(name)


@dataclass
class Job:
    """Everything one run needs, resolved from the database before the threads start."""

    path: Path
    info: FileInfo
    kind: str  # "feedback" or "customers"
    mapping: dict[str, str]
    organization_id: int
    source_id: int | None
    batch_id: int | None
    context: Context
    tagger: Tagger | None = None

    @property
    def kept(self) -> list[str]:
        """Stored columns this import leaves as they are (fields it does not map)."""
        return kept_columns(self.kind, self.mapping, self.info.headers)


class ErrorSink:
    """Collects row errors: the first ones in memory, every one in the CSV report."""

    HEADER = ["row", "column", "value", "message"]

    def __init__(self, report_path: Path | None):
        self.first: list[dict] = []
        self.count = 0
        self._fh = None
        if report_path is not None:
            report_path.parent.mkdir(parents=True, exist_ok=True)
            # utf-8-sig: the BOM every CSV the product writes carries, for Excel.
            self._fh = report_path.open("w", newline="", encoding="utf-8-sig")
            self._writer = CsvWriter(self._fh)  # a header or a value may read as a formula
            self._writer.writerow(self.HEADER)

    def add(self, errors) -> None:
        for record, column, value, message in errors:
            self.count += 1
            if len(self.first) < FIRST_ERRORS:
                self.first.append({"row": record, "column": column, "message": message})
            if self._fh is not None:
                self._writer.writerow([record, column, value, message])

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()


def key_hashes(keys: pa.Array) -> np.ndarray:
    """64-bit hashes (uint64) of string keys, the same in every run."""
    parts = [
        pd.util.hash_array(
            keys.slice(start, 100_000).to_numpy(zero_copy_only=False).astype(object),
            categorize=False,
        )
        for start in range(0, len(keys), 100_000)
    ]
    return np.concatenate(parts) if parts else np.empty(0, np.uint64)


class SnapshotIndex:
    """The stored keys sorted by hash, built once: a chunk's keys are found by searchsorted,
    and every hash match is confirmed by comparing the keys themselves."""

    def __init__(self, snapshot: Snapshot):
        hashes = key_hashes(snapshot.keys)
        self.order = np.argsort(hashes, kind="stable")
        self.hashes = hashes[self.order]
        self.keys = snapshot.keys

    def find(self, keys: pa.Array, hashes: np.ndarray) -> np.ndarray:
        """Position of each key in the snapshot, -1 where it is not stored."""
        result = np.full(len(keys), -1, dtype=np.int64)
        if len(self.hashes) == 0 or len(keys) == 0:
            return result
        pos = np.minimum(np.searchsorted(self.hashes, hashes), len(self.hashes) - 1)
        match = np.flatnonzero(self.hashes[pos] == hashes)
        if len(match) == 0:
            return result
        candidates = self.order[pos[match]]
        same = pc.equal(self.keys.take(pa.array(candidates)), keys.take(pa.array(match)))
        same = np.asarray(same.to_numpy(zero_copy_only=False), dtype=bool)
        result[match[same]] = candidates[same]
        return result


class _Producer(threading.Thread):
    """Reads, checks, tags and sorts chunks; hands them over through a small queue."""

    def __init__(self, job: Job, snapshot: Snapshot, out: queue.Queue, prepare=None):
        super().__init__(daemon=True, name="feedback-import-producer")
        self.job = job
        self.prepare = prepare
        self.snapshot = snapshot
        self.out = out
        self.stop = threading.Event()
        self.bytes_read = 0
        self.seen_hashes = np.empty(0, np.uint64)
        self.seen_records = np.empty(0, np.int64)
        self.lookup = SnapshotIndex(snapshot)
        self.spec = RESPONSE_SPEC if job.kind == "feedback" else CUSTOMER_SPEC

    def run(self) -> None:
        try:
            for batch in iter_batches(self.job.path, self.job.info, on_bytes=self._on_bytes):
                if self.stop.is_set():
                    return
                chunk = self._chunk(batch)
                del batch
                if self.prepare is not None:
                    self.prepare(chunk)
                self._put(chunk)
                # Hand freed chunk memory back to the system: peak RSS stays flat.
                pa.default_memory_pool().release_unused()
            self._put(None)
        except BaseException as exc:  # handed to the writing thread, which re-raises it
            self._put(exc)

    def _put(self, item) -> None:
        while not self.stop.is_set():
            try:
                self.out.put(item, timeout=0.5)
                return
            except queue.Full:
                continue

    def _on_bytes(self, n: int) -> None:
        self.bytes_read = n

    def _chunk(self, batch) -> Chunk:
        job = self.job
        records = np.asarray(batch.records, dtype=np.int64)
        chunk = Chunk(rows_read=len(records) + len(batch.bad_rows), bytes_read=self.bytes_read)
        errors = [(record, "", "", message) for record, message in batch.bad_rows]
        chunk.rejected = len(batch.bad_rows)
        if len(records) == 0:
            chunk.errors = errors
            return chunk
        check = check_feedback if job.kind == "feedback" else check_customers
        checked = check(batch.table, job.mapping, job.context)
        errors += [(int(records[i]), col, val, msg) for i, col, val, msg in checked.errors]
        ok = checked.ok.copy()
        keys = checked.keys
        hashes = key_hashes(keys)
        for i, message in self._duplicates(keys, hashes, records):
            ok[i] = False
            errors.append((int(records[i]), self._key_column(), keys[i].as_py(), message))
        errors.sort(key=lambda e: e[0])
        chunk.errors = errors
        chunk.rejected += int((~ok).sum())
        _note_unknowns(chunk, checked, ok)

        # Sort the good rows into new, changed and unchanged by key and fingerprint.
        good = np.flatnonzero(ok)
        position = self.lookup.find(keys.take(pa.array(good)), hashes[good])
        stored = position >= 0
        stored_pos = np.maximum(position, 0)
        if self.snapshot.kept and stored.any():
            self._keep_stored(checked, good[stored], position[stored])
        if len(self.snapshot.ids):
            same = stored & (self.snapshot.fingerprints[stored_pos] == checked.fingerprints[good])
        else:
            same = np.zeros(len(good), bool)
        new_rows = good[~stored]
        changed_rows = good[stored & ~same]
        changed_ids = self.snapshot.ids[stored_pos[stored & ~same]] if stored.any() else []
        chunk.unchanged = int(same.sum())

        columns = dict(checked.columns)
        columns["key"] = keys
        columns["fingerprint"] = pa.array(checked.fingerprints, pa.int64())
        if self.spec.tagged:
            written = np.concatenate([new_rows, changed_rows])
            themes = self._themes(columns["comment"], written)
            columns["theme_ids"] = themes
            columns["manual_theme_ids"] = _id_lists(
                len(keys), np.empty(0, np.int64), np.empty(0, np.int64)
            )
        if len(new_rows):
            chunk.new = self._table(columns, new_rows)
            chunk.new_rows = len(new_rows)
        if len(changed_rows):
            table = self._table(columns, changed_rows)
            chunk.updated = table.add_column(0, "id", pa.array(changed_ids, pa.int64()))
        return chunk

    def _keep_stored(self, checked, rows: np.ndarray, positions: np.ndarray) -> None:
        """Stored rows take their stored values in the columns the file does not map, so an
        update leaves those as they are and the fingerprint compares only what the file gives."""
        n = len(checked.ok)
        where = np.zeros(n, bool)
        where[rows] = True
        source = np.zeros(n, np.int64)
        source[rows] = positions
        mask, take = pa.array(where), pa.array(source)
        for column, stored in self.snapshot.kept.items():
            checked.columns[column] = pc.if_else(mask, stored.take(take), checked.columns[column])
        checked.fingerprints = fingerprints(checked.columns)

    def _themes(self, comments: pa.Array, written: np.ndarray) -> pa.Array:
        """Per row of the chunk, the sorted ids of the themes its comment is about."""
        tagger = self.job.tagger
        if tagger is None or tagger.empty or not len(written):
            return _id_lists(len(comments), np.empty(0, np.int64), np.empty(0, np.int64))
        rows, themes = tagger.tag(comments.take(pa.array(written)))
        return _id_lists(len(comments), written[rows], themes)

    def _key_column(self) -> str:
        field = "response_id" if self.job.kind == "feedback" else "customer_id"
        return self.job.mapping.get(field, field)

    def _duplicates(
        self, keys: pa.Array, hashes: np.ndarray, records: np.ndarray
    ) -> list[tuple[int, str]]:
        """Rows whose key appeared earlier in the file: (index, message).

        Earlier keys are kept as a sorted array of 64-bit hashes (8 bytes a row) with the row
        each was on; a chunk is looked up with one searchsorted and merged in linear time.
        """
        found: list[tuple[int, str]] = []
        nonempty = ~np.asarray(pc.equal(keys, "").to_numpy(zero_copy_only=False))
        if len(self.seen_hashes):
            pos = np.minimum(np.searchsorted(self.seen_hashes, hashes), len(self.seen_hashes) - 1)
            hit = (self.seen_hashes[pos] == hashes) & nonempty
            for i in np.flatnonzero(hit).tolist():
                found.append(
                    (i, self._dup_message(keys[i].as_py(), int(self.seen_records[pos[i]])))
                )
        within = pd.Series(hashes).duplicated(keep="first").to_numpy() & nonempty
        if within.any():
            already = {i for i, _ in found}
            dup = set(hashes[within].tolist())
            first_seen: dict[int, int] = {}
            for i in np.flatnonzero(np.isin(hashes, list(dup))).tolist():
                h = int(hashes[i])
                if h not in first_seen:
                    first_seen[h] = int(records[i])
                elif i not in already:
                    found.append((i, self._dup_message(keys[i].as_py(), first_seen[h])))
        mine = np.flatnonzero(nonempty)
        order = mine[np.argsort(hashes[mine], kind="stable")]
        merged = np.concatenate([self.seen_hashes, hashes[order]])
        merged_records = np.concatenate([self.seen_records, records[order]])
        final = np.argsort(merged, kind="stable")  # two sorted runs: a linear merge
        self.seen_hashes, self.seen_records = merged[final], merged_records[final]
        return found

    def _dup_message(self, key: str, first: int) -> str:
        if key.startswith("fp:"):
            return f"The same row as row {first} (a duplicate)."
        label = "response id" if self.job.kind == "feedback" else "customer id"
        return f"Duplicate {label} '{key}': row {first} has it already."

    def _table(self, columns: dict[str, pa.Array], rows: np.ndarray) -> pa.Table:
        job = self.job
        n = len(rows)
        every = n == len(next(iter(columns.values()))) and bool((rows == np.arange(n)).all())
        take = None if every else pa.array(rows)
        constants = {
            "organization_id": job.organization_id,
            "source_id": job.source_id,
            "batch_id": job.batch_id,
        }
        data = {}
        for name in self.spec.columns:
            if name in constants:
                data[name] = pa.array(np.full(n, constants[name] or 0), pa.int64())
                if constants[name] is None:
                    data[name] = pa.nulls(n, pa.int64())
            else:
                data[name] = columns[name] if take is None else columns[name].take(take)
        return pa.table(data)


def _note_unknowns(chunk: Chunk, checked, ok: np.ndarray) -> None:
    """Good rows naming a touchpoint, customer or segment the organization does not know."""
    if checked.unknown_touchpoints is not None:
        unknown = np.flatnonzero(checked.unknown_touchpoints & ok)
        chunk.unknown_touchpoints = len(unknown)
        names = pc.unique(checked.columns["touchpoint_name"].take(pa.array(unknown)))
        chunk.unknown_touchpoint_names = names.slice(0, UNKNOWN_EXAMPLES).to_pylist()
    chunk.unknown_values = _unknown_tally(checked, ok)


def _unknown_tally(checked, ok: np.ndarray) -> dict[str, tuple[int, list[str]]]:
    """Per comparison: how many good rows name an unknown value, and the first few values."""
    tally = {}
    for name, mask in checked.unknown_values.items():
        rows = np.flatnonzero(mask & ok)
        values = checked.columns[known.COLUMNS[name]].take(pa.array(rows))
        tally[name] = (len(rows), pc.unique(values).slice(0, UNKNOWN_EXAMPLES).to_pylist())
    return tally


def _id_lists(n: int, rows: np.ndarray, ids: np.ndarray) -> pa.Array:
    """A list<int32> array of n rows: row r holds the sorted, distinct ids paired with r."""
    if len(rows) > 1 and not (np.diff(rows * (int(ids.max()) + 1) + ids) > 0).all():
        order = np.lexsort((ids, rows))
        rows, ids = rows[order], ids[order]
        keep = np.ones(len(rows), bool)
        keep[1:] = (rows[1:] != rows[:-1]) | (ids[1:] != ids[:-1])
        rows, ids = rows[keep], ids[keep]
    offsets = np.zeros(n + 1, np.int32)
    np.cumsum(np.bincount(rows, minlength=n), out=offsets[1:])
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(ids.astype(np.int32)))


def _tally(result: Result, chunk: Chunk) -> None:
    """Add one chunk's counts to the run's."""
    result.rows_read += chunk.rows_read
    result.new += chunk.new_count
    result.updated += chunk.updated_count
    result.unchanged += chunk.unchanged
    result.rejected += chunk.rejected
    result.add_unknown(chunk.unknown_touchpoints, chunk.unknown_touchpoint_names or [])
    result.add_unknown_values(chunk.unknown_values or {})


def run(
    job: Job,
    *,
    writer=None,
    dry_run: bool = False,
    report_path: Path | None = None,
    all_or_nothing: bool = False,
    on_progress: Callable[[Result, int], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> Result:
    """Import (or, with dry_run, only check) the whole file; returns the counts.

    Without a writer (unit tests) nothing is stored and every good row counts as new.

    Raises ImportCancelled, AllOrNothingRejected, FileProblem or a database error; the caller's
    transaction must then roll back.
    """
    started = time.monotonic()
    if writer is not None and not dry_run:
        writer.lock()
    snapshot = writer.snapshot(job.kept) if writer is not None else Snapshot.empty()
    pa.default_memory_pool().release_unused()
    result = Result()
    sink = ErrorSink(report_path)
    chunks: queue.Queue = queue.Queue(maxsize=1)
    prepare = writer.prepare if writer is not None and not dry_run else None
    producer = _Producer(job, snapshot, chunks, prepare)
    producer.start()
    try:
        while True:
            item = chunks.get()
            if item is None:
                break
            if isinstance(item, BaseException):
                raise item
            skip = dry_run or (all_or_nothing and result.rejected + item.rejected)
            if writer is not None and not skip:
                writer.write(item)
            _tally(result, item)
            sink.add(item.errors or [])
            if on_progress is not None:
                on_progress(result, item.bytes_read)
            if should_cancel is not None and should_cancel():
                raise ImportCancelled("The import was cancelled; nothing was written.")
    finally:
        producer.stop.set()
        sink.close()
        producer.join(timeout=10)
        if writer is not None:
            writer.close()
    result.errors = sink.first
    result.error_count = sink.count
    result.seconds = time.monotonic() - started
    if all_or_nothing and result.rejected:
        raise AllOrNothingRejected(result)
    return result
