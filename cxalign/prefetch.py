"""A signed-in page's cache reads in one round trip.

Before an organization's page runs, this middleware reads at once (`cxalign.cache.RedisCache.
prefetch`) the entries it is about to read one by one: the session (SESSION_ENGINE cached_db),
the signed-in person (cxalign/orgs/people.py), the organization's data stamp (cxalign/orgs/
stamps.py) and whatever the view names in a `prefetch_keys(request, *, user_id,
organization_id)` class method (the dashboard: its cached page). Each reader then runs exactly
as before (the session is checked, the user authenticated, the membership and role checked),
only its cache read is answered from the batch. A key that turns out not to be read costs
nothing more than its share of the MGET.

Which user a session key belongs to and which id an organization's slug has are learnt per
process from pages already served: a session key never changes user (Django makes a new key at
every sign-in), and a key guessed wrong is simply not read, so the reader asks Redis itself.
"""

import logging

from django.conf import settings
from django.contrib.sessions.backends import cached_db
from django.core.cache import caches

from cxalign.cache import PREFETCHED, RedisCache
from cxalign.orgs import people, stamps

log = logging.getLogger(__name__)
LEARNT_LIMIT = 20_000  # entries per map and process; forgotten all at once beyond
SESSIONS: dict[str, int] = {}  # session key -> user id
ORGANIZATIONS: dict[str, int] = {}  # slug -> id


class CachePrefetchMiddleware:
    """Last in MIDDLEWARE: its process_view runs when the view is known, before any reader."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.enabled = (
            settings.SHARED_CACHE
            and isinstance(caches["default"], RedisCache)
            and cached_db.__name__ == settings.SESSION_ENGINE
        )

    def __call__(self, request):
        try:
            response = self.get_response(request)
        finally:
            token = request.__dict__.pop("_cx_prefetched", None)
            if token is not None:
                PREFETCHED.reset(token)
        if self.enabled:
            _learn(request)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if self.enabled and request.method in ("GET", "HEAD"):
            keys = _keys(request, view_func, view_kwargs)
            if keys:
                request._cx_prefetched = PREFETCHED.set(_prefetch(keys))


def _prefetch(keys: list[str]) -> dict:
    try:
        return caches["default"].prefetch(keys)
    except Exception:  # Redis away: each reader meets the same error, or falls back, as before
        log.warning("Could not read a page's cache entries ahead", exc_info=True)
        return {}


def _session_key(request) -> str | None:
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")
    return key if 8 <= len(key) <= 64 and key.isalnum() else None


def _keys(request, view_func, view_kwargs) -> list[str]:
    session_key = _session_key(request)
    if session_key is None:
        return []
    keys = [cached_db.KEY_PREFIX + session_key]
    user_id = SESSIONS.get(session_key)
    organization_id = ORGANIZATIONS.get(view_kwargs.get("org_slug", ""))
    if user_id is not None:
        keys += people.keys(user_id)
    if organization_id is not None:
        keys += stamps.keys(organization_id)
    hook = getattr(getattr(view_func, "view_class", None), "prefetch_keys", None)
    if hook is not None and user_id is not None and organization_id is not None:
        keys.extend(hook(request, user_id=user_id, organization_id=organization_id))
    return keys


def _learn(request) -> None:
    user = request.__dict__.get("_cached_user")  # only when the page read it
    session = getattr(request, "session", None)
    signed_in = user is not None and user.is_authenticated and session is not None
    if signed_in and session.session_key and SESSIONS.get(session.session_key) != user.pk:
        _remember(SESSIONS, session.session_key, user.pk)
    membership = getattr(request, "membership", None)
    if membership is not None:
        slug = membership.organization.slug
        if ORGANIZATIONS.get(slug) != membership.organization_id:
            _remember(ORGANIZATIONS, slug, membership.organization_id)


def _remember(learnt: dict, key, value) -> None:
    if len(learnt) >= LEARNT_LIMIT:
        learnt.clear()
    learnt[key] = value
