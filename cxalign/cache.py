"""Django's Redis cache, with one Redis client per connection pool, and a request's reads
fetched in one round trip (`prefetch`, used by cxalign.prefetch's middleware).

Django builds a new `redis.Redis` for every cache call; redis-py 8 fills about 170 response
callbacks in each client's constructor, which cost more than the round trip itself (0.2 ms a
call: a signed-in page makes four). A client is only a handle on its pool, which is safe to
share between threads and renews its connections after a fork, so one per pool is enough.

A round trip to Redis costs far more than anything a cached page does with the answer: a
request that knows which entries it is about to read (its session, the signed-in person, the
organization's data stamp, the page) reads them with one MGET. Each `get` of such an entry then
takes the value fetched for it once, with the same meaning a GET would have had a moment
earlier; a write to the entry during the request drops it, so a later `get` asks Redis again.
"""

from contextvars import ContextVar

from django.core.cache.backends import redis as django_redis

# made key -> value fetched for this request (MISSING: not in the cache)
PREFETCHED: ContextVar[dict | None] = ContextVar("cxalign_cache_prefetched", default=None)
MISSING = object()


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def prefetch(self, keys) -> dict:
        """The entries under these keys, read in one round trip, for `PREFETCHED`."""
        made = [self.make_and_validate_key(key) for key in keys]
        found = self._cache.get_many(made)
        return {key: found.get(key, MISSING) for key in made}

    def get(self, key, default=None, version=None):
        batch = PREFETCHED.get()
        if batch:
            made = self.make_and_validate_key(key, version=version)
            if made in batch:
                value = batch.pop(made)
                return default if value is MISSING else value
        return super().get(key, default, version)

    def get_many(self, keys, version=None):
        batch = PREFETCHED.get()
        if batch:
            made = {key: self.make_and_validate_key(key, version=version) for key in keys}
            if all(m in batch for m in made.values()):
                fetched = {key: batch.pop(m) for key, m in made.items()}
                return {key: value for key, value in fetched.items() if value is not MISSING}
        return super().get_many(keys, version)

    def _drop(self, keys, version=None) -> None:
        batch = PREFETCHED.get()
        if batch:
            for key in keys:
                batch.pop(self.make_and_validate_key(key, version=version), None)

    def set(self, key, value, timeout=django_redis.DEFAULT_TIMEOUT, version=None):
        self._drop([key], version)
        return super().set(key, value, timeout, version)

    def add(self, key, value, timeout=django_redis.DEFAULT_TIMEOUT, version=None):
        self._drop([key], version)
        return super().add(key, value, timeout, version)

    def touch(self, key, timeout=django_redis.DEFAULT_TIMEOUT, version=None):
        self._drop([key], version)
        return super().touch(key, timeout, version)

    def delete(self, key, version=None):
        self._drop([key], version)
        return super().delete(key, version)

    def incr(self, key, delta=1, version=None):
        self._drop([key], version)
        return super().incr(key, delta, version)

    def set_many(self, data, timeout=django_redis.DEFAULT_TIMEOUT, version=None):
        self._drop(list(data), version)
        return super().set_many(data, timeout, version)

    def delete_many(self, keys, version=None):
        keys = list(keys)
        self._drop(keys, version)
        return super().delete_many(keys, version)

    def clear(self):
        batch = PREFETCHED.get()
        if batch:
            batch.clear()
        return super().clear()
