"""The sitemap: an index (``/sitemap.xml``) of sections, each in pages of at most ``LIMIT``
addresses (``/sitemap-reports.xml?p=2``): the fixed pages, every published report, every region
and partnership. No page of it grows with the number of reports."""

from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from partnerships.models import Partnership, Region

from ..models import LearningReport
from . import summary

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
            .only("slug", "published_edition__published_at")  # its address and its date
            .order_by("-published_at", "pk")
        )

    def lastmod(self, item):
        return item.published_edition.published_at

    def _figures(self) -> dict:
        """How many reports, and when the newest was published: stored until the next change
        (``summary``), so that the index reads neither the reports nor their editions."""

        def figures():
            published = LearningReport.objects.published()
            latest = published.aggregate(latest=Max("published_edition__published_at"))["latest"]
            return {"count": published.count(), "latest": latest.isoformat() if latest else None}

        return summary.remembered("sitemap-reports", figures)

    @property
    def paginator(self):
        paginator = super().paginator
        paginator.count = self._figures()["count"]
        return paginator

    def get_latest_lastmod(self):
        latest = self._figures()["latest"]
        return datetime.fromisoformat(latest) if latest else None


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
