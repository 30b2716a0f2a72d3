"""The sitemap: the fixed pages, every published report, every region and partnership."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from partnerships.models import Partnership, Region

from ..models import LearningReport


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
    def items(self):
        return (
            LearningReport.objects.published()
            .select_related("published_edition")
            .order_by("-published_at", "pk")
        )

    def lastmod(self, item):
        return item.published_edition.published_at


class RegionSitemap(Sitemap):
    def items(self):
        return Region.objects.order_by("name")


class PartnershipSitemap(Sitemap):
    def items(self):
        return Partnership.objects.order_by("name")


SITEMAPS = {
    "pages": PagesSitemap,
    "reports": ReportSitemap,
    "regions": RegionSitemap,
    "partnerships": PartnershipSitemap,
}
