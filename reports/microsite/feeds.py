"""The Atom feed of newly published reports, as their current published editions say them."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from .. import richtext
from ..models import LearningReport

SUMMARY_WORDS = 60


class LatestReportsFeed(Feed):
    feed_type = Atom1Feed
    title = "Project Learning Reports: TCE Support Programme"
    subtitle = (
        "Newly published Project Learning Reports of the Tackling Child Exploitation (TCE) "
        "Support Programme."
    )
    author_name = "TCE Support Programme"

    def link(self):
        return reverse("reports:report-list")

    def items(self):
        return (
            LearningReport.objects.published()
            .for_listing()
            .prefetch_related("published_edition__sections")
            .order_by("-published_at", "title")[:20]
        )

    def item_title(self, item):
        return f"Project Learning Report: {item.published_edition.title}"

    def item_description(self, item):
        bsp = item.bsp
        lead = f"{bsp.get_bsp_type_display()} BSP, {bsp.region}, {bsp.programme_year_label}."
        sections = item.published_edition.sections_by_key
        source = sections.get("significant_learning") or sections.get("overall_goal")
        words = richtext.to_text(source.body).split() if source else []
        summary = " ".join(words[:SUMMARY_WORDS]) + (" …" if len(words) > SUMMARY_WORDS else "")
        return f"{lead} {summary}".strip()

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.published_edition.published_at

    def item_categories(self, item):
        return [item.bsp.region.name, *(theme.name for theme in item.bsp.themes.all())]
