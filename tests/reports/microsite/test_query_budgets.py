"""Query budgets of the public pages: the same with 3 published reports as with 43.

Measured on a cache miss (the page cache is emptied before each request), with the figures about
the whole corpus stored (``reports/microsite/summary.py``): the first page after a change works
them out once for every page after it (``test_summary.py``).
"""

import pytest
from django.core.cache import caches
from django.urls import reverse

from reports.models import Status
from tests.factories import make_cast
from tests.support.responses import body

# (url name, kwargs, query string, budget, what the queries are)
BUDGETS = [
    (
        "reports:home",
        {},
        "",
        5,
        "the stored figures; the latest reports' ids, then those reports + themes + methodologies",
    ),
    (
        "reports:report-list",
        {},
        "",
        7,
        "the stored options and facet counts (with the result count); the page's ids, then its "
        "reports + themes + methodologies; the result's slugs for its one-PDF link",
    ),
    (
        "reports:report-list",
        {},
        "q=learned&region=north-west&sort=title",
        13,
        "the stored options; 6 facet counts (one query); the result count; the page's ids, then "
        "its reports + themes + methodologies; the slugs; on PostgreSQL, the search's own "
        "transaction (a savepoint inside a test's) and its SET LOCAL (search.through_the_index)",
    ),
    (
        "reports:report-detail",
        {"slug": "east-sussex"},
        "",
        11,
        "report with its edition + themes + methodologies; the edition with its signatures + "
        "its sections; the list of editions; the published addenda; related reports' ids, then "
        "those reports + themes + methodologies",
    ),
    (
        "reports:programme",
        {},
        "",
        2,
        "regions; the stored counts (BSPs by region, type, theme and year, the totals, the "
        "published count: worked out once after a change, in grouped queries)",
    ),
    (
        "reports:programme-year",
        {"year": 2020},
        "",
        3,
        "the stored years' totals; a page of the year's BSPs + their count",
    ),
    (
        "reports:learning",
        {},
        "",
        5,
        "the stored options, facet counts and count of reports with the section; a page of "
        "sections' ids, then those sections with their reports",
    ),
    (
        "reports:region-detail",
        {"slug": "north-west"},
        "",
        7,
        "region; its stored figures (BSPs, local authorities, reports); a page of BSPs; the "
        "newest reports' ids, then those reports + themes + methodologies",
    ),
    (
        "reports:partnership-detail",
        {"slug": "east-sussex"},
        "",
        9,
        "partnership + local authorities + agencies; as for a region",
    ),
    (
        "reports:feed",
        {},
        "",
        6,
        "reports + themes + methodologies + their editions' sections; addenda + their themes",
    ),
    (
        "reports:sitemap",
        {},
        "",
        4,
        "the index: the stored count and newest date of the reports; each other section's count "
        "of addresses",
    ),
    (
        "reports:sitemap-section",
        {"section": "reports"},
        "",
        2,
        "a page of published reports with their editions; their count",
    ),
    (
        "reports:data-reports-csv",
        {},
        "",
        4,
        "reports with their editions and signatures; themes; methodologies; the editions' "
        "sections (two cursors, merged as they stream)",
    ),
    (
        "reports:data-reports-json",
        {},
        "",
        5,
        "their count; then as for reports.csv",
    ),
    ("reports:data-bsps-csv", {}, "", 4, "published slugs; BSPs + themes + methodologies"),
]


def many_more_reports(count=40):
    themes = [["Data"], ["Culture"], ["Data", "Partnership"], []]
    for n in range(count):
        make_cast(
            f"Northern Area {n:02d}",
            region="North West",
            themes=themes[n % 4],
            methodologies=["Strategy", "Data"][: n % 3],
            sections={
                "reasons": f"<p>Area {n} asked for support.</p>",
                "significant_learning": f"<p>Area {n} learned a lot.</p>",
            },
            status=Status.PUBLISHED,
        )


@pytest.mark.parametrize("size", ["few", "many"])
def test_public_pages_keep_to_their_query_budget(
    catalogue, client, django_assert_max_num_queries, size
):
    if size == "many":
        many_more_reports()
    for name, kwargs, query, budget, _queries in BUDGETS:
        url = reverse(name, kwargs=kwargs) + (f"?{query}" if query else "")
        client.get(url)  # the figures about the whole corpus are worked out once (summary.py)
        caches["microsite"].clear()
        with django_assert_max_num_queries(budget):
            response = client.get(url)
            body(response)  # a streamed response (open data) reads as it is sent
        assert response.status_code == 200, url


def test_a_cached_page_costs_no_query(catalogue, client, django_assert_num_queries):
    """From the in-memory cache of the tests; with the default database cache, one query."""
    url = reverse("reports:report-list")
    client.get(url)
    with django_assert_num_queries(0):
        response = client.get(url)
    assert response.status_code == 200
    assert "Kernow" in response.content.decode()
