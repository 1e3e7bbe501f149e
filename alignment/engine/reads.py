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

    def period_case(self, alias: str = "r") -> tuple[str, list]:
        col = f"{alias}.responded_at"
        sql = (
            f"CASE WHEN {col} >= %s AND {col} < %s THEN 'current' "
            f"WHEN {col} >= %s AND {col} < %s THEN 'previous' END"
        )
        return sql, self._bounds()

    def where(self, alias: str = "r") -> tuple[str, list]:
        col = f"{alias}.responded_at"
        sql = (
            f"{alias}.organization_id = %s AND (({col} >= %s AND {col} < %s) "
            f"OR ({col} >= %s AND {col} < %s))"
        )
        return sql, [self.organization_id, *self._bounds()]


def rows(sql: str, params: list) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def response_counts(scope: Scope, group: str) -> list[dict]:
    """Per period and segment (or touchpoint name): NPS classes, CSAT, CES, link counts."""
    column = {"segment": "r.segment", "touchpoint": "r.touchpoint_name"}[group]
    period, p_params = scope.period_case()
    where, w_params = scope.where()
    sql = f"""
        SELECT {period} AS period, {column} AS name, {CLASS_SUMS},
            COUNT(r.nps) AS scored,
            MAX(r.touchpoint_id) AS touchpoint_id,
            SUM(CASE WHEN r.csat >= {CSAT_SATISFIED_MIN} THEN 1 ELSE 0 END) AS csat_satisfied,
            COUNT(r.csat) AS csat_answered,
            SUM(r.ces) AS ces_sum, COUNT(r.ces) AS ces_answered
        FROM feedback_response r
        WHERE {where}
        GROUP BY 1, 2
    """
    return rows(sql, [*p_params, *w_params])


def data_quality_counts(scope: Scope) -> list[dict]:
    """Per period: responses, scored, linked to a customer, naming an unknown touchpoint."""
    period, p_params = scope.period_case()
    where, w_params = scope.where()
    sql = f"""
        SELECT {period} AS period, COUNT(*) AS responses, COUNT(r.nps) AS scored,
            SUM(CASE WHEN c.id IS NOT NULL THEN 1 ELSE 0 END) AS linked,
            SUM(CASE WHEN r.touchpoint_name <> '' AND r.touchpoint_id IS NULL THEN 1 ELSE 0 END)
                AS unknown_touchpoint_responses
        FROM feedback_response r
        LEFT JOIN feedback_customer c
            ON c.organization_id = r.organization_id AND c.customer_id = r.customer_id
            AND r.customer_id <> ''
        WHERE {where}
        GROUP BY 1
    """
    return rows(sql, [*p_params, *w_params])


def theme_counts(scope: Scope) -> list[dict]:
    """Per period and theme: tagged responses and their NPS classes."""
    tags, theme = unnest_sql("r")
    period, p_params = scope.period_case()
    where, w_params = scope.where()
    sql = f"""
        SELECT {period} AS period, {theme} AS theme_id, {CLASS_SUMS}
        FROM feedback_response r {tags}
        WHERE {where}
        GROUP BY 1, 2
    """
    return rows(sql, [*p_params, *w_params])


CUSTOMER_COLUMNS = ("period", "customer_id", "score", "segment", "clv_cents", "revenue_cents",
                    "churned")  # fmt: skip


def customer_latest(scope: Scope) -> dict[str, np.ndarray]:
    """One row per (period, linked customer): the latest scored response, the customer's money.

    Latest = greatest `responded_at`, then greatest `response_id`, then greatest row id.
    """
    period, p_params = scope.period_case()
    where, w_params = scope.where()
    adapt = connection.ops.adapt_datefield_value
    cutoffs = [adapt(scope.window.current.churn_cutoff), adapt(scope.window.previous.churn_cutoff)]
    sql = f"""
        SELECT t.period, t.customer_id, t.nps AS score, c.segment,
            CAST(ROUND(c.clv * 100) AS BIGINT) AS clv_cents,
            CAST(ROUND(c.revenue * 100) AS BIGINT) AS revenue_cents,
            CASE WHEN c.churned_on IS NOT NULL AND c.churned_on <= (
                CASE WHEN t.period = 'current' THEN %s ELSE %s END) THEN 1 ELSE 0 END AS churned
        FROM (
            SELECT {period} AS period, r.customer_id, r.nps,
                ROW_NUMBER() OVER (
                    PARTITION BY {period}, r.customer_id
                    ORDER BY r.responded_at DESC, r.response_id DESC, r.id DESC
                ) AS rn
            FROM feedback_response r
            WHERE {where} AND r.nps IS NOT NULL AND r.customer_id <> ''
        ) t
        JOIN feedback_customer c
            ON c.organization_id = %s AND c.customer_id = t.customer_id
        WHERE t.rn = 1
    """
    params = [*cutoffs, *p_params, *p_params, *w_params, scope.organization_id]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        data = cursor.fetchall()
    return _columns(data)


def _columns(data: list[tuple]) -> dict[str, np.ndarray]:
    if not data:
        empty = {name: np.array([], dtype=object) for name in CUSTOMER_COLUMNS}
        empty["score"] = np.array([], dtype=np.int64)
        empty["churned"] = np.array([], dtype=np.int64)
        return empty
    cols = list(zip(*data, strict=True))
    frame = {
        name: np.array(col, dtype=object) for name, col in zip(CUSTOMER_COLUMNS, cols, strict=True)
    }
    frame["score"] = frame["score"].astype(np.int64)
    frame["churned"] = frame["churned"].astype(np.int64)
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
