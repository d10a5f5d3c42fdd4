"""`{% page_query n %}`: the current query string with page=n, so a list's
filters and search (?q=) stay on every page."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_query(context, number):
    request = context.get("request")
    params = request.GET.copy() if request is not None else {}
    if request is None:
        return f"page={number}"
    params["page"] = number
    return params.urlencode()
