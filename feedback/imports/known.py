"""Values an import compares its rows with, without rejecting any: the customer ids and the
segments the organization knows. A row naming another one is imported as it is, and counted
with a few examples for the preview ("312 rows name a customer not in the customer records").

A set of a million customer ids is held as their sorted 64-bit hashes (8 bytes each) and a
chunk of the file is looked up with one `searchsorted`, like the import's own key lookup. Two
different ids sharing a hash would hide one unknown id from the warning, never reject a row.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# Which checked column each comparison reads.
COLUMNS = {"customers": "customer_id", "segments": "segment"}


def _hashes(values) -> np.ndarray:
    return pd.util.hash_array(np.asarray(values, dtype=object), categorize=False)


class KnownValues:
    """A set of strings for vectorised "is it known?" questions."""

    def __init__(self, values: Iterable[str]):
        self.hashes = np.unique(_hashes([v for v in values if v]))

    def __len__(self) -> int:
        return len(self.hashes)

    def unknown(self, column: pa.Array) -> np.ndarray:
        """True for each non-empty value of `column` that is not in the set."""
        values = pc.fill_null(column, "")
        filled = np.asarray(pc.not_equal(values, "").to_numpy(zero_copy_only=False), dtype=bool)
        result = np.zeros(len(values), dtype=bool)
        rows = np.flatnonzero(filled)
        if len(rows) == 0:
            return result
        hashes = _hashes(values.take(pa.array(rows)).to_numpy(zero_copy_only=False))
        if len(self.hashes) == 0:
            result[rows] = True
            return result
        pos = np.minimum(np.searchsorted(self.hashes, hashes), len(self.hashes) - 1)
        result[rows] = self.hashes[pos] != hashes
        return result


def unknown_masks(columns: dict[str, pa.Array], mapping: dict[str, str], known: dict) -> dict:
    """{"customers": mask, "segments": mask} for the comparisons this import makes."""
    return {
        name: values.unknown(columns[COLUMNS[name]])
        for name, values in known.items()
        if mapping.get(COLUMNS[name])
    }


def known_for(*, organization_id: int, kind: str, mapping: dict[str, str]) -> dict:
    """What an import of `kind` compares with (reads the database once, before the import).

    Feedback names customers (compared once the organization has customer records) and
    segments; a customer file names segments. A segment is known when a customer record or a
    priority audience (its segment key) has it; with none known there is nothing to compare.
    """
    from feedback.models import Customer
    from journeys.models import Audience

    customers = Customer.objects.filter(organization_id=organization_id)
    known: dict[str, KnownValues] = {}
    if kind == "feedback" and mapping.get("customer_id"):
        ids = KnownValues(customers.values_list("customer_id", flat=True).iterator(10_000))
        if len(ids):
            known["customers"] = ids
    if mapping.get("segment"):
        audiences = Audience.objects.filter(organization_id=organization_id).exclude(segment_key="")
        segments = KnownValues(
            [
                *customers.exclude(segment="")
                .order_by()
                .values_list("segment", flat=True)
                .distinct(),
                *audiences.values_list("segment_key", flat=True),
            ]
        )
        if len(segments):
            known["segments"] = segments
    return known
