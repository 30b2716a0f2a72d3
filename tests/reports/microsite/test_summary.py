"""The figures about the whole corpus that public pages show (``reports/microsite/summary.py``):
worked out by the first page after a change, read by every page after it, and never older than
the data."""

import datetime
import re

from django.core.cache import caches
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
