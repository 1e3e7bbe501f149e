"""A stamp of an organization's data (the dashboard's: `alignment.dashboard.data_stamp`), kept
a few seconds in the shared cache and renewed by every write to the organization.

Pages cached under the stamp are served while it stands; computing it reads every table those
pages show (one query, a few milliseconds at scale), so under load it is computed once per
TTL_S instead of once per page. A kept stamp counts only under the organization's current
*generation*, which `stamp_forget` renews, now and after the commit: every write request to an
organization's pages and endpoints (the tenancy bases call it), every save or delete of a
stamped row (signals: management commands and workers) and a run or an import finishing. The
generation is read before the stamp is computed, so a stamp computed before a commit is never
taken for current. TTL_S bounds what any other write (a bulk update in a worker) leaves behind.
The embedded default (per-process cache) computes it on every page."""

import secrets
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

KEY = "orgs:stamp:v2:{}"
GENERATION_KEY = "orgs:stamp-generation:{}"
TTL_S = 5
GENERATION_TTL_S = 3600


def stamp_get(organization_id: int, compute: Callable[[], str]) -> str:
    if not settings.SHARED_CACHE:
        return compute()
    key, generation_key = KEY.format(organization_id), GENERATION_KEY.format(organization_id)
    # Read before computing: a write committed after this read has set a new generation, so
    # a stamp computed too early is never taken for current (cxalign/orgs/people.py does the same).
    found = cache.get_many([generation_key, key])
    generation, entry = found.get(generation_key, "0"), found.get(key)
    if entry is None or entry[0] != generation:
        entry = (generation, compute())
        cache.set(key, entry, TTL_S)
    return entry[1]


def stamp_forget(organization_id: int | None) -> None:
    """A new generation for the organization's stamp, now and after the commit."""
    if organization_id is None:
        return
    key = GENERATION_KEY.format(organization_id)
    cache.set(key, secrets.token_hex(8), GENERATION_TTL_S)
    transaction.on_commit(lambda: cache.set(key, secrets.token_hex(8), GENERATION_TTL_S))
