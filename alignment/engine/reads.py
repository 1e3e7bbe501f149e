# ruff: noqa: S608 -- table and column names come from constants, never from input.
"""What the engine reads: one grouped SQL statement per figure family, on both databases.

Each statement returns small grouped rows (per period and segment, touchpoint or theme) except
the customer read, which returns one row per customer and period (the customer's latest scored
response in the period, joined to the customer). Money is read as integer cents so sums and
means stay exact.
"""

import zoneinfo
from dataclasses import dataclass

import numpy as np
from django.db import connection

from alignment.engine.periods import Window
from feedback.themeids import unnest_sql
from kpis.metrics import CSAT_SATISFIED_MIN, PASSIVE_MIN, PROMOTER_MIN

CLASS_SUMS = f"""
    SUM(CASE WHEN r.nps >= {PROMOTER_MIN} THEN 1 ELSE 0 END) AS promoters,
    SUM(CASE WHEN r.nps >= {PASSIVE_MIN} AND r.nps < {PROMOTER_MIN} THEN 1 ELSE 0 END) AS passives,
    SUM(CASE WHEN r.nps < {PASSIVE_MIN} THEN 1 ELSE 0 END) AS detractors,
    COUNT(*) AS total
"""


@dataclass(frozen=True)
class Scope:
    """The organization and the run's window, turned into SQL fragments and parameters."""

    organization_id: int
    window: Window
    tz: zoneinfo.ZoneInfo

    def _bounds(self) -> list:
        adapt = connection.ops.adapt_datetimefield_value
        cur = [adapt(v) for v in self.window.current.instants(self.tz)]
        prev = [adapt(v) for v in self.window.previous.instants(self.tz)]
        return [*cur, *prev]

    def period_case(
        self, alias: str = "r", *, labels=("'current'", "'previous'")
    ) -> tuple[str, list]:
        col = f"{alias}.responded_at"
        current, previous = labels
        sql = (
            f"CASE WHEN {col} >= %s AND {col} < %s THEN {current} "
            f"WHEN {col} >= %s AND {col} < %s THEN {previous} END"
        )
        return sql, self._bounds()

    def where(self, alias: str = "r") -> tuple[str, list]:
        col = f"{alias}.responded_at"
        sql = (
            f"{alias}.organization_id = %s AND (({col} >= %s AND {col} < %s) "
            f"OR ({col} >= %s AND {col} < %s))"
        )
        return sql, [self.organization_id, *self._bounds()]


def session_tune() -> None:
    """Inside the run's transaction on PostgreSQL: room to sort and hash a million rows in
    memory instead of spilling them to disk (the default work_mem is 4 MB)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")


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


def response_counts(scope: Scope) -> tuple[list[dict], list[dict]]:
    """(per period and segment, per period and touchpoint name): NPS classes, CSAT, CES, how
    many responses link to a customer, how many name an unknown touchpoint. PostgreSQL counts
    both groupings in one pass (GROUPING SETS); SQLite in two."""
    period, p_params = scope.period_case()
    where, w_params = scope.where()
    if connection.vendor == "postgresql":
        sql = f"""
            SELECT {period} AS period, GROUPING(r.segment) AS by_touchpoint,
                COALESCE(r.segment, r.touchpoint_name) AS name, {COUNT_FIGURES}
            FROM feedback_response r {CUSTOMER_JOIN}
            WHERE {where}
            GROUP BY GROUPING SETS ((1, r.segment), (1, r.touchpoint_name))
        """
        both = rows(sql, [*p_params, *w_params])
        return [r for r in both if not r["by_touchpoint"]], [r for r in both if r["by_touchpoint"]]
    grouped = []
    for column in ("r.segment", "r.touchpoint_name"):
        sql = f"""
            SELECT {period} AS period, {column} AS name, {COUNT_FIGURES}
            FROM feedback_response r {CUSTOMER_JOIN}
            WHERE {where}
            GROUP BY 1, 2
        """
        grouped.append(rows(sql, [*p_params, *w_params]))
    return grouped[0], grouped[1]


def theme_counts(scope: Scope) -> list[dict]:
    """Per period and theme: tagged responses and their NPS classes.

    Counted per distinct theme list first (a few thousand lists for a million responses), then
    spread over the themes: one hash aggregate instead of a million unnested rows to sort.
    """
    tags, theme = unnest_sql("g")
    period, p_params = scope.period_case()
    where, w_params = scope.where()
    sums = ", ".join(
        f"SUM(g.{name}) AS {name}" for name in ("promoters", "passives", "detractors", "total")
    )
    sql = f"""
        SELECT g.period, {theme} AS theme_id, {sums}
        FROM (
            SELECT {period} AS period, r.theme_ids, {CLASS_SUMS}
            FROM feedback_response r
            WHERE {where}
            GROUP BY 1, 2
        ) g {tags}
        GROUP BY 1, 2
    """
    return rows(sql, [*p_params, *w_params])


def customer_latest(scope: Scope) -> dict[str, np.ndarray]:
    """One row per (period, linked customer): the latest scored response, the customer's money.

    Latest = greatest `responded_at`, then greatest `response_id`, then greatest row id.
    """
    # Periods as 1/0 here: the sort below compares them a million times.
    period, p_params = scope.period_case(labels=("1", "0"))
    where, w_params = scope.where()
    adapt = connection.ops.adapt_datefield_value
    cutoffs = [adapt(scope.window.current.churn_cutoff), adapt(scope.window.previous.churn_cutoff)]
    latest, l_params = _latest_sql(period, p_params, where, w_params)
    sql = f"""
        SELECT t.period, t.nps AS score, c.segment,
            COALESCE(CAST(ROUND(c.clv * 100) AS BIGINT), 0) AS clv,
            CASE WHEN c.clv IS NULL THEN 0 ELSE 1 END AS clv_known,
            COALESCE(CAST(ROUND(c.revenue * 100) AS BIGINT), 0) AS revenue,
            CASE WHEN c.revenue IS NULL THEN 0 ELSE 1 END AS revenue_known,
            CASE WHEN c.churned_on IS NOT NULL AND c.churned_on <= (
                CASE WHEN t.period = 1 THEN %s ELSE %s END) THEN 1 ELSE 0 END AS churned
        FROM ({latest}) t
        JOIN feedback_customer c ON c.organization_id = %s AND c.customer_id = t.customer_id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*cutoffs, *l_params, scope.organization_id])
        return _columns(cursor)


