from django import template

from ..search import snippet_html

register = template.Library()


@register.filter
def search_snippet(snippet, terms=""):
    """A search result's snippet, escaped, with its matches in ``<mark>``."""
    return snippet_html(snippet, terms or "")


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (``None`` removes one)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        query.pop(key, None)
        if value not in (None, ""):
            query[key] = value
    return query.urlencode()
