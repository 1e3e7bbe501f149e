"""A fixed-window counter in the cache, for limits that are not DRF throttles."""

import hashlib

from django.core.cache import cache


def limit_exceeded(*, scope: str, key: str, limit: int, window_seconds: int) -> bool:
    """Count one attempt for `key`; True once more than `limit` fell in the current window."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]  # no addresses in cache keys
    name = f"ratelimit:{scope}:{digest}"
    if cache.add(name, 1, timeout=window_seconds):
        return limit < 1
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add() and incr()
        cache.add(name, 1, timeout=window_seconds)
        count = 1
    return count > limit
