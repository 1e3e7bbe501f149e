"""A stamp of an organization's data (the dashboard's: `alignment.dashboard.data_stamp`), kept
a few seconds in the shared cache and renewed by every write to the organization.

Pages cached under the stamp are served while it stands; computing it reads every table those
pages show (one query, a few milliseconds at scale), so under load it is computed once per
TTL_S instead of once per page. A kept stamp counts only under the organization's current
*generation*, which `stamp_forget` renews, now and after the commit: every write request to an
organization's pages and endpoints (the tenancy bases call it), every save or delete of a
stamped row (signals: management commands and workers) and a run or an import finishing. The
generation is read before the stamp is computed, so a stamp computed before a commit is never
taken for current (cxalign/generations.py). TTL_S bounds what any other write (a bulk update in a worker) leaves behind.
The embedded default (per-process cache) computes it on every page."""

from collections.abc import Callable

from django.conf import settings

from cxalign.generations import generation_get, generations_renew

KEY = "orgs:stamp:v2:{}"
GENERATION_KEY = "orgs:stamp-generation:{}"
TTL_S = 5
GENERATION_TTL_S = 3600


def stamp_get(organization_id: int, compute: Callable[[], str]) -> str:
    if not settings.SHARED_CACHE:
        return compute()
    stamp, _generation = generation_get(*keys(organization_id), compute, TTL_S)
    return stamp


def stamp_forget(organization_id: int | None) -> None:
    """A new generation for the organization's stamp, now and after the commit."""
    if organization_id is not None:
        generations_renew([GENERATION_KEY.format(organization_id)], GENERATION_TTL_S)


def keys(organization_id: int) -> list[str]:
    """The stamp's entry and generation (cxalign/prefetch.py reads them ahead)."""
    return [KEY.format(organization_id), GENERATION_KEY.format(organization_id)]
