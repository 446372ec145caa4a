"""How many enquiries one client address may send per hour: a fixed-window counter in Django's
cache (Redis in production, so every server process shares it). The address is only ever used as
a keyed hash: it appears in no cache key, log line or database row."""

import time

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac

WINDOW_SECONDS = 60 * 60


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


def _key(request, now):
    # A keyed hash: IPv4 addresses are too few for a plain hash to hide them.
    digest = salted_hmac(
        "enquiries.ratelimit", client_address(request), algorithm="sha256"
    ).hexdigest()[:32]
    window = int(now // WINDOW_SECONDS)
    return f"enquiries:rate:{digest}:{window}"


def is_limited(request):
    """True when this address has already sent the hourly number of enquiries."""
    count = cache.get(_key(request, time.time()), 0)
    return count >= settings.ENQUIRY_RATE_LIMIT_PER_HOUR


def record_submission(request):
    """Count one more submission from this address in the current window."""
    key = _key(request, time.time())
    # add() is a no-op when the key exists, so concurrent first submissions cannot reset it;
    # incr() is atomic in Redis and in the local-memory cache.
    cache.add(key, 0, timeout=WINDOW_SECONDS + 60)
    try:
        cache.incr(key)
    except ValueError:
        # The key expired between add() and incr(): start the new window at one.
        cache.add(key, 1, timeout=WINDOW_SECONDS + 60)
