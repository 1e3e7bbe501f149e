"""The responses export: its columns and rows. Writing (CSV streamed, XLSX in openpyxl's
streaming mode, formulas neutralised) is `cxalign.tabular.write`'s."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet

from cxalign.tabular.write import table_response

HEADER = [
    "response_id",
    "source",
    "responded_at",
    "customer_id",
    "nps",
    "csat",
    "ces",
    "channel",
    "segment",
    "touchpoint",
    "themes",
    "comment",
]
CHUNK = 2000


def response_rows(responses: QuerySet) -> Iterator[list]:
    """One row per response, newest first, read in chunks."""
    qs = responses.order_by("-responded_at", "-id")
    for r in qs.iterator(chunk_size=CHUNK):
        yield [
            r.response_id or r.key,
            r.source.name,
            r.responded_at.isoformat() if r.responded_at else "",
            r.customer_id,
            r.nps,
            r.csat,
            r.ces,
            r.channel,
            r.segment,
            r.touchpoint.name if r.touchpoint else r.touchpoint_name,
            "; ".join(name for name, _ in r.theme_names),
            r.comment,
        ]


def responses_export(responses: QuerySet, *, fmt: str, name: str):
    """The download of `responses` as `name`.csv or `name`.xlsx."""
    return table_response(fmt, HEADER, response_rows(responses), name=name, sheet="Responses")
