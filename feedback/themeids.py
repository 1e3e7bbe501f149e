# ruff: noqa: S608 -- table and column names come from constants, never from input.
"""The themes of a response, stored in the response row as a list of theme ids.

A million imported comments carry about 1.3 million tags. Kept as rows of a separate table,
every tag cost the import a row and a primary-key entry of its own (about a third of the
import's server time); kept in the response row, a tag costs four bytes. PostgreSQL stores the
list as `integer[]`, the embedded SQLite as JSON text ("[2, 7]"); `ThemeIds` hides which, and
the few reads that need one row per (response, theme) use `unnest_sql()`.
"""

from __future__ import annotations

import json

from django.db import connection, models


class ThemeIds(models.Field):
    """A sorted list of theme ids: `integer[]` on PostgreSQL, JSON text elsewhere."""

    description = "List of theme ids"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def db_type(self, connection) -> str:
        return "integer[]" if connection.vendor == "postgresql" else "text"

    def get_internal_type(self) -> str:
        return "ThemeIds"

    def from_db_value(self, value, expression, connection) -> list[int]:
        if value is None:
            return []
        if isinstance(value, str):
            return json.loads(value)
        return list(value)

    def to_python(self, value) -> list[int]:
        if value is None or value == "":
            return []
        if isinstance(value, str):
            return json.loads(value)
        return sorted({int(v) for v in value})

    def get_prep_value(self, value):
        return sorted({int(v) for v in (value or [])})

    def get_db_prep_value(self, value, connection, prepared=False):
        if not prepared:
            value = self.get_prep_value(value)
        if connection.vendor == "postgresql":
            return value
        return to_json(value)


def to_json(ids) -> str:
    """The SQLite form of a list of ids: compact, so that equal lists are equal strings."""
    return json.dumps(list(ids), separators=(",", ":"))


@ThemeIds.register_lookup
class Has(models.Lookup):
    """`theme_ids__has=7`: the response carries theme 7."""

    lookup_name = "has"
    prepare_rhs = False

    def get_prep_lookup(self):
        return int(self.rhs)

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{rhs} = ANY({lhs})", [*rhs_params, *lhs_params]
        return (
            f"EXISTS (SELECT 1 FROM json_each({lhs}) WHERE json_each.value = {rhs})",
            [*lhs_params, *rhs_params],
        )


@ThemeIds.register_lookup
class IsEmpty(models.Lookup):
    """`theme_ids__empty=True`: no theme caught the response."""

    lookup_name = "empty"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        postgres = connection.vendor == "postgresql"
        sql = f"cardinality({lhs}) = 0" if postgres else f"{lhs} = '[]'"
        return (sql if self.rhs else f"NOT ({sql})"), params


def unnest_sql(alias: str, column: str = "theme_ids") -> tuple[str, str]:
    """FROM-clause part giving one row per (response, theme id), and the theme id's expression."""
    if connection.vendor == "postgresql":
        return f"CROSS JOIN LATERAL unnest({alias}.{column}) AS {alias}_t(theme_id)", (
            f"{alias}_t.theme_id"
        )
    return f"CROSS JOIN json_each({alias}.{column}) AS {alias}_t", f"{alias}_t.value"


def remove_sql(column: str) -> str:
    """SQL expression: `column` without the theme id given as the one parameter."""
    if connection.vendor == "postgresql":
        return f"array_remove({column}, %s)"
    return (
        f"(SELECT COALESCE(json_group_array(value), '[]') FROM "
        f"(SELECT value FROM json_each({column}) WHERE value <> %s ORDER BY value))"
    )


def union_sql(left: str, right: str) -> str:
    """SQL expression: the sorted union of two id lists."""
    if connection.vendor == "postgresql":
        return (
            f"(SELECT COALESCE(array_agg(DISTINCT x ORDER BY x), '{{}}') "
            f"FROM unnest({left} || {right}) AS x)"
        )
    return (
        f"(SELECT COALESCE(json_group_array(value), '[]') FROM (SELECT value FROM json_each({left}) "
        f"UNION SELECT value FROM json_each({right}) ORDER BY value))"
    )


def names_sql(table: str = "feedback_response") -> str:
    """SQL expression: the row's themes as a JSON list of [name, added by a person], by name."""
    if connection.vendor == "postgresql":
        return (
            "(SELECT COALESCE(jsonb_agg(jsonb_build_array(th.name, "
            f"th.id = ANY({table}.manual_theme_ids)) ORDER BY th.name), '[]'::jsonb) "
            f"FROM feedback_theme th WHERE th.id = ANY({table}.theme_ids))"
        )
    return (
        "(SELECT COALESCE(json_group_array(json_array(name, manual)), '[]') FROM ("
        "SELECT th.name AS name, EXISTS(SELECT 1 FROM json_each("
        f"{table}.manual_theme_ids) m WHERE m.value = th.id) AS manual "
        f"FROM feedback_theme th JOIN json_each({table}.theme_ids) j ON j.value = th.id "
        "ORDER BY th.name))"
    )


def theme_ids_write(changes: list[tuple[int, list[int]]]) -> None:
    """Set `theme_ids` of many responses at once: [(response id, sorted theme ids), ...]."""
    if not changes:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from psycopg2.extras import execute_values

            execute_values(
                cursor.cursor,
                "UPDATE feedback_response r SET theme_ids = v.t FROM (VALUES %s) AS v(id, t) "
                "WHERE r.id = v.id",
                changes,
                template="(%s, %s::integer[])",
                page_size=5000,
            )
        else:
            cursor.executemany(
                "UPDATE feedback_response SET theme_ids = %s WHERE id = %s",
                [(to_json(ids), pk) for pk, ids in changes],
            )
