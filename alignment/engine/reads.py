# ruff: noqa: S608 -- table and column names come from constants, never from input.
"""What the engine reads: one grouped SQL statement per figure family, on both databases.

Every read covers one period (`Scope`), so that both periods' reads run at once on PostgreSQL.
Each returns small grouped rows (per segment, touchpoint or theme list) except the customer
read, which returns one row per customer (the customer's latest scored response in the period,
joined to the customer) as arrays. Money is read as integer cents so sums and means stay exact.
"""

import io
import json
import zoneinfo
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db import connection

from alignment.engine.periods import Period, Window
from kpis.metrics import CSAT_SATISFIED_MIN, PASSIVE_MIN, PROMOTER_MIN

CLASS_SUMS = f"""
    SUM(CASE WHEN r.nps >= {PROMOTER_MIN} THEN 1 ELSE 0 END) AS promoters,
    SUM(CASE WHEN r.nps >= {PASSIVE_MIN} AND r.nps < {PROMOTER_MIN} THEN 1 ELSE 0 END) AS passives,
    SUM(CASE WHEN r.nps < {PASSIVE_MIN} THEN 1 ELSE 0 END) AS detractors,
    COUNT(*) AS total
"""


PERIODS = ("current", "previous")


@dataclass(frozen=True)
class Scope:
    """One period of the run's window for the organization, as SQL fragments and parameters."""

    organization_id: int
    window: Window
    tz: zoneinfo.ZoneInfo
    period: str  # "current" or "previous"

    @property
    def span(self) -> Period:
        return getattr(self.window, self.period)

    def where(self, alias: str = "r") -> tuple[str, list]:
        """The organization's responses of the period: local midnight to local midnight."""
        col = f"{alias}.responded_at"
        adapt = connection.ops.adapt_datetimefield_value
        start, end = (adapt(v) for v in self.span.instants(self.tz))
        return f"{alias}.organization_id = %s AND {col} >= %s AND {col} < %s", [
            self.organization_id,
            start,
            end,
        ]

    def rows(self, sql: str, params: list) -> list[dict]:
        """The statement's rows as dicts, each with its `period`."""
        return [{"period": self.period, **row} for row in rows(sql, params)]


def session_tune() -> None:
    """Inside the run's transaction on PostgreSQL: room to sort and hash a million rows in
    memory instead of spilling them to disk (the default work_mem is 4 MB)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            # Compiling these one-off statements costs more than it saves.
            cursor.execute("SET LOCAL jit = off")


def rows(sql: str, params: list) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


COUNT_FIGURES = f"""{CLASS_SUMS},
    COUNT(r.nps) AS scored,
    MAX(r.touchpoint_id) AS touchpoint_id,
    SUM(CASE WHEN r.csat >= {CSAT_SATISFIED_MIN} THEN 1 ELSE 0 END) AS csat_satisfied,
    COUNT(r.csat) AS csat_answered,
    SUM(r.ces) AS ces_sum, COUNT(r.ces) AS ces_answered,
    SUM(CASE WHEN c.id IS NOT NULL THEN 1 ELSE 0 END) AS linked,
    SUM(CASE WHEN r.touchpoint_name <> '' AND r.touchpoint_id IS NULL THEN 1 ELSE 0 END)
        AS unknown_touchpoint_responses
