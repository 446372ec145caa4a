"""How many enquiries one client address may send per hour (a portal.ratelimit counter)."""

from django.conf import settings

from portal.ratelimit import FixedWindowLimit

WINDOW_SECONDS = 60 * 60

_hourly = FixedWindowLimit(
    "enquiries",
    window_seconds=WINDOW_SECONDS,
    limit=lambda: settings.ENQUIRY_RATE_LIMIT_PER_HOUR,
)


def is_limited(request):
    """True when this address has already sent the hourly number of enquiries."""
    return _hourly.is_limited(request)


def record_submission(request):
    """Count one more submission from this address in the current window."""
    _hourly.record(request)
