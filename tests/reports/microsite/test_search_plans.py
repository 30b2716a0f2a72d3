"""Search stays on the GIN index when a word is in every report (PostgreSQL only).

PostgreSQL's own ``auto_explain`` reports the plan of every query the pages run, as they run it;
at 2,000 generated reports (``manage.py bench_corpus``), analysed, none may read the reports
table from end to end. ``make bench`` checks the same at 10,000.
"""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from reports import search
from reports.microsite import filters
from reports.models import LearningReport, Status
from tests.factories import make_cast

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

CORPUS = 2000


@pytest.fixture
def corpus():
    call_command("bench_corpus", reports=CORPUS, stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


class Plans:
    """The plans of the queries run on this connection inside the block, from auto_explain."""

    def __init__(self):
        self.notices = []

    def __enter__(self):
        connection.ensure_connection()
        self.saved = connection.connection.notices
        connection.connection.notices = self.notices  # psycopg2 appends every notice here
        with connection.cursor() as cursor:
            cursor.execute("LOAD 'auto_explain'")
            cursor.execute("SET auto_explain.log_min_duration = 0")
            cursor.execute("SET auto_explain.log_nested_statements = on")
            cursor.execute("SET client_min_messages = log")
        return self

    def __exit__(self, *exc):
        with connection.cursor() as cursor:
            cursor.execute("SET client_min_messages = notice")
            cursor.execute("SET auto_explain.log_min_duration = -1")
        connection.connection.notices = self.saved

    def of(self, table):
        return [plan for plan in self.notices if f'"{table}"' in plan or f" {table} " in plan]


# One corpus for every page (building it is most of the test's time).
SEARCHES = [
    "/reports/?q=exploitation",  # in every report
    "/reports/?q=exploitation&sort=title",
    "/reports/?q=exploitation&region=london&page=2",
    '/reports/?q="lantern audit"',  # in one report of a thousand
    "/learning/?q=exploitation",
    "/learning/?q=exploitation&section=recommendations",
]


def test_no_search_query_reads_every_report_and_a_common_word_is_listed_newest_first(corpus):
    client = Client()
    for address in SEARCHES:
        with Plans() as plans:
            response = client.get(address)
        assert response.status_code == 200, address
        searched = [plan for plan in plans.of("reports_learningreport") if "@@" in plan]
        assert searched, f"auto_explain reported no search query for {address}"
        scans = [plan for plan in searched if "Seq Scan on reports_learningreport" in plan]
        assert scans == [], address

    page = client.get("/reports/?q=exploitation").content.decode()
    assert f"More than {search.RANK_LIMIT} reports match" in page
    assert f"{CORPUS:,} reports matching" in page
    # The sort menu offers what the page does: newest first (and A to Z), not relevance.
    assert '<option value="" selected>Newest first</option>' in page
    assert ">Relevance</option>" not in page
    rare = client.get('/reports/?q="lantern audit"').content.decode()
    assert "lantern audit" in rare.lower()
    assert "listed newest first" not in rare


@pytest.mark.parametrize(
    ("address", "ranked"),
    [("/reports/?q=exploitation", False), ('/reports/?q="lantern audit"', True)],
)
def test_only_a_ranked_search_reads_ranks_and_snippets_are_cut_for_the_page_shown(
    catalogue, client, monkeypatch, address, ranked
):
    """A word in most reports is listed newest first: no query computes a rank (which reads
    every match's search vector). The first page's snippets are cut by the query that finds its
    reports (PostgreSQL cuts them for the rows it returns alone); a later page's, which skips
    the rows before it, in a query of their own that reads its reports by id, not searching
    them again (``filters.CardsInOrder``)."""
    from django.test.utils import CaptureQueriesContext

    for n in range(21):
        make_cast(
            f"Lantern Audit Area {n}",
            sections={"reasons": "<p>A lantern audit of child exploitation.</p>"},
            status=Status.PUBLISHED,
        )
    monkeypatch.setattr(search, "RANK_LIMIT", 1000 if ranked else 0)
    for page_number in (1, 2):
        with CaptureQueriesContext(connection) as queries:
            page = client.get(f"{address}&page={page_number}").content.decode()
        assert "search-snippet" in page  # cards with their snippets
        sql = [query["sql"] for query in queries]
        assert sum("ts_rank" in statement for statement in sql) == (1 if ranked else 0)
        snippets = [statement for statement in sql if "ts_headline" in statement]
        assert len(snippets) == 1
        assert "OFFSET" not in snippets[0]
        if page_number == 1:
            assert "@@" in snippets[0] and "LIMIT 20" in snippets[0]
        else:
            assert "@@" not in snippets[0] and "ts_rank" not in snippets[0]
            (skipping,) = [statement for statement in sql if "OFFSET 20" in statement]
            assert "@@" in skipping and "ts_headline" not in skipping


def test_a_search_estimated_to_match_few_reports_is_counted_with_its_facets(catalogue):
    """A search that PostgreSQL estimates to match at most ``FACET_COUNT_LIMIT`` reports, whose
    facets are counted, is counted exactly in the statement that counts its facets, not in one
    of its own."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        page = Client().get("/reports/?q=learned").content.decode()
    sql = [query["sql"] for query in queries]
    assert len([statement for statement in sql if statement.startswith("EXPLAIN")]) == 1
    assert not [statement for statement in sql if statement.startswith("SELECT COUNT(*) AS")]
    shown = page.count('class="card report-card"')
    assert shown > 0
    assert _heading(page).startswith(f"{shown} report")
    assert 'class="facet-count"' in page


def _heading(page: str) -> str:
    return page.split('id="results-heading">', 1)[1].split("</h2>", 1)[0]


def _current_page(page: str) -> str:
    return page.split('aria-current="page"><span class="visually-hidden">Page </span>', 1)[1][:4]


def test_a_search_matching_very_many_reports_is_estimated_and_its_last_page_counted(
    corpus, monkeypatch
):
    """Above ``EXACT_COUNT_LIMIT`` (lowered here) the page says "about" so many, from the
    planner's estimate, without counting; its last page counts the matches exactly."""
    monkeypatch.setattr(filters, "EXACT_COUNT_LIMIT", CORPUS // 2)
    client = Client()
    first = client.get("/reports/?q=exploitation").content.decode()
    assert _heading(first).startswith(f"About {CORPUS:,} reports matching")
    last_page = CORPUS // 20
    # The last page, as its link in the page numbers gives it: counted exactly.
    assert f'page={last_page}"' in first
    last = client.get(f"/reports/?q=exploitation&page={last_page}").content.decode()
    assert _heading(last).startswith(f"{CORPUS:,} reports matching")
    assert _current_page(last).startswith(str(last_page))
    assert 'rel="next"' not in last
    # A page past the real end (an estimate can be too high) is the real last page.
    beyond = client.get(f"/reports/?q=exploitation&page={last_page + 5}").content.decode()
    assert _current_page(beyond).startswith(str(last_page))
    assert beyond.count('class="card report-card"') == 20
    # Below the limit, the count is exact as ever.
    rare = client.get('/reports/?q="lantern audit"').content.decode()
    assert not _heading(rare).startswith("About")


def test_a_page_past_the_end_of_an_estimate_too_high_is_the_real_last_page(corpus, monkeypatch):
    """The planner overestimates when reports have left the list since its statistics were
    taken (here 300 withdrawn after ANALYZE, as between two runs of autovacuum): a page its
    estimate numbers, past the real end, counts the matches and shows the real last page."""
    monkeypatch.setattr(filters, "EXACT_COUNT_LIMIT", CORPUS // 2)
    gone = list(LearningReport.objects.published().order_by("pk").values_list("pk", flat=True))
    LearningReport.objects.filter(pk__in=gone[:300]).update(withdrawn_at=timezone.now())
    remaining = CORPUS - 300
    client = Client()
    first = client.get("/reports/?q=exploitation").content.decode()
    # The stale figure: the planner's, from before the withdrawals (to two figures, as near
    # 2,000 as its sample of the table puts it).
    about, figure, *_ = _heading(first).split()
    assert about == "About" and int(figure.replace(",", "")) > remaining
    last_page = remaining // 20
    beyond = client.get(f"/reports/?q=exploitation&page={last_page + 5}").content.decode()
    assert _heading(beyond).startswith(f"{remaining:,} reports matching")
    assert _current_page(beyond).startswith(str(last_page))
    assert beyond.count('class="card report-card"') == 20


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_search_outside_a_transaction_leaves_its_connection_as_it_found_it(catalogue):
    """A page of results changes the connection's planner settings for its queries and resets
    them after (the connection is kept for later requests); should the reset fail, the
    connection is closed rather than kept with them."""
    from django.db import DatabaseError
    from django.test.utils import CaptureQueriesContext

    def setting(name):
        with connection.cursor() as cursor:
            cursor.execute(f"SHOW {name}")
            return cursor.fetchone()[0]

    before = (setting("enable_seqscan"), setting("jit"))
    assert before[0] == "on"
    with CaptureQueriesContext(connection) as queries:
        assert Client().get("/reports/?q=learned").status_code == 200
    sql = [query["sql"] for query in queries]
    searching = [i for i, statement in enumerate(sql) if "@@" in statement]
    assert sql.index("SET enable_seqscan = off; SET jit = off") < min(searching)
    assert sql.index("RESET enable_seqscan; RESET jit") > max(searching)
    assert (setting("enable_seqscan"), setting("jit")) == before

    def failing_reset(execute, sql, params, many, context):
        if sql.startswith("RESET"):
            raise DatabaseError("the server went away")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(failing_reset), search.through_the_index():
        assert setting("enable_seqscan") == "off"
    assert connection.connection is None  # closed, not kept
    assert setting("enable_seqscan") == "on"  # a new connection
