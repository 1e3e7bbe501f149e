"""Change history written in bulk by the database: one INSERT … SELECT copies rows as they are
now into their django-simple-history table, instead of building a historical instance per row
in Python (a recompute raises thousands of flags at once)."""

from django.db import connection
from django.db.models import Model

CHUNK = 500  # ids per statement (SQLite caps the number of parameters)


def history_snapshot(model: type[Model], ids: list[int], *, history_type: str,
                     reason: str | None, when) -> int:  # fmt: skip
    """Record the current state of `model`'s rows `ids` as history rows of `history_type`
    ("+" created, "~" changed, "-" deleted) with `reason`, dated `when`, by no user (the
    system). Returns how many rows were written."""
    history = model.history.model
    columns = [
        f.column
        for f in history._meta.concrete_fields
        if not f.name.startswith("history_") and f.column
    ]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    target = connection.ops.quote_name(history._meta.db_table)
    source = connection.ops.quote_name(model._meta.db_table)
    adapt = connection.ops.adapt_datetimefield_value(when)
    written = 0
    with connection.cursor() as cursor:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {target} ({quoted}, history_date, history_type, "  # noqa: S608
                f"history_change_reason, history_user_id) "
                f"SELECT {quoted}, %s, %s, %s, NULL FROM {source} WHERE id IN ({marks})",
                [adapt, history_type, reason[:100] if reason else None, *chunk],
            )
            written += cursor.rowcount
    return written
