"""The first-reply promise in words, as every page and email puts it: the home and contact pages
(therapy_info, portal) and the enquiry pages and emails (enquiries) say the same thing. Counting
the deadline in working hours is enquiries.sla's job."""

from django.conf import settings
from django.utils.translation import gettext, ngettext

# What "one working day" means when the promise is put in words: China's statutory working day
# (Labour Law, article 36) and the usual meaning elsewhere. A promise of 16 working hours is
# "within 2 working days"; 12 is "within 12 working hours".
WORKING_DAY_HOURS = 8


def promise_hours():
    return settings.FIRST_REPLY_PROMISE_WORKING_HOURS


def promise_in_words(hours=None):
    """The first-reply promise as patients read it, in the active language: whole working days
    when the promise is a multiple of WORKING_DAY_HOURS, working hours otherwise."""
    hours = promise_hours() if hours is None else hours
    days, rest = divmod(hours, WORKING_DAY_HOURS)
    if rest:
        return ngettext(
            "within %(count)s working hour", "within %(count)s working hours", hours
        ) % {"count": hours}
    if days == 1:
        return gettext("within one working day")
    return ngettext("within %(count)s working day", "within %(count)s working days", days) % {
        "count": days
    }
