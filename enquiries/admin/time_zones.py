"""Which clock the back office shows times on: the coordinator's, and the patient's beside it."""

import re
import zoneinfo
from datetime import timedelta, timezone

from django.core.cache import cache

from enquiries.models import CoordinatorProfile
from enquiries.sla import current_calendar

# How long a coordinator's time zone is kept in the cache (their profile's save forgets it).
COORDINATOR_TIME_ZONE_SECONDS = 60
UTC_OFFSET = re.compile(r"^UTC([+-])(\d{2}):(\d{2})$")


COORDINATOR_TIME_ZONE_KEY = "enquiries:coordinator-time-zone:{user_pk}"


def coordinator_time_zone(user):
    """The time zone `user` reads times in: their profile's when they have one, else the working
    calendar's (where the coordinators work). Kept in the cache for a minute and forgotten when
    their profile is saved: every enquiry page needs it."""
    key = COORDINATOR_TIME_ZONE_KEY.format(user_pk=user.pk)
    name = cache.get(key)
    if name is None:
        name = (
            CoordinatorProfile.objects.filter(user_id=user.pk)
            .values_list("time_zone", flat=True)
            .first()
        ) or current_calendar().time_zone.key
        cache.set(key, name, COORDINATOR_TIME_ZONE_SECONDS)
    return zoneinfo.ZoneInfo(name)


def forget_coordinator_time_zone(sender, instance, **kwargs):
    """A profile was saved (a signal receiver): its owner's pages follow its time zone at once."""
    cache.delete(COORDINATOR_TIME_ZONE_KEY.format(user_pk=instance.user_id))


def patient_time_zone(value):
    """The patient's time zone from what the form stores ("UTC+03:00"), or None when they chose
    none (or the value is not an offset)."""
    match = UTC_OFFSET.match(value or "")
    if match is None:
        return None
    sign, hours, minutes = match.groups()
    offset = timedelta(hours=int(hours), minutes=int(minutes))
    return timezone(-offset if sign == "-" else offset, value)
