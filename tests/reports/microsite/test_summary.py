"""The figures about the whole corpus that public pages show (``reports/microsite/summary.py``):
worked out by the first page after a change, read by every page after it, and never older than
the data."""

import datetime
import re
import time
import uuid

from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partnerships.models import BespokeSupportProject
from reports.microsite import filters, summary
from reports.models import LearningReport, PublicFigure, Status
from tests.factories import make_cast, walk_to


def uncached(client, url):
    """The page rendered afresh (the page cache emptied first), and its number of queries."""
    caches["microsite"].clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def figure(page, label):
    """The number shown before ``label`` in the home page's figures."""
    found = re.search(rf'<span class="figure-number">([\d,]+)</span> {label}', page)
    assert found, label
    return int(found.group(1).replace(",", ""))


def test_the_first_page_after_a_change_works_the_figures_out_and_the_next_reads_them(
    catalogue, client
):
    summary.forget()
    first, first_queries = uncached(client, "/")
    assert PublicFigure.objects.filter(key="home").exists()
    again, again_queries = uncached(client, "/")
    assert again == first
    # Four aggregates and the write of the figures, against one read.
    assert again_queries < first_queries
    assert figure(again, "published reports?") == LearningReport.objects.published().count()


def test_a_publication_and_a_change_to_the_register_show_on_every_page_at_once(
    catalogue, client, django_capture_on_commit_callbacks
):
    home, _ = uncached(client, "/")
    published = figure(home, "published reports?")
    authorities = figure(home, "local authorities reached")
    listing, _ = uncached(client, reverse("reports:report-list"))
    assert f"{published} reports" in listing

    cast = make_cast(
        "Figure Town",
        region="North West",
        status=Status.COUNTERSIGNED,
        number_of_local_authorities=3,
    )
    with django_capture_on_commit_callbacks(execute=True):
        walk_to(cast.report, cast, Status.PUBLISHED)
    home, _ = uncached(client, "/")
    assert figure(home, "published reports?") == published + 1
    assert figure(home, "local authorities reached") == authorities + 3
    listing, _ = uncached(client, reverse("reports:report-list"))
    assert f"{published + 1} reports" in listing

    bsp = BespokeSupportProject.objects.get(pk=cast.report.bsp_id)
    bsp.number_of_local_authorities += 4
    bsp.save()
    home, _ = uncached(client, "/")
    assert figure(home, "local authorities reached") == authorities + 3 + 4


def test_the_figures_of_a_region_follow_its_reports(catalogue, client):
    url = reverse("reports:region-detail", kwargs={"slug": "north-west"})
    page, _ = uncached(client, url)
    before = int(re.search(r"ran (\d+) Bespoke Support Project", page).group(1))
    make_cast("Another Northern Town", region="North West", status=Status.PUBLISHED)
    page, _ = uncached(client, url)
    assert f"ran {before + 1} Bespoke Support Project" in page
    assert "Another Northern Town" in page


def test_a_figure_older_than_the_pages_cache_is_worked_out_again(db):
    summary.remembered("example", lambda: {"n": 1})
    assert summary.remembered("example", lambda: {"n": 2}) == {"n": 1}  # stored
    PublicFigure.objects.filter(key="example").update(
        computed_at=timezone.now() - summary.MAX_AGE - datetime.timedelta(seconds=1)
    )
    assert summary.remembered("example", lambda: {"n": 3}) == {"n": 3}
    assert PublicFigure.objects.get(key="example").value == {"n": 3}


def test_a_search_matching_too_many_reports_lists_the_options_without_their_counts(
    catalogue, client, monkeypatch
):
    url = reverse("reports:report-list")
    counted = client.get(url, {"q": "learned"}).content.decode()
    assert 'class="facet-count"' in counted
    assert "facets-uncounted" not in counted

    monkeypatch.setattr(filters, "FACET_COUNT_LIMIT", 1)
    caches["microsite"].clear()
    page = client.get(url, {"q": "learned"}).content.decode()
    assert "More than 1 reports match, so the options are shown without their numbers" in page
    assert 'class="facet-count"' not in page
    # Every region is still there to choose, and choosing one still filters.
    assert 'name="region" value="north-west"' in page
    assert 'name="region" value="south-west"' in page
    # The unfiltered list has its stored counts, whatever its size.
    caches["microsite"].clear()
    assert 'class="facet-count"' in client.get(url).content.decode()


