"""Fixed-window counters per client address in Django's cache (Redis in production, so every
server process shares them): the enquiry form and the staff login both count with these. The
address is only ever used as a keyed hash: it appears in no cache key, log line or database row."""

import time

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac


def client_address(request):
    """The client's address: the socket's, or the one the trusted proxies put in X-Forwarded-For.

    Only the last TRUSTED_PROXY_COUNT entries were written by our proxies; anything to their
    left came from the client and could be forged."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


class FixedWindowLimit:
    """At most `limit()` events per address in each window of `window_seconds`.

    `limit` is a callable so tests and settings overrides take effect without a restart."""

    def __init__(self, name, *, window_seconds, limit):
        self.name = name
        self.window_seconds = window_seconds
        self.limit = limit

    def _key(self, request):
        # A keyed hash: IPv4 addresses are too few for a plain hash to hide them.
        digest = salted_hmac(
            f"{self.name}.ratelimit", client_address(request), algorithm="sha256"
        ).hexdigest()[:32]
        window = int(time.time() // self.window_seconds)
        return f"{self.name}:rate:{digest}:{window}"

    def is_limited(self, request):
        """True when this address has already used up the current window."""
        return cache.get(self._key(request), 0) >= self.limit()

    def record(self, request):
        """Count one more event from this address in the current window."""
        key = self._key(request)
        timeout = self.window_seconds + 60
        # add() is a no-op when the key exists, so concurrent first events cannot reset it;
        # incr() is atomic in Redis and in the local-memory cache.
        cache.add(key, 0, timeout=timeout)
        try:
            cache.incr(key)
        except ValueError:
            # The key expired between add() and incr(): start the new window at one.
            cache.add(key, 1, timeout=timeout)
