"""The microsite's pages that list or carry a published report, for tests that check what the
public sees on each (a working copy under revision, a private note, a report taken down)."""

from django.urls import reverse


def public_surfaces(report, *, search: str) -> dict[str, str]:
    """Name -> address: the listing, a search for ``search``, the report's region, learning by
    section, the feed, the sitemap and the open data."""
    return {
        "listing": reverse("reports:report-list"),
        "search": reverse("reports:report-list") + f"?q={search}",
        "region": reverse("reports:region-detail", kwargs={"slug": report.bsp.region.slug}),
        "learning": reverse("reports:learning") + "?section=significant_learning",
        "feed": reverse("reports:feed"),
        "sitemap": reverse("reports:sitemap-section", kwargs={"section": "reports"}),
        "open data (CSV)": reverse("reports:data-reports-csv"),
        "open data (JSON)": reverse("reports:data-reports-json"),
    }
