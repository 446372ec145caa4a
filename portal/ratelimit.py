"""Fixed-window counters per client address (or per email address) in Django's cache: Redis in
production, so every server process shares them. The enquiry form and the staff login count with
these. An address is only ever used as a keyed hash: it appears in no cache key, log line or
database row.

Counting is atomic: each event takes its number from an atomic increment first, and the limit
is decided on that number, so parallel requests cannot all pass a check before any is counted.

While the shared cache is down (portal.resilient_cache), the counters live in each server
process's memory: the limits still hold per process, so at most the limit times the number of
processes. Failing open would give abusers unlimited posts for the length of an outage; failing
closed would turn every patient away because of a cache.
"""

import contextlib
import ipaddress
import time

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.utils.crypto import salted_hmac

from portal.resilient_cache import CacheUnavailable

# Enough entries for every address and email seen in an hour of a flood; a counter pushed out
# early only lets one identity start its window again.
_counters_in_this_process = LocMemCache(
    "portal.ratelimit.fallback", {"OPTIONS": {"MAX_ENTRIES": 100_000}}
)


def client_address(request):
    """The client's address: the socket's, or the one the trusted proxies put in X-Forwarded-For.

    Only the last TRUSTED_PROXY_COUNT entries were written by our proxies; anything to their
    left came from the client and could be forged. An entry that is not an IP address (a proxy
    count set too high lets the client's own text through) is never used: django-axes stores the
    address in an address column, where such text would turn a login into a server error."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            try:
                return str(ipaddress.ip_address(forwarded[-proxies]))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR", "")


class FixedWindowLimit:
    """At most `limit()` events per client address (or other identity) in each window of
    `window_seconds`.

    `limit` is a callable so tests and settings overrides take effect without a restart."""

    def __init__(self, name, *, window_seconds, limit):
        self.name = name
        self.window_seconds = window_seconds
        self.limit = limit

    def _key(self, identity):
        # A keyed hash: IPv4 addresses (and many email addresses) are too few for a plain hash
        # to hide them.
        digest = salted_hmac(f"{self.name}.ratelimit", identity, algorithm="sha256").hexdigest()
        window = int(time.time() // self.window_seconds)
        return f"{self.name}:rate:{digest[:32]}:{window}"

    def exceeded(self, request, *, identity=None):
        """Counts this event and says whether it is beyond the limit of the current window.

        Counted per client address, or per `identity` (e.g. an email address) when given."""
        return self.count(request, identity=identity).exceeded

    def count(self, request, *, identity=None):
        """Counts this event, as exceeded() does, and returns the count, which can be given back."""
        if identity is None:
            identity = client_address(request)
        key = self._key(identity)
        timeout = self.window_seconds + 60
        try:
            return Counted(cache, key, _count(cache, key, timeout), self.limit())
        except CacheUnavailable:
            counters = _counters_in_this_process
            return Counted(counters, key, _count(counters, key, timeout), self.limit())


class Counted:
    """One event counted under one limit: whether it is beyond that limit, and how to take it
    back (an event refused by another limit must not use this one up)."""

    def __init__(self, counters, key, number, limit):
        # The counters and the key it was counted under, so that it is given back in the same
        # window and the same store even when the window or the cache changed since.
        self.counters = counters
        self.key = key
        self.exceeded = number > limit

    def give_back(self):
        # Its window over (the key expired) or the cache gone away: nothing left to take back,
        # or a count left behind, which only errs on the side of the limit.
        with contextlib.suppress(ValueError):
            self.counters.decr(self.key)


def _count(counters, key, timeout):
    """One more event under `key`; the number counted so far in its window, this one included."""
    # add() is a no-op when the key exists, so concurrent first events cannot reset it; incr()
    # is atomic in Redis and in the local-memory cache and gives each event its own number.
    counters.add(key, 0, timeout=timeout)
    try:
        return counters.incr(key)
    except CacheUnavailable:
        raise
    except ValueError:
        # The key expired between add() and incr(): this event starts the new window.
        if counters.add(key, 1, timeout=timeout):
            return 1
        return counters.incr(key)
