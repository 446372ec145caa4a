"""The first-reply promise for templates: the same words on every page and in every email."""

from django import template

from enquiries import sla

register = template.Library()


@register.simple_tag
def reply_promise():
    """The promise in the active language, e.g. "within one working day"; use it with `as`."""
    return sla.promise_in_words()


@register.simple_tag
def working_time_zone():
    """The working calendar's time zone name, to show deadlines in the coordinators' time."""
    from enquiries.working_calendar import WorkingCalendar

    return WorkingCalendar.load().time_zone
