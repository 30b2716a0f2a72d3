from django import template
from django.utils import timezone
from django.utils.safestring import SafeString

from tce_portal.markup import format_html

from ..search import snippet_html

register = template.Library()


@register.simple_tag
def report_card(report) -> SafeString:
    """A published report in a public list, as its published edition names it: its title (a
    link to its page), its BSP's facts, its dates, and from a search its snippet. ``report``
    is a ``ReportCard`` (``LearningReportQuerySet.cards``).

    Written here, not in a template: a list has up to 20, and the template language took 55
    microseconds for each (75 with its ``include``), this 25."""
    dates, snippet = report.card_dates, report.search_snippet
    return format_html(
        '<article class="card report-card"><div class="card-body">'
        '<h3 class="h5 card-title"><a href="{}">{}</a></h3>'
        '<p class="card-text mb-1">{}</p>{}{}</div></article>',
        report.get_absolute_url(),
        report.title,
        report.card_line,
        format_html('<p class="card-text small text-body-secondary mb-0">{}</p>', dates)
        if dates
        else "",
        format_html(
            '<p class="card-text search-snippet mt-2 mb-0">…{}…</p>',
            snippet_html(snippet, report.search_terms),
        )
        if snippet
        else "",
    )


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
