"""The working calendar for templates: deadlines shown in the coordinators' time zone."""

from django import template

from enquiries.sla import current_calendar

register = template.Library()


@register.simple_tag
def working_time_zone():
    """The working calendar's time zone name, to show deadlines in the coordinators' time (the
    calendar as enquiries.sla keeps it in the cache)."""
    return current_calendar().time_zone.key
