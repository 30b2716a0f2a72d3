"""The sitemap: an index (``/sitemap.xml``) of sections, each in pages of at most ``LIMIT``
addresses (``/sitemap-reports.xml?p=2``): the fixed pages, every published report, every region
and partnership. No page of it grows with the number of reports."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from partnerships.models import Partnership, Region

from ..models import LearningReport

LIMIT = 1000


class PagesSitemap(Sitemap):
    def items(self):
        return [
            "reports:home",
            "reports:report-list",
            "reports:programme",
            "reports:learning",
            "reports:data",
        ]

    def location(self, item):
        return reverse(item)


class ReportSitemap(Sitemap):
    limit = LIMIT

    def items(self):
        return (
            LearningReport.objects.published()
            .select_related("published_edition")
            .order_by("-published_at", "pk")
        )

    def lastmod(self, item):
        return item.published_edition.published_at

    def get_latest_lastmod(self):
        """For the index: one aggregate, not every report read to find the newest."""
        return LearningReport.objects.published().aggregate(
            latest=Max("published_edition__published_at")
        )["latest"]


class RegionSitemap(Sitemap):
    limit = LIMIT

    def items(self):
        return Region.objects.order_by("name")


class PartnershipSitemap(Sitemap):
    limit = LIMIT

    def items(self):
        return Partnership.objects.order_by("name")


SITEMAPS = {
    "pages": PagesSitemap,
    "reports": ReportSitemap,
    "regions": RegionSitemap,
    "partnerships": PartnershipSitemap,
}
