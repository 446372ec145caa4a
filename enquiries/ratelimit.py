"""How often the enquiry form may be sent (portal.ratelimit counters, hashed, in the cache).

Two kinds of limit, both counted before anything is decided:
- every POST from one client address, valid or not, in a high hourly limit, so that nobody can
  send unlimited (or unlimited 50 MB) posts;
- enquiries that pass validation, per email address (a few per hour and per day) and per client
  address (many more per hour: families, hospitals and mobile carriers share one address).
"""

from django.conf import settings

from portal.ratelimit import FixedWindowLimit

HOUR = 60 * 60
DAY = 24 * HOUR

_posts_per_address = FixedWindowLimit(
    "enquiry-posts", window_seconds=HOUR, limit=lambda: settings.ENQUIRY_FORM_POSTS_PER_HOUR
)
_enquiries_per_address = FixedWindowLimit(
    "enquiries", window_seconds=HOUR, limit=lambda: settings.ENQUIRY_RATE_LIMIT_PER_HOUR
)
_enquiries_per_email_hourly = FixedWindowLimit(
    "enquiry-email-hour",
    window_seconds=HOUR,
    limit=lambda: settings.ENQUIRY_RATE_LIMIT_PER_EMAIL_PER_HOUR,
)
_enquiries_per_email_daily = FixedWindowLimit(
    "enquiry-email-day",
    window_seconds=DAY,
    limit=lambda: settings.ENQUIRY_RATE_LIMIT_PER_EMAIL_PER_DAY,
)


def count_post(request):
    """Counts one POST of the form from this client address; True when it is beyond the limit."""
    return _posts_per_address.exceeded(request)


def count_enquiry(request, *, email=""):
    """Counts one enquiry about to be stored (or a bot's, which is not); True when it is beyond a
    limit of its email address or of its client address, and must not be stored."""
    # The same address however it was typed, as the duplicate check compares them.
    email = email.strip().lower()
    if email and (
        _enquiries_per_email_hourly.exceeded(request, identity=email)
        or _enquiries_per_email_daily.exceeded(request, identity=email)
    ):
        return True
    return _enquiries_per_address.exceeded(request)
