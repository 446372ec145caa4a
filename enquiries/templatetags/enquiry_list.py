"""The enquiry list's rows for its template (enquiries.admin.list_rows)."""

from django import template

from enquiries.admin import list_rows

register = template.Library()


@register.inclusion_tag("admin/change_list_results.html")
def enquiry_result_list(cl):
    return list_rows.result_list(cl)
