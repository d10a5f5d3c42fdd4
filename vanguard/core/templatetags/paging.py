"""`{% page_query n %}`: the current query string with page=n, so a list's
filters and search (?q=) stay on every page. `{% page_query n "done_page" %}` for a page
with several lists, each paged by its own parameter."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_query(context, number, param="page"):
    request = context.get("request")
    params = request.GET.copy() if request is not None else {}
    if request is None:
        return f"{param}={number}"
    params[param] = number
    return params.urlencode()
