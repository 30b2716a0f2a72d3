"""The public pages' database cache (tce_portal/page_cache.py): Django's DatabaseCache, written
with one statement a key."""

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tce_portal.page_cache import CULL_EVERY, PageCache

pytestmark = pytest.mark.django_db


def fresh(max_entries=10):
    """A cache on the test's table, with a write counter of its own."""
    return PageCache("page_cache_under_test", {"OPTIONS": {"MAX_ENTRIES": max_entries}})


@pytest.fixture
def cache():
    # A table of its own, made inside the test's transaction (and gone with it).
    call_command("createcachetable", "page_cache_under_test")
    return fresh()


def test_a_value_is_stored_replaced_and_read_back(cache):
    cache.set("page", {"html": "<h1>First</h1>"}, 60)
    assert cache.get("page") == {"html": "<h1>First</h1>"}
    cache.set("page", {"html": "<h1>Second</h1>"}, 60)
    assert cache.get("page") == {"html": "<h1>Second</h1>"}
    assert cache.get_many(["page", "other"]) == {"page": {"html": "<h1>Second</h1>"}}
    # Django's own add, delete and clear still work on the same table.
    assert cache.add("page", "ignored", 60) is False
    cache.delete("page")
    assert cache.get("page") is None
    cache.set("again", 1, None)
    cache.clear()
    assert cache.get("again") is None


def test_an_expired_value_is_not_served(cache):
    cache.set("page", "old", -1)
    assert cache.get("page") is None
    cache.set("page", "new", 60)
    assert cache.get("page") == "new"


def test_a_write_is_one_statement_and_the_table_is_counted_now_and_then(cache):
    writes = 2 * CULL_EVERY
    with CaptureQueriesContext(connection) as queries:
        for n in range(writes):
            cache.set(f"page-{n % 5}", n, 60)
    statements = [q["sql"] for q in queries.captured_queries]
    counts = [sql for sql in statements if sql.startswith("SELECT COUNT(*)")]
    upserts = [sql for sql in statements if sql.startswith("INSERT INTO")]
    assert len(upserts) == writes
    assert len(counts) == 2
    assert len(statements) == writes + len(counts)


def rows():
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM page_cache_under_test")
        return cursor.fetchone()[0]


def test_the_table_is_culled_to_its_size_soonest_expiring_first(cache):
    cache.set("expired", "old", -1)
    for n in range(1, 5 * CULL_EVERY):
        cache.set(f"page-{n}", n, 60 + n)
        # At most MAX_ENTRIES plus the writes since the table was last counted.
        assert rows() <= 10 + CULL_EVERY
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM page_cache_under_test WHERE cache_key LIKE '%expired'")
        assert cursor.fetchone()[0] == 0
    assert cache.get(f"page-{5 * CULL_EVERY - 1}") == 5 * CULL_EVERY - 1
    assert cache.get("page-1") is None  # expired soonest: culled first


def test_a_page_is_stored_compressed_and_read_back_whole(cache):
    from django.http import HttpResponse

    html = "<main>" + "".join(
        f"<p>Paragraph {n} of what the area learned.</p>" for n in range(2000)
    )
    cache.set("page", HttpResponse(html), 60)
    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM page_cache_under_test")
        (stored,) = cursor.fetchone()
    assert len(stored) < len(html) / 5  # base64 of the compressed pickle
    assert cache.get("page").content.decode() == html


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_on_postgresql_a_write_alone_does_not_wait_for_the_disk_and_nothing_else_changes():
    """A page written outside a transaction is committed without waiting for the write-ahead
    log to reach the disk, for that statement alone; inside a transaction (whose other writes
    must be durable) it is written as any other row."""
    call_command("createcachetable", "page_cache_under_test")
    try:
        cache = fresh()
        with CaptureQueriesContext(connection) as queries:
            cache.set("page", "alone", 60)
        (upsert,) = [q["sql"] for q in queries if "INSERT INTO" in q["sql"]]
        assert upsert.startswith("SET LOCAL synchronous_commit TO OFF; INSERT INTO")
        assert cache.get("page") == "alone"
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone() == ("on",)
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            cache.set("page", "inside", 60)
        assert [q["sql"] for q in queries if "synchronous_commit" in q["sql"]] == []
        assert cache.get("page") == "inside"
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE page_cache_under_test")
