"""Django's Redis cache backend, made harmless when Redis is down: a cache error is a cache miss.

Every caller (the page cache, the content version, the empty form's HTML, the admin's country
list) already treats a miss as "build it again", so a Redis outage costs speed, never a page.
After a failure the backend stops asking Redis for RETRY_SECONDS (a small circuit breaker): a dead
Redis then costs one short connect timeout per process every few seconds, not one per operation.
One warning is logged when an outage starts and one info line when Redis answers again.

The one operation a miss cannot stand in for is incr(), which the rate limits count with: it
raises CacheUnavailable (a ValueError, what incr() raises for a missing key) so portal.ratelimit
can fall back to counting in the process's memory.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Seconds without asking Redis after a failure; the first request after them tries again.
RETRY_SECONDS = 5
# Redis answers in well under a millisecond on a private network: a peer that has not connected
# or answered in half a second is down, and waiting longer only makes every page wait with it.
DEFAULT_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}


class CacheUnavailable(ValueError):
    """incr() could not reach the cache (for other callers, the same as a missing key)."""


class _Breaker:
    """Whether one Redis location is believed down, shared by every thread of the process
    (Django gives each thread its own cache object)."""

    def __init__(self, location):
        self.location = location
        self.lock = threading.Lock()
        self.down = False
        self.skip_until = 0.0

    def is_open(self):
        return self.down and _clock() < self.skip_until

    def failed(self, error):
        with self.lock:
            self.skip_until = _clock() + RETRY_SECONDS
            if self.down:
                return
            self.down = True
        # The class only: the message of a connection error names the host, nothing more useful.
        logger.warning(
            "Shared cache unreachable (%s): serving without it, retrying every %s s",
            type(error).__name__,
            RETRY_SECONDS,
        )

    def succeeded(self):
        if not self.down:
            return
        with self.lock:
            if not self.down:
                return
            self.down = False
        logger.info("Shared cache reachable again")


# Monotonic, so a change of the wall clock neither ends nor prolongs a pause; tests replace it.
_clock = time.monotonic
_breakers = {}
_breakers_lock = threading.Lock()


def _breaker(location):
    with _breakers_lock:
        return _breakers.setdefault(location, _Breaker(location))


def reset_breakers():
    """Forget every outage (for tests: each starts with Redis believed up)."""
    with _breakers_lock:
        _breakers.clear()


class ResilientRedisCache(RedisCache):
    """RedisCache whose operations answer as a miss (or do nothing) while Redis is unreachable."""

    def __init__(self, server, params):
        params = {**params, "OPTIONS": {**DEFAULT_OPTIONS, **params.get("OPTIONS", {})}}
        super().__init__(server, params)
        self._breaker = _breaker(",".join(self._servers))

    def _call(self, operation, *args, when_down):
        if self._breaker.is_open():
            return when_down
        try:
            result = operation(*args)
        except RedisError as error:
            self._breaker.failed(error)
            return when_down
        self._breaker.succeeded()
        return result

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().add, key, value, timeout, version, when_down=False)

    def get(self, key, default=None, version=None):
        return self._call(super().get, key, default, version, when_down=default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._call(super().set, key, value, timeout, version, when_down=None)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().touch, key, timeout, version, when_down=False)

    def delete(self, key, version=None):
        return self._call(super().delete, key, version, when_down=False)

    def get_many(self, keys, version=None):
        return self._call(super().get_many, keys, version, when_down={})

    def has_key(self, key, version=None):
        return self._call(super().has_key, key, version, when_down=False)

    def incr(self, key, delta=1, version=None):
        unavailable = object()
        result = self._call(super().incr, key, delta, version, when_down=unavailable)
        if result is unavailable:
            raise CacheUnavailable("the shared cache is unreachable")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # Django's contract: the keys that were not stored.
        return self._call(super().set_many, data, timeout, version, when_down=list(data))

    def delete_many(self, keys, version=None):
        self._call(super().delete_many, keys, version, when_down=None)

    def clear(self):
        return self._call(super().clear, when_down=False)
