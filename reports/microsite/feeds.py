"""The Atom feed of newly published reports (as their current published editions say them) and of
the addenda published under them."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from .. import richtext
from ..models import SEARCH_COLUMNS, Addendum, LearningReport

SUMMARY_WORDS = 60
ITEMS = 20


class LatestReportsFeed(Feed):
    feed_type = Atom1Feed
    title = "Project Learning Reports: TCE Support Programme"
    subtitle = (
        "Newly published Project Learning Reports of the Tackling Child Exploitation (TCE) "
        "Support Programme, and the addenda published under them."
    )
    author_name = "TCE Support Programme"

    def link(self):
        return reverse("reports:report-list")

    def items(self):
        reports = (
            LearningReport.objects.published()
            .for_listing()
            .prefetch_related("bsp__themes", "published_edition__sections")
            .order_by("-published_at", "title")[:ITEMS]
        )
        addenda = (
            Addendum.objects.filter(
                published_at__isnull=False, report__in=LearningReport.objects.published()
            )
            .select_related("report__published_edition", "report__bsp__region")
            .defer(*(f"report__{column}" for column in SEARCH_COLUMNS))
            .prefetch_related("report__bsp__themes")
            .order_by("-published_at")[:ITEMS]
        )
        entries = [*reports, *addenda]
        entries.sort(key=lambda entry: entry.published_at, reverse=True)
        return entries[:ITEMS]

    def item_title(self, item):
        if isinstance(item, Addendum):
            return f"{item.report.published_edition.title}: {item.title}"
        return f"Project Learning Report: {item.published_edition.title}"

    def item_link(self, item):
        return item.get_absolute_url()

    def item_description(self, item):
        if isinstance(item, Addendum):
            report_title = item.report.published_edition.title
            lead = f"An addendum to the Project Learning Report: {report_title}."
            return _summary(lead, item.body)
        bsp = item.bsp
        lead = f"{bsp.get_bsp_type_display()} BSP, {bsp.region}, {bsp.programme_year_label}."
        sections = item.published_edition.sections_by_key
        source = sections.get("significant_learning") or sections.get("overall_goal")
        return _summary(lead, source.body if source else "")

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        if isinstance(item, Addendum):
            return item.published_at
        return item.published_edition.published_at

    def item_categories(self, item):
        bsp = item.report.bsp if isinstance(item, Addendum) else item.bsp
        return [bsp.region.name, *(theme.name for theme in bsp.themes.all())]


def _summary(lead: str, html: str) -> str:
    words = richtext.to_text(html).split()
    summary = " ".join(words[:SUMMARY_WORDS]) + (" …" if len(words) > SUMMARY_WORDS else "")
    return f"{lead} {summary}".strip()