def test_a_figure_worked_out_across_a_change_is_not_used_after_it(db):
    """A page began counting before a change committed and stored its figure after the change
    had forgotten every figure: the count may include what the change removed, so the next page
    works it out again."""

    def counted_while_a_report_is_taken_down():
        summary.forget()  # the change commits while this page is still counting
        return {"n": "before"}

    assert summary.remembered("example", counted_while_a_report_is_taken_down) == {"n": "before"}
    assert summary.remembered("example", lambda: {"n": "after"}) == {"n": "after"}
    assert summary.remembered("example", lambda: {"n": "again"}) == {"n": "after"}  # kept now


def figures_read(client, url):
    """The page at ``url``, and how many queries read the stored figures for it."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    reads = sum('"reports_publicfigure"' in q["sql"] for q in queries.captured_queries)
    return response.content.decode(), reads


def test_a_process_reads_the_stored_figures_once_until_they_change(
    catalogue, client, django_capture_on_commit_callbacks
):
    """Pages made afresh (each address its own page) in the same epoch of the page cache read
    their figures from the table once, then from this process's memory; a publication forgets
    them and starts a new epoch, and the next page reads (and shows) them anew."""
    client.get("/")  # works the figures out
    _, reads = figures_read(client, "/?visit=1")
    assert reads == 1
    home, reads = figures_read(client, "/?visit=2")
    assert reads == 0
    published = figure(home, "published reports?")
    listing = reverse("reports:report-list")
    client.get(listing)  # other figures: worked out, then read once, too
    _, reads = figures_read(client, listing + "?visit=1")
    assert reads == 1
    _, reads = figures_read(client, listing + "?visit=2")
    assert reads == 0

    cast = make_cast("Figure Town", region="North West", status=Status.COUNTERSIGNED)
    with django_capture_on_commit_callbacks(execute=True):
        walk_to(cast.report, cast, Status.PUBLISHED)
    home, reads = figures_read(client, "/?visit=3")  # works them out again
    assert figure(home, "published reports?") == published + 1
    assert [figures_read(client, f"/?visit={visit}")[1] for visit in (4, 5)] == [1, 0]


def test_signed_in_pages_read_the_stored_figures_every_time(catalogue, client):
    cast = make_cast("Signed Town", region="North West", status=Status.PUBLISHED)
    client.force_login(cast.local_lead)
    client.get("/")
    for visit in range(2):
        _, reads = figures_read(client, f"/?visit={visit}")
        assert reads == 1


def test_figures_kept_in_process_are_read_again_when_the_oldest_is_an_hour_old(db, monkeypatch):
    memory = LocMemCache(uuid.uuid4().hex, {})
    summary.remembered("a", lambda: 1)
    summary.remembered("b", lambda: 2)
    almost_an_hour = timezone.now() - summary.MAX_AGE + datetime.timedelta(seconds=30)
    PublicFigure.objects.filter(key="a").update(computed_at=almost_an_hour)
    with summary.kept_in_process(memory, "epoch-1"):
        assert summary.stored(["a", "b"]) == {"a": 1, "b": 2}
        PublicFigure.objects.filter(key="b").update(value=3)
        assert summary.stored(["a", "b"]) == {"a": 1, "b": 2}  # from memory
        with summary.kept_in_process(memory, "epoch-2"):
            assert summary.stored(["a", "b"]) == {"a": 1, "b": 3}  # another epoch: read
        later = time.time() + 31  # "a" is now older than MAX_AGE: the memory has let it go
        monkeypatch.setattr(time, "time", lambda: later)
        assert summary.stored(["a", "b"]) == {"a": 1, "b": 3}
    assert summary.stored(["a", "b"]) == {"a": 1, "b": 3}  # outside the block: read


def test_an_incomplete_read_is_not_kept(db):
    memory = LocMemCache(uuid.uuid4().hex, {})
    summary.remembered("a", lambda: 1)
    with summary.kept_in_process(memory, "epoch-1"):
        assert summary.stored(["a", "b"]) == {"a": 1}
        assert summary.remembered("b", lambda: 2) == 2
        assert summary.stored(["a", "b"]) == {"a": 1, "b": 2}
