"""How often the enquiry form may be sent (portal.ratelimit counters, hashed, in the cache).

Two kinds of limit, both counted before anything is decided:
- every POST from one client address, valid or not, in a high hourly limit, so that nobody can
  send unlimited (or unlimited 50 MB) posts;
- enquiries that pass validation, per email address (a few per hour and per day) and per client
  address (many more per hour: families, hospitals and mobile carriers share one address).
  An enquiry refused by one of these limits uses up none of them: its counts are given back, so
  retries at a full address do not exhaust the patient's email address, nor the other way round.

One form (its submission token) is counted once: the same form sent again at once (a double
click, a flaky connection's resend) follows the decision taken for the first copy, so it reaches
the thank-you page of the one stored enquiry instead of a limit. Every copy counts itself and
the first decision stored wins; the others give their counts back, so no copy ever waits for
another (a sync server process waiting would serve nobody meanwhile).
"""

from django.conf import settings
from django.core.cache import cache

from portal.ratelimit import FixedWindowLimit

HOUR = 60 * 60
DAY = 24 * HOUR
# How long the decision on one form stands: enough for every copy sent at once, short enough
# that a refused patient may send the same form again once the limit's window has passed.
DECISION_SECONDS = 60
_ACCEPTED, _REFUSED = "accepted", "refused"

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
    refused, counts = _count_enquiry(request, email)
    if submission_token is None:
        return refused
    # A random UUID the form was given: nothing personal in the key.
    key = f"enquiry-decision:{submission_token}"
    if cache.add(key, _REFUSED if refused else _ACCEPTED, DECISION_SECONDS):
        return refused
    first_decision = cache.get(key)
    if first_decision is None:
        # No decision to follow (the cache is down, or it expired): this copy's own stands.
        return refused
    # Another copy of this form was decided first, and counted: this one is not counted again.
    for counted in counts:
        counted.give_back()
    return first_decision == _REFUSED


def _count_enquiry(request, email):
    """Whether the enquiry is refused, and the counts it holds (none when it is refused)."""
    limits = [(_enquiries_per_address, None)]
    # The same address however it was typed, as the duplicate check compares them.
    if email := email.strip().lower():
        limits += [(_enquiries_per_email_hourly, email), (_enquiries_per_email_daily, email)]
    counts = []
    for limit, identity in limits:
        # Counted first and decided on the number it got: parallel posts cannot all slip under.
        counts.append(counted := limit.count(request, identity=identity))
        if counted.exceeded:
            for taken in counts:
                taken.give_back()
            return True, []
    return False, counts
