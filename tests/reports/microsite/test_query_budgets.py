"""Query budgets of the public pages: the same with 3 published reports as with 43.

Measured on a cache miss (the page cache is emptied before each request), with the figures about
the whole corpus stored (``reports/microsite/summary.py``): the first page after a change works
them out once for every page after it (``test_summary.py``).
"""

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
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
        2,
        "the stored figures; the latest reports' cards",
    ),
    (
        "reports:report-list",
        {},
        "",
        2,
        "the stored options and facet counts (with the result count); the page's reports' cards",
    ),
    (
        "reports:report-list",
        {},
        "q=learned&region=north-west&sort=title",
        8,
        "the stored options; the result count; 6 facet counts (one query); the page's reports' "
        "cards with their snippets; on PostgreSQL, the planner's estimate of the "
        "result count before it (filters.EXACT_COUNT_LIMIT) and the search's planner settings "
        "(search.through_the_index: inside a test's transaction, SET LOCAL; outside one, SET "
        "and RESET)",
    ),
    (
        "reports:report-detail",
        {"slug": "east-sussex"},
        "",
        5,
        "report with its BSP, partnership, region and current edition (and whether it has "
        "published addenda); that edition's signatures (a first edition: the only one), or "
        "every edition with its signatures; the edition's sections; related reports' cards; "
        "the published addenda, when it has some",
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
        3,
        "the stored options, facet counts and count of reports with the section (one query); a "
        "page of editions' ids, then those editions' sections with what an extract shows",
    ),
    (
        "reports:region-detail",
        {"slug": "north-west"},
        "",
        4,
        "region; its stored figures (BSPs, local authorities, reports); the newest reports' "
        "cards; a page of BSPs with their partnerships",
    ),
    (
        "reports:partnership-detail",
        {"slug": "east-sussex"},
        "",
        6,
        "partnership + local authorities + agencies; as for a region",
    ),
    (
        "reports:feed",
        {},
        "",
        4,
        "reports + their BSPs' themes + their editions' sections; published addenda (none here, "
        "so none of their themes)",
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


def test_only_a_search_reads_the_reports_search_columns(catalogue, client):
    """A report's search document (its whole text again, 14 kB on average, and its vector) is
    read by a search's snippets alone: reading it for cards, extracts, the sitemap, the feed or
    the open data cost up to a millisecond for each 20 reports."""
    many_more_reports(count=4)
    for name, kwargs, query, _budget, _queries in BUDGETS:
        url = reverse(name, kwargs=kwargs) + (f"?{query}" if query else "")
        caches["microsite"].clear()
        with CaptureQueriesContext(connection) as queries:
            body(client.get(url))
        selected = [q["sql"].split(" FROM ")[0] for q in queries.captured_queries]
        reading = [columns for columns in selected if '"search_text"' in columns]
        if "q=" in query:  # the snippets: a window of the text around the first match
            assert reading and all("SUBSTR" in columns.upper() for columns in reading), url
        else:  # (a search also reads the vectors of the reports it ranks)
            assert not reading, url
            assert not any('"search_vector"' in columns for columns in selected), url


def test_a_cached_page_costs_no_query(catalogue, client, django_assert_num_queries):
    """From the in-memory cache of the tests; with the default database cache, one query."""
    url = reverse("reports:report-list")
    client.get(url)
    with django_assert_num_queries(0):
        response = client.get(url)
    assert response.status_code == 200
    assert "Kernow" in response.content.decode()


def test_a_report_published_once_reads_no_list_of_editions(catalogue, client):
    """Each publication adds the next edition, so a report whose current edition is its first
    has no other: its page reads that edition with the report, and no list of editions (a report
    published again lists its editions: tests/reports/test_editions.py)."""
    report = catalogue["kernow"]
    assert report.published_edition.number == 1
    with CaptureQueriesContext(connection) as queries:
        page = client.get(report.get_absolute_url()).content.decode()
    assert report.published_edition.title in page
    assert "Signed by local area" in page
    from_editions = [
        q["sql"] for q in queries.captured_queries if 'FROM "reports_edition"' in q["sql"]
    ]
    assert from_editions == []
