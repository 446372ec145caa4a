"""Template tags for the information pages: schema.org JSON-LD that a CSP nonce can carry."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

# The same escapes as Django's json_script: the JSON can never close the <script> element.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def json_ld(context, data):
    """<script type="application/ld+json"> with the data escaped, and the CSP nonce if any.

    json_script cannot be used: it always writes type="application/json", which search engines
    ignore.
    """
    escaped = json.dumps(data, cls=DjangoJSONEncoder).translate(JSON_SCRIPT_ESCAPES)
    nonce = context.get("csp_nonce")
    # A LazyNonce is false until something on the page used it: a data block never needs one of
    # its own, so none is generated here.
    nonce_attribute = format_html(' nonce="{}"', nonce) if nonce else ""
    return format_html(
        '<script type="application/ld+json"{}>{}</script>',
        nonce_attribute,
        mark_safe(escaped),  # noqa: S308  (escaped above, like json_script)
    )
