"""Whole pages cached per person, their bodies kept in each process's memory.

The shared cache holds, under the page's key, only the version the page was rendered from and
the digest of its body; the body is stored once under its digest (`BODY_KEY`) and kept by each
process that served it (`LOCAL`, the most recently served LOCAL_LIMIT bodies). Serving a cached
page then reads a few bytes from Redis, never the 80 KB page. A body is found by its digest
only, so it is exactly the bytes that were stored for that version. Its CSRF token is a random
slot (`csrf_slot`) that every answer fills with the request's own token (`with_csrf`).
"""

import hashlib
import secrets
import threading
from collections import OrderedDict

from django.core.cache import cache
from django.middleware.csrf import get_token

BODY_KEY = "pages:body:{}"
LOCAL_LIMIT = 64
LOCAL: OrderedDict[str, bytes] = OrderedDict()
_LOCK = threading.Lock()  # a threaded server's requests share LOCAL


def csrf_slot() -> str:
    """What a page is rendered with in place of the CSRF token: random for each render, so no
    text in the page (a goal's title...) can hold it; `with_csrf` fills in each request's own."""
    return "cx-csrf-" + secrets.token_hex(16)


def with_csrf(request, body: bytes, slot: str) -> bytes:
    return body.replace(slot.encode(), get_token(request).encode())


def page_get(key: str, version: str) -> tuple[bytes, str] | None:
    """The body stored under `key` for this version and its CSRF slot, else None (render)."""
    entry = cache.get(key)
    if entry is None or entry.get("version") != version:
        return None
    digest = entry["digest"]
    with _LOCK:
        body = LOCAL.get(digest)
        if body is not None:
            LOCAL.move_to_end(digest)
            return body, entry["slot"]
    body = cache.get(BODY_KEY.format(digest))
    if body is None:
        return None
    _keep_local(digest, body)
    return body, entry["slot"]


def page_set(key: str, version: str, body: bytes, *, slot: str, timeout: int) -> None:
    digest = hashlib.sha256(body).hexdigest()
    entry = {"version": version, "digest": digest, "slot": slot}
    cache.set_many({key: entry, BODY_KEY.format(digest): body}, timeout)
    _keep_local(digest, body)


def _keep_local(digest: str, body: bytes) -> None:
    with _LOCK:
        LOCAL[digest] = body
        LOCAL.move_to_end(digest)
        while len(LOCAL) > LOCAL_LIMIT:
            LOCAL.popitem(last=False)