def _latest_sql(period: str, p_params: list, where: str, w_params: list) -> tuple[str, list]:
    """Each customer's latest scored response per period."""
    if connection.vendor == "postgresql":
        return _latest_sql_pg(where, w_params)
    order = "r.responded_at DESC, r.response_id DESC, r.id DESC"
    scored = f"{where} AND r.nps IS NOT NULL AND r.customer_id <> ''"
    sql = f"""
        SELECT period, customer_id, nps FROM (
            SELECT {period} AS period, r.customer_id, r.nps,
                ROW_NUMBER() OVER (PARTITION BY {period}, r.customer_id ORDER BY {order}) AS rn
            FROM feedback_response r WHERE {scored}
        ) ranked WHERE rn = 1
    """
    return sql, [*p_params, *p_params, *w_params]


def _latest_sql_pg(where: str, w_params: list) -> tuple[str, list]:
    """PostgreSQL: one DISTINCT ON per period, each sorting only its own period's rows, on
    byte-order ("C") text keys: the same grouping and ties as the database's collation would
    give, and a much cheaper sort. (An index in exactly this order made the read 2.5 times
    faster but feedback imports a third slower; imports won.)"""
    organization_id, cur_from, cur_to, prev_from, prev_to = w_params
    parts = []
    for label in (1, 0):
        parts.append(f"""(
            SELECT DISTINCT ON (r.customer_id COLLATE "C") {label} AS period, r.customer_id, r.nps
            FROM feedback_response r
            WHERE r.organization_id = %s AND r.responded_at >= %s AND r.responded_at < %s
                AND r.nps IS NOT NULL AND r.customer_id <> ''
            ORDER BY r.customer_id COLLATE "C", r.responded_at DESC,
                r.response_id COLLATE "C" DESC, r.id DESC
        )""")
    params = [organization_id, cur_from, cur_to, organization_id, prev_from, prev_to]
    return " UNION ALL ".join(parts), params


NUMERIC_COLUMNS = ("score", "clv", "clv_known", "revenue", "revenue_known", "churned")


FETCH_ROWS = 50_000  # rows turned into Python objects at a time (peak memory)


def _columns(cursor) -> dict[str, np.ndarray]:
    """The customer rows as arrays: money as int64 cents with a mask of known values. Read a
    chunk at a time, so only one chunk of rows is ever held as Python tuples."""
    segments, numbers = [], []
    while chunk := cursor.fetchmany(FETCH_ROWS):
        table = np.array(chunk, dtype=object).reshape(len(chunk), 8)
        segments.append(table[:, 2])
        numbers.append(table[:, [0, 1, 3, 4, 5, 6, 7]].astype(np.int64))
    numeric = np.concatenate(numbers) if numbers else np.empty((0, 7), dtype=np.int64)
    frame = {"segment": np.concatenate(segments) if segments else np.empty(0, dtype=object)}
    frame["period"] = np.where(numeric[:, 0] == 1, "current", "previous")
    for index, name in enumerate(NUMERIC_COLUMNS, start=1):
        frame[name] = numeric[:, index]
    frame["clv_known"] = frame["clv_known"].astype(bool)
    frame["revenue_known"] = frame["revenue_known"].astype(bool)
    return frame


def onboarding_counts(scope: Scope) -> list[dict]:
    """Per period and customer segment: customers who started in the period with a known
    onboarding outcome, and how many succeeded."""
    adapt = connection.ops.adapt_datefield_value
    cur, prev = scope.window.current, scope.window.previous
    sql = """
        SELECT CASE WHEN c.start_date >= %s AND c.start_date <= %s THEN 'current'
                    ELSE 'previous' END AS period,
            c.segment AS name, COUNT(*) AS known,
            SUM(CASE WHEN c.onboarding_success THEN 1 ELSE 0 END) AS succeeded
        FROM feedback_customer c
        WHERE c.organization_id = %s AND c.onboarding_success IS NOT NULL
            AND ((c.start_date >= %s AND c.start_date <= %s)
                 OR (c.start_date >= %s AND c.start_date <= %s))
        GROUP BY 1, 2
    """
    bounds = [adapt(cur.first_day), adapt(cur.last_day)]
    params = [*bounds, scope.organization_id, *bounds, adapt(prev.first_day), adapt(prev.last_day)]
    return rows(sql, params)
