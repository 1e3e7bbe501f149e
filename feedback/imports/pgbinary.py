"""PostgreSQL's binary COPY format, built a column at a time with Arrow and NumPy kernels.

In text COPY the server parses every field (timestamps, JSON, arrays, numbers) from text, and
that parsing was a third of the import's server time. In the binary format it receives each
value as it stores it. The rows are assembled without a Python loop: each column becomes one
binary array of "length + value" per row, and Arrow's `binary_join_element_wise` joins them
into rows. https://www.postgresql.org/docs/15/sql-copy.html#id-1.9.3.55.9.4

Column types understood: int8, int2, text, jsonb, timestamptz, int4[]. Nulls become length -1.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
TRAILER = b"\xff\xff"
PG_EPOCH_US = 946_684_800_000_000  # 2000-01-01 UTC in microseconds since 1970
INT4_OID = 23
_EMPTY = pa.scalar(b"", pa.binary())


# A part is one piece of every row: a NumPy (rows, width) uint8 block when it has the same size in
# every row, else an Arrow binary array. Neighbouring blocks are merged before the join, so the
# join sees few parts (it costs per part and row).


def _block(values: np.ndarray) -> np.ndarray:
    """A structured or big-endian array of one value per row -> (rows, bytes) uint8 block."""
    return values.view(np.uint8).reshape(len(values), values.dtype.itemsize)


def _variable(data: np.ndarray, sizes: np.ndarray) -> pa.Array:
    """Rows of sizes[i] bytes each, laid end to end in `data`, as a binary array."""
    offsets = np.zeros(len(sizes) + 1, np.int32)
    np.cumsum(sizes, out=offsets[1:])
    return pa.BinaryArray.from_buffers(
        pa.binary(),
        len(sizes),
        [None, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(data))],
    )


def _number(values: np.ndarray, valid: np.ndarray | None, dtype: str):
    """A fixed-size number field (length word + big-endian value), nulls as length -1."""
    width = np.dtype(dtype).itemsize
    n = len(values)
    record = np.empty(n, dtype=[("length", ">i4"), ("value", dtype)])
    record["value"] = values
    if valid is None or valid.all():
        record["length"] = width
        return _block(record)
    record["length"] = np.where(valid, width, -1)
    keep = np.ones((n, 4 + width), bool)
    keep[~valid, 4:] = False
    return _variable(_block(record)[keep], np.where(valid, 4 + width, 4))


def _length_words(lengths: np.ndarray) -> np.ndarray:
    return _block(lengths.astype(">i4"))


def _valid(column: pa.Array) -> np.ndarray | None:
    if column.null_count == 0:
        return None
    return np.asarray(column.is_valid().to_numpy(zero_copy_only=False), bool)


def _int(column: pa.Array, dtype: str):
    valid = _valid(column)
    values = pc.fill_null(column, 0).cast(pa.int64()).to_numpy()
    return _number(values, valid, dtype)


def _timestamptz(column: pa.Array):
    valid = _valid(column)
    micros = pc.fill_null(column.cast(pa.timestamp("us", tz="UTC")).cast(pa.int64()), 0)
    return _number(micros.to_numpy() - PG_EPOCH_US, valid, ">i8")


def _text(column: pa.Array, prefix: bytes = b"") -> list:
    """Text (and jsonb, whose binary form is a version byte before the text)."""
    data = pc.fill_null(column, "").cast(pa.binary())
    lengths = pc.binary_length(data).to_numpy(zero_copy_only=False).astype(np.int64)
    parts: list = [_length_words(lengths + len(prefix))]
    if prefix:
        parts.append(np.tile(np.frombuffer(prefix, np.uint8), (len(lengths), 1)))
    parts.append(data)
    return parts


def _int4_array(column: pa.Array) -> list:
    """int4[] of one dimension (an empty one has size 0): header, then (4, value) per element."""
    counts = pc.fill_null(pc.list_value_length(column), 0).to_numpy().astype(np.int64)
    n = len(counts)
    header = np.empty((n, 6), ">i4")
    header[:, 0] = 20 + 8 * counts  # the field's length word
    header[:, 1] = 1  # dimensions
    header[:, 2] = 0  # no nulls
    header[:, 3] = INT4_OID
    header[:, 4] = counts
    header[:, 5] = 1  # lower bound
    parts: list = [header.view(np.uint8).reshape(n, 24)]
    if counts.any():
        values = pc.list_flatten(column).cast(pa.int32()).to_numpy(zero_copy_only=False)
        elements = np.empty((len(values), 2), ">i4")
        elements[:, 0] = 4
        elements[:, 1] = values
        parts.append(_variable(elements.view(np.uint8).reshape(-1), 8 * counts))
    return parts


def _merged(parts: list) -> list[pa.Array]:
    """Neighbouring fixed-size blocks joined into one, then every part as an Arrow array."""
    result: list[pa.Array] = []
    blocks: list[np.ndarray] = []
    for part in [*parts, None]:
        if isinstance(part, np.ndarray):
            blocks.append(part)
            continue
        if blocks:
            block = np.ascontiguousarray(np.concatenate(blocks, axis=1))
            rows, width = block.shape
            fixed = pa.FixedSizeBinaryArray.from_buffers(
                pa.binary(width), rows, [None, pa.py_buffer(block)]
            )
            result.append(fixed.cast(pa.binary()))
            blocks = []
        if part is not None:
            result.append(part)
    return result


def encode(table: pa.Table, types: dict[str, str]) -> bytes:
    """The whole COPY stream (signature, rows, trailer) for `table`'s columns, in order."""
    n = table.num_rows
    parts: list = [_block(np.full(n, table.num_columns, ">i2"))]
    for name in table.column_names:
        column = table.column(name).combine_chunks()
        kind = types[name]
        if kind == "int8":
            parts.append(_int(column, ">i8"))
        elif kind == "int2":
            parts.append(_int(column, ">i2"))
        elif kind == "timestamptz":
            parts.append(_timestamptz(column))
        elif kind == "text":
            parts.extend(_text(column))
        elif kind == "jsonb":
            parts.extend(_text(column, prefix=b"\x01"))
        elif kind == "int4[]":
            parts.extend(_int4_array(column))
        else:
            raise ValueError(f"No binary COPY encoding for {kind!r} (column {name}).")
    merged = _merged(parts)
    rows = pc.binary_join_element_wise(*merged, _EMPTY) if len(merged) > 1 else merged[0]
    offsets = np.frombuffer(rows.buffers()[1], np.int32, n + 1, rows.offset * 4)
    data = rows.buffers()[2]
    body = data[offsets[0] : offsets[-1]] if n else b""
    return b"".join([SIGNATURE, memoryview(body), TRAILER])
