"""Query budgets of the public pages: the same with 3 published reports as with 43.

Measured on a cache miss (the page cache is emptied before each request). Every page also runs
the one query of ``reports.caching.site_state`` (count and latest update of the reports that are
or were public).
"""

import pytest
from django.core.cache import cache
from django.urls import reverse

from .conftest import make_report

# (url name, kwargs, query string, budget, what the queries are)
BUDGETS = [
    (
        "home",
        {},
        "",
        8,
        "state; latest reports + themes + methodologies; published count; "
        "BSP count; regions count; local authorities sum",
    ),
    (
        "reports:report-list",
        {},
        "",
        16,
        "state; 6 facet counts; region, theme, methodology and "
        "year choices; result count; page of reports + themes + methodologies; "
        "the result's slugs for its one-PDF link",
    ),
    (
        "reports:report-list",
        {},
        "q=learned&region=north-west&sort=title",
        16,
        "the same, with the search in each",
    ),
    (
        "reports:report-detail",
        {"slug": "east-sussex"},
        "",
        10,
        "state; report + themes + "
        "methodologies + sections + signatures + agencies; related reports + themes + "
        "methodologies",
    ),
    ("reports:programme", {}, "", 5, "state; register; its themes; regions; published count"),
    (
        "reports:learning",
        {},
        "",
        12,
        "state; 6 facet counts; 4 choice lists; sections with their reports",
    ),
    (
        "reports:region-detail",
        {"slug": "north-west"},
        "",
        9,
        "state; region; BSPs + themes + "
        "methodologies; reports + themes + methodologies; partnerships",
    ),
    (
        "reports:partnership-detail",
        {"slug": "east-sussex"},
        "",
        10,
        "state; partnership + "
        "local authorities + agencies; BSPs + themes + methodologies; reports + themes + "
        "methodologies",
    ),
    ("reports:feed", {}, "", 5, "state; reports + themes + methodologies + sections"),
    (
        "reports:sitemap",
        {},
        "",
        7,
        "state; the 4 sitemaps' items (reports, regions, partnerships); paginator counts",
    ),
    ("reports:data-reports-csv", {}, "", 5, "state; reports + themes + methodologies + sections"),
    ("reports:data-reports-json", {}, "", 5, "state; reports + themes + methodologies + sections"),
    ("reports:data-bsps-csv", {}, "", 5, "state; published slugs; BSPs + themes + methodologies"),
]


def many_more_reports(count=40):
    themes = [["Data"], ["Culture"], ["Data", "Partnership"], []]
    for n in range(count):
        make_report(
            f"Northern Area {n:02d}",
            region="North West",
            themes=themes[n % 4],
            methodologies=["Strategy", "Data"][: n % 3],
            sections={
                "reasons": f"<p>Area {n} asked for support.</p>",
                "significant_learning": f"<p>Area {n} learned a lot.</p>",
            },
            published=True,
        )


@pytest.mark.parametrize("size", ["few", "many"])
def test_public_pages_keep_to_their_query_budget(
    catalogue, client, django_assert_max_num_queries, size
):
    if size == "many":
        many_more_reports()
    for name, kwargs, query, budget, _queries in BUDGETS:
        url = reverse(name, kwargs=kwargs) + (f"?{query}" if query else "")
        cache.clear()
        with django_assert_max_num_queries(budget):
            response = client.get(url)
        assert response.status_code == 200, url


def test_a_cached_page_costs_one_query(catalogue, client, django_assert_num_queries):
    url = reverse("reports:report-list")
    client.get(url)
    with django_assert_num_queries(1):  # the site state, to pick the cache entry
        assert client.get(url).status_code == 200
