"""The first-reply promise for templates: the same words on every page and in every email."""

from django import template

from portal.service_promise import promise_in_words

register = template.Library()


@register.simple_tag
def reply_promise():
    """The promise in the active language, e.g. "within one working day"; use it with `as`."""
    return promise_in_words()
