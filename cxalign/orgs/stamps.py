"""A stamp of an organization's data (the dashboard's: `alignment.dashboard.data_stamp`), kept
a few seconds in the shared cache and forgotten on every write to the organization.

Pages cached under the stamp are served while it stands; computing it reads every table those
pages show (one query, a few milliseconds at scale), so under load it is computed once per
TTL_S instead of once per page. It is forgotten, now and after the commit, by every write
request to an organization's pages and endpoints (the tenancy bases call `stamp_forget`), by
every save or delete of a stamped row (signals: management commands and workers) and when a run
or an import finishes; TTL_S bounds what any other write (a bulk update in a worker) leaves
behind. The embedded default (per-process cache) computes it on every page.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

KEY = "orgs:stamp:v1:{}"
TTL_S = 5


def stamp_get(organization_id: int, compute: Callable[[], str]) -> str:
    if not settings.SHARED_CACHE:
        return compute()
    key = KEY.format(organization_id)
    stamp = cache.get(key)
    if stamp is None:
        stamp = compute()
        cache.set(key, stamp, TTL_S)
    return stamp


def stamp_forget(organization_id: int | None) -> None:
    if organization_id is None:
        return
    key = KEY.format(organization_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))
