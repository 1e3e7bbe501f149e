"""Cache entries that count only under their generation (cxalign/orgs/people.py, stamps.py).

An entry is stored with the generation it was computed under, and taken only while that is
still the current one. A change renews the generation (a random token), now and again after
the transaction commits. The generation is read before the value is computed, so a value
computed from rows read before a commit is never taken for current, however late it reaches
the cache. Both reads are one `get_many`, which cxalign/prefetch.py can answer ahead.
"""

import secrets
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import transaction

FIRST = "0"  # the generation before any change (or after its key was lost)


def generation_get(key: str, generation_key: str, compute: Callable[[], Any], ttl: int):
    """(value, generation): the value kept under `key` if it was computed under the current
    generation, else computed now and kept for `ttl` seconds."""
    found = cache.get_many([generation_key, key])
    generation, entry = found.get(generation_key, FIRST), found.get(key)
    if entry is None or entry[0] != generation:
        entry = (generation, compute())
        cache.set(key, entry, ttl)
    return entry[1], generation


def generations_renew(generation_keys: list[str], ttl: int) -> None:
    """New generations under these keys, now and once the current transaction commits (`ttl`
    must outlive the entries: a lost generation reads as FIRST)."""
    if generation_keys:
        _renew(generation_keys, ttl)
        transaction.on_commit(lambda: _renew(generation_keys, ttl))


def _renew(generation_keys: list[str], ttl: int) -> None:
    cache.set_many({key: secrets.token_hex(8) for key in generation_keys}, ttl)
