"""Live progress of a background job, through the cache.

A job that writes inside one transaction cannot show its progress through the database, so it
reports it to the cache (Redis in the services mode, shared by web and workers; process memory
in the embedded mode, where tasks run in the web process) and the page polls it.
"""

from __future__ import annotations

import time

from django.core.cache import cache

TTL_S = 24 * 3600
EVERY_S = 0.3  # a job writes its progress at most this often


def _key(kind: str, job_id: int) -> str:
    return f"{kind}:{job_id}:progress"


def progress_get(kind: str, job_id: int) -> dict | None:
    return cache.get(_key(kind, job_id))


def progress_set(kind: str, job_id: int, values: dict) -> None:
    cache.set(_key(kind, job_id), values, TTL_S)


def progress_clear(kind: str, job_id: int) -> None:
    cache.delete(_key(kind, job_id))


def throttled(report):
    """`report` called at most every EVERY_S seconds (the first call always goes through)."""
    last = {"t": -EVERY_S}

    def call(*args, **kwargs) -> None:
        now = time.monotonic()
        if now - last["t"] >= EVERY_S:
            last["t"] = now
            report(*args, **kwargs)

    return call