"""
CUSTOMER_JOIN = """LEFT JOIN feedback_customer c ON c.organization_id = r.organization_id
    AND c.customer_id = r.customer_id AND r.customer_id <> ''"""


GROUPINGS = ("segment", "touchpoint_name", "theme_ids")


def response_counts(scope: Scope) -> tuple[list[dict], list[dict], list[dict]]:
    """(per segment, per touchpoint name, per theme) in the period: NPS classes, CSAT, CES,
    how many responses link to a customer, how many name an unknown touchpoint. PostgreSQL
    counts the three groupings in one pass (GROUPING SETS); SQLite in three statements.

    Themes are counted per distinct theme list (a few thousand lists for a million responses),
    then spread over the themes here: no million unnested rows to hash."""
    where, params = scope.where()
    if connection.vendor == "postgresql":
        # GROUPING(column) is 0 in the rows grouped by that column.
        by = ", ".join(f"GROUPING(r.{n}) = 0 AS by_{n}, r.{n}" for n in GROUPINGS)
        sets = ", ".join(f"(r.{n})" for n in GROUPINGS)
        sql = f"""
            SELECT {by}, {COUNT_FIGURES}
            FROM feedback_response r {CUSTOMER_JOIN}
            WHERE {where}
            GROUP BY GROUPING SETS ({sets})
        """
        found = scope.rows(sql, params)
        grouped = [[r | {"name": r[n]} for r in found if r[f"by_{n}"]] for n in GROUPINGS]
    else:
        grouped = []
        for name in GROUPINGS:
            sql = f"""
                SELECT r.{name} AS name, {COUNT_FIGURES}
                FROM feedback_response r {CUSTOMER_JOIN}
                WHERE {where}
                GROUP BY 1
            """
            grouped.append(scope.rows(sql, params))
    segments, touchpoints, theme_lists = grouped
    return segments, touchpoints, _per_theme(theme_lists, scope.period)


def _per_theme(theme_lists: list[dict], period: str) -> list[dict]:
    """Rows per theme list spread over their themes: a response tagged with two themes counts
    once in each."""
    totals: dict[int, dict[str, int]] = {}
    for row in theme_lists:
        ids = row["name"]
        for theme_id in json.loads(ids) if isinstance(ids, str) else ids or ():
            counts = totals.setdefault(theme_id, dict.fromkeys(CLASS_COLUMNS, 0))
            for column in CLASS_COLUMNS:
                counts[column] += int(row[column] or 0)
    return [{"period": period, "theme_id": key, **counts} for key, counts in totals.items()]


CLASS_COLUMNS = ("promoters", "passives", "detractors", "total")


def customer_latest(scope: Scope) -> dict[str, np.ndarray]:
    """One row per linked customer of the period: the customer's latest scored response in
    it, and the customer's money.

    Latest = greatest `responded_at`, then greatest `response_id`, then greatest row id.
    """
    where, w_params = scope.where()
    sql = f"""
        SELECT t.nps AS score, c.segment,
            COALESCE(CAST(ROUND(c.clv * 100) AS BIGINT), 0) AS clv,
            CASE WHEN c.clv IS NULL THEN 0 ELSE 1 END AS clv_known,
            COALESCE(CAST(ROUND(c.revenue * 100) AS BIGINT), 0) AS revenue,
            CASE WHEN c.revenue IS NULL THEN 0 ELSE 1 END AS revenue_known,
            CASE WHEN c.churned_on IS NOT NULL AND c.churned_on <= %s THEN 1 ELSE 0 END
                AS churned
        FROM ({_latest_sql(where)}) t
        JOIN feedback_customer c ON c.organization_id = %s AND c.customer_id = t.customer_id
    """
    params = [connection.ops.adapt_datefield_value(scope.span.churn_cutoff)]
    params += [*w_params, scope.organization_id]
    read = _copy_columns if connection.vendor == "postgresql" else _columns
    return read(sql, params)


def _latest_sql(where: str) -> str:
    """Each customer's latest scored response among the rows `where` selects. On PostgreSQL
    one DISTINCT ON sorting byte-order ("C") text keys: the same grouping and ties as the
    database's collation would give, and a much cheaper sort. (An index in exactly this order
    made the read 2.5 times faster but feedback imports a third slower; imports won.)"""
    scored = f"{where} AND r.nps IS NOT NULL AND r.customer_id <> ''"
    if connection.vendor == "postgresql":
        return f"""
            SELECT DISTINCT ON (r.customer_id COLLATE "C") r.customer_id, r.nps
            FROM feedback_response r WHERE {scored}
            ORDER BY r.customer_id COLLATE "C", r.responded_at DESC,
                r.response_id COLLATE "C" DESC, r.id DESC
        """
    order = "r.responded_at DESC, r.response_id DESC, r.id DESC"
    return f"""
        SELECT customer_id, nps FROM (
            SELECT r.customer_id, r.nps,
                ROW_NUMBER() OVER (PARTITION BY r.customer_id ORDER BY {order}) AS rn
            FROM feedback_response r WHERE {scored}
        ) ranked WHERE rn = 1
    """


CUSTOMER_COLUMNS = ("score", "segment", "clv", "clv_known", "revenue", "revenue_known", "churned")
NUMERIC_COLUMNS = tuple(name for name in CUSTOMER_COLUMNS if name != "segment")
SEGMENT_INDEX = CUSTOMER_COLUMNS.index("segment")
NUMERIC_INDEXES = [CUSTOMER_COLUMNS.index(name) for name in NUMERIC_COLUMNS]
FETCH_ROWS = 50_000  # rows turned into Python objects at a time (peak memory)


def _copy_columns(sql: str, params: list) -> dict[str, np.ndarray]:
    """PostgreSQL: the customer rows as CSV through COPY, parsed by pandas straight into
    arrays (no Python object per value but the segment names)."""
    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        query = cursor.cursor.mogrify(sql, params).decode()
        cursor.cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)", buffer)
    buffer.seek(0)
    table = pd.read_csv(
        buffer, header=None, names=CUSTOMER_COLUMNS, na_filter=False, dtype=COPY_TYPES
    )
    return _typed({name: table[name].to_numpy() for name in CUSTOMER_COLUMNS})


COPY_TYPES = {"segment": object, **dict.fromkeys(NUMERIC_COLUMNS, np.int64)}


def _columns(sql: str, params: list) -> dict[str, np.ndarray]:
    """The customer rows as arrays, read a chunk at a time, so only one chunk of rows is ever
    held as Python tuples."""
    segments, numbers = [], []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(FETCH_ROWS):
            table = np.array(chunk, dtype=object).reshape(len(chunk), len(CUSTOMER_COLUMNS))
            segments.append(table[:, SEGMENT_INDEX])
            numbers.append(table[:, NUMERIC_INDEXES].astype(np.int64))
    numeric = np.concatenate(numbers) if numbers else np.empty((0, len(NUMERIC_INDEXES)), np.int64)
    frame = {"segment": np.concatenate(segments) if segments else np.empty(0, dtype=object)}
    for index, name in enumerate(NUMERIC_COLUMNS):
        frame[name] = numeric[:, index]
    return _typed(frame)


def _typed(frame: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Money as int64 cents with a boolean mask of known values."""
    frame["clv_known"] = frame["clv_known"].astype(bool)
    frame["revenue_known"] = frame["revenue_known"].astype(bool)
    return frame


def both_periods(current, previous):
    """The two periods' rows of one read as one (each row names its period): rows appended,
    (rows, rows, ...) tuples appended pairwise."""
    if isinstance(current, tuple):
        return tuple(both_periods(c, p) for c, p in zip(current, previous, strict=True))
    return [*current, *previous]


def onboarding_counts(scope: Scope) -> list[dict]:
    """Per customer segment: customers who started in the period with a known onboarding
    outcome, and how many succeeded."""
    adapt = connection.ops.adapt_datefield_value
    sql = """
        SELECT c.segment AS name, COUNT(*) AS known,
            SUM(CASE WHEN c.onboarding_success THEN 1 ELSE 0 END) AS succeeded
        FROM feedback_customer c
        WHERE c.organization_id = %s AND c.onboarding_success IS NOT NULL
            AND c.start_date >= %s AND c.start_date <= %s
        GROUP BY 1
    """
    span = scope.span
    return scope.rows(sql, [scope.organization_id, adapt(span.first_day), adapt(span.last_day)])
