from django import template
from django.utils import timezone

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


@register.filter
def elided_page_numbers(page):
    """The page numbers to offer: the first and last two, and three each side of this one, with
    ``Paginator.ELLIPSIS`` between (so 500 pages are about a dozen links)."""
    return page.paginator.get_elided_page_range(page.number, on_each_side=3, on_ends=2)


@register.filter
def iso_seconds(value):
    """A time in ISO 8601 to the second, in the site's time zone (for metadata)."""
    if not value:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()
