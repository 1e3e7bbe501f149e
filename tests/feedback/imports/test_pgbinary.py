"""PostgreSQL's binary COPY format (feedback/imports/pgbinary.py)."""

import pytest

pytestmark = pytest.mark.django_db


def test_binary_copy_round_trip():
    """What pgbinary encodes, PostgreSQL reads back as the same values (nulls, text, arrays)."""
    import io
    from datetime import UTC, datetime

    import pyarrow as pa
    from django.db import connection

    from feedback.imports.pgbinary import encode

    table = pa.table(
        {
            "a": pa.array([1, None, -(2**40)], pa.int64()),
            "b": pa.array([3, 10, None], pa.int16()),
            "c": pa.array(["x", "", 'é😀 "q",\n<script>'], pa.string()),
            "d": pa.array(
                [datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC), None, datetime(1990, 1, 1, tzinfo=UTC)],
                pa.timestamp("s", tz="UTC"),
            ),
            "e": pa.array(['{"k": "v"}', "{}", '{"n": [1, 2]}']),
            "f": pa.array([[2, 7], [], [3]], pa.list_(pa.int32())),
        }
    )
    types = {"a": "int8", "b": "int2", "c": "text", "d": "timestamptz", "e": "jsonb", "f": "int4[]"}
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE rt (a bigint, b smallint, c varchar(50), d timestamptz, e jsonb, "
            "f integer[])"
        )
        for part in (table, table.slice(0, 0)):
            cursor.cursor.copy_expert(
                "COPY rt FROM STDIN WITH (FORMAT binary)", io.BytesIO(encode(part, types))
            )
        cursor.execute("SELECT a, b, c, d, e::text, f FROM rt ORDER BY b NULLS LAST")
        rows = cursor.fetchall()
    assert rows == [
        (1, 3, "x", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC), '{"k": "v"}', [2, 7]),
        (None, 10, "", None, "{}", []),
        (
            -(2**40),
            None,
            'é😀 "q",\n<script>',
            datetime(1990, 1, 1, tzinfo=UTC),
            '{"n": [1, 2]}',
            [3],
        ),
    ]
