"""Automatic assignment: who a new enquiry goes to, when lead coordinators leave the rule on.

Round-robin among the coordinators who take new enquiries, are not away today and speak the
enquiry's language; if none of them speaks it, among all who take new enquiries and are not away;
if none is, among all active coordinators; with none at all, the enquiry stays unassigned. The
next is whoever was given one automatically longest ago (never first, then the oldest account).

A coordinator without a profile counts as the defaults of a new one (takes new enquiries, English
only): a profile is made for them here, since the round-robin keeps its turn on it.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from enquiries import sla
from enquiries.models import CoordinatorProfile, EnquiryEvent, staff_name
from enquiries.models.staff import AssignmentPool as Pool
from enquiries.models.staff import AssignmentRule
from enquiries.roles import assignable_staff


@dataclass(frozen=True)
class Choice:
    profile: CoordinatorProfile
    pool: str


def choose(profiles, language, today):
    """Whom of `profiles` (with their users) a new enquiry in `language` goes to, and from which
    pool, or None when there is nobody."""
    available = [profile for profile in profiles if profile.takes_new_enquiries_on(today)]
    speaking = [profile for profile in available if profile.speaks(language)]
    for pool, candidates in (
        (Pool.SPEAKS_LANGUAGE, speaking),
        (Pool.AVAILABLE, available),
        (Pool.ALL_ACTIVE, profiles),
    ):
        if candidates:
            return Choice(min(candidates, key=_turn), pool)
    return None


def _turn(profile):
    # Never given one first; ties (never, or the same instant) go to the oldest account.
    last = profile.last_auto_assigned_at
    return (last is not None, last, profile.user_id)


def assign_new_enquiry(enquiry, *, now=None):
    """Give a new, unassigned `enquiry` to a coordinator by the rule, if the rule is on; put it on
    the timeline. Returns the coordinator, or None. Runs inside the caller's transaction (intake's):
    the profiles of the coordinators stay locked until it commits, so two enquiries arriving at
    once take turns instead of both going to the same person."""
    if not AssignmentRule.load().assign_new_enquiries_automatically:
        return None
    now = now or timezone.now()
    staff = list(assignable_staff().select_related("coordinator_profile").order_by("pk"))
    if not staff:
        return None
    with transaction.atomic():
        # Profiles for whoever has none (the defaults); another enquiry may make them meanwhile.
        without_profile = [user for user in staff if not hasattr(user, "coordinator_profile")]
        if without_profile:
            CoordinatorProfile.objects.bulk_create(
                [CoordinatorProfile(user=user) for user in without_profile],
                ignore_conflicts=True,
            )
        # Locked in one order, so two intakes never wait on each other crosswise; the turns read
        # after the lock are the ones the other intake left.
        profiles = list(
            CoordinatorProfile.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(user__in=staff)
            .order_by("pk")
        )
        today = sla.current_calendar().local_date(now)
        choice = choose(profiles, enquiry.language, today)
        if choice is None:
            return None
        chosen = choice.profile
        chosen.last_auto_assigned_at = now
        chosen.save(update_fields=["last_auto_assigned_at"])
        enquiry.assigned_to = chosen.user
        enquiry.save(update_fields=["assigned_to"])
        enquiry.record_event(
            EnquiryEvent.Kind.ASSIGNED_AUTOMATICALLY,
            new=staff_name(chosen.user),
            language=enquiry.language,
            pool=choice.pool,
        )
    return chosen.user
