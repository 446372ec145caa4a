"""The working calendar for templates: deadlines shown in the coordinators' time zone."""

from django import template

from enquiries.working_calendar import WorkingCalendar

register = template.Library()


@register.simple_tag
def working_time_zone():
    """The working calendar's time zone name, to show deadlines in the coordinators' time."""
    return WorkingCalendar.load().time_zone
