"""The enquiry list's rows and filters for its template (enquiries.admin.list_rows, filters)."""

from django import template

from enquiries.admin import filters, list_rows

register = template.Library()


@register.inclusion_tag("admin/change_list_results.html")
def enquiry_result_list(cl):
    return list_rows.result_list(cl)


@register.simple_tag
def enquiry_list_filter(cl, spec):
    return filters.list_filter_html(cl, spec)
