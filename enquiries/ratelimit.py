"""How often the enquiry form may be sent (portal.ratelimit counters, hashed, in the cache).

Two kinds of limit, both counted before anything is decided:
- every POST from one client address, valid or not, in a high hourly limit, so that nobody can
  send unlimited (or unlimited 50 MB) posts;
- enquiries that pass validation, per email address (a few per hour and per day) and per client
  address (many more per hour: families, hospitals and mobile carriers share one address).

One form (its submission token) is counted once: the same form sent again at once (a double
click, a flaky connection's resend) follows the decision taken for the first copy, so it reaches
the thank-you page of the one stored enquiry instead of a limit.
"""

import time

from django.conf import settings
from django.core.cache import cache

from portal.ratelimit import FixedWindowLimit

HOUR = 60 * 60
DAY = 24 * HOUR
# How long the decision on one form stands: enough for every copy sent at once, short enough
# that a refused patient may send the same form again once the limit's window has passed.
DECISION_SECONDS = 60
# Deciding takes a few cache round trips; a copy waits that long for it, and at most this.
DECISION_WAIT_SECONDS = 2
_DECIDING, _ACCEPTED, _REFUSED = "deciding", "accepted", "refused"

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


def count_enquiry(request, *, email="", submission_token=None):
    """Counts one enquiry about to be stored (or a bot's, which is not); True when it is beyond a
    limit of its email address or of its client address, and must not be stored."""
    if submission_token is None:
        return _count_enquiry(request, email)
    # A random UUID the form was given: nothing personal in the key.
    key = f"enquiry-decision:{submission_token}"
    if cache.add(key, _DECIDING, DECISION_SECONDS):
        refused = _count_enquiry(request, email)
        cache.set(key, _REFUSED if refused else _ACCEPTED, DECISION_SECONDS)
        return refused
    decision = _decision_for_another_copy(key)
    if decision is None:
        # No decision to follow (the cache is down, or it expired): this copy counts itself.
        return _count_enquiry(request, email)
    return decision == _REFUSED


def _decision_for_another_copy(key):
    deadline = time.monotonic() + DECISION_WAIT_SECONDS
    while (decision := cache.get(key)) == _DECIDING and time.monotonic() < deadline:
        time.sleep(0.01)
    return None if decision == _DECIDING else decision


def _count_enquiry(request, email):
    # The same address however it was typed, as the duplicate check compares them.
    email = email.strip().lower()
    if email and (
        _enquiries_per_email_hourly.exceeded(request, identity=email)
        or _enquiries_per_email_daily.exceeded(request, identity=email)
    ):
        return True
    return _enquiries_per_address.exceeded(request)
