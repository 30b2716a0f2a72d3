"""The report listing: filters as facets with live counts, sorting, pagination, htmx."""

import re

import pytest
from django.urls import reverse

from reports import search
from reports.microsite.filters import ReportFilter
from reports.models import LearningReport, Status
from tests.factories import days_ago, make_cast

_FACET = re.compile(
    r'id="facet-(?P<facet>\w+)-(?P<value>[\w-]+)"(?P<checked> checked)?>\s*'
    r'<label[^>]*>[^<]*<span class="facet-count">\((?P<count>\d+)'
)
_RESULT = re.compile(r'<h3 class="h5 card-title"><a href="/reports/([\w-]+)/">')


def listing(client, **params):
    response = client.get(reverse("reports:report-list"), params)
    assert response.status_code == 200
    return response.content.decode()


def counts(page):
    return {(m["facet"], m["value"]): int(m["count"]) for m in _FACET.finditer(page)}


def results(page):
    return _RESULT.findall(page)


def test_the_listing_shows_every_published_report_newest_first(catalogue, client):
    page = listing(client)
    assert results(page) == ["wessex-coast", "kernow", "east-sussex"]
    assert "3 reports" in page
    assert counts(page)[("region", "south-east")] == 2
    assert counts(page)[("region", "south-west")] == 1
    assert counts(page)[("year", "2021")] == 2


@pytest.mark.parametrize(
    ("params", "expected", "changed_count"),
    [
        ({"region": "south-east"}, ["wessex-coast", "east-sussex"], ("year", "2021", 1)),
        ({"focus": "culture"}, ["kernow"], ("region", "south-east", 0)),
        ({"type": "complex"}, ["kernow"], ("region", "south-east", 0)),
        ({"methodology": "data"}, ["east-sussex"], ("region", "south-east", 1)),
        ({"delivery": "face_to_face"}, ["wessex-coast"], ("region", "south-west", 0)),
        ({"year": "2020"}, ["east-sussex"], ("region", "south-east", 1)),
    ],
)
def test_every_filter_narrows_the_results_and_updates_the_counts(
    catalogue, client, params, expected, changed_count
):
    before = counts(listing(client))
    page = listing(client, **params)
    assert results(page) == expected
    assert f"{len(expected)} report{'s' if len(expected) != 1 else ''}" in page
    after = counts(page)
    facet, value, count = changed_count
    assert before.get((facet, value), 0) != count
    assert after.get((facet, value), 0) == count
    # The chosen option is ticked, and the filter in force can be removed with one link.
    ((name, chosen),) = params.items()
    assert re.search(rf'id="facet-{name}-{chosen}" checked>', page)
    assert "Remove filter: </span>" in page


def test_a_facet_counts_its_own_options_as_if_it_were_not_applied(catalogue, client):
    page = listing(client, region="south-east")
    # Ticking South West as well would add Kernow: its count stays visible.
    assert counts(page)[("region", "south-west")] == 1
    both = listing(client, region=["south-east", "south-west"])
    assert sorted(results(both)) == ["east-sussex", "kernow", "wessex-coast"]


def test_filters_combine_and_the_url_can_be_bookmarked(catalogue, client):
    page = listing(client, region="south-east", year="2021", type="regional")
    assert results(page) == ["wessex-coast"]
    page = listing(client, region="south-east", focus="culture")
    assert results(page) == []
    assert "No published report matches these filters." in page


def test_search_and_filters_together(catalogue, client):
    page = listing(client, q="learned", region="south-east")
    assert "kernow" not in results(page)
    assert "wessex-coast" in results(page)


@pytest.mark.parametrize("query", ["learned", '"soft intelligence"', "data -london"])
def test_under_a_search_each_option_counts_the_reports_it_would_list(catalogue, client, query):
    """The counts take the search's matches without rank or snippet (``matching``): the same
    reports as the results, option by option."""
    counted = {
        value: count
        for (facet, value), count in counts(listing(client, q=query)).items()
        if facet == "region"
    }
    assert counted
    for region, count in counted.items():
        assert len(results(listing(client, q=query, region=region))) == count, region


def test_sorting(catalogue, client):
    assert results(listing(client, sort="title")) == ["east-sussex", "kernow", "wessex-coast"]
    assert results(listing(client, sort="newest")) == ["wessex-coast", "kernow", "east-sussex"]
    # Without a search there is no relevance: newest first.
    assert results(listing(client, sort="relevance"))[0] == "wessex-coast"
    assert "Relevance" not in listing(client)
    searched = listing(client, q="learned")
    assert '<option value="" selected>Relevance</option>' in searched
    # A search from a page sorted by the default order is ranked by relevance.
    assert '<option value="" selected>Newest first</option>' in listing(client)


def test_nonsense_in_the_query_string_is_ignored(catalogue, client):
    assert len(results(listing(client, region="atlantis", year="1066", sort="x"))) == 3


def test_pagination_keeps_the_filters(catalogue, client, settings):
    for n in range(21):
        make_cast(
            f"Paged Area {n:02d}",
            region="North West",
            status=Status.PUBLISHED,
            published_at=days_ago(10 + n),
        )
    page_one = listing(client, region="north-west")
    assert len(results(page_one)) == 20
    assert "21 reports" in page_one
    assert "region=north-west&amp;page=2" in page_one
    page_two = listing(client, region="north-west", page="2")
    assert results(page_two) == ["paged-area-20"]


def test_every_page_of_a_search_shows_its_reports_snippets(catalogue, client):
    """The first page reads its cards and snippets in one query; a later page cuts its snippets
    in a query of their own (``filters.CardsInOrder``): the same cards, the same snippets."""
    for n in range(23):
        make_cast(
            f"Lantern Area {n:02d}",
            region="North West",
            sections={"reasons": f"<p>Area {n} ran a moonlit ferry survey.</p>"},
            status=Status.PUBLISHED,
            published_at=days_ago(10 + n),
        )
    pages = [listing(client, q="moonlit", sort="newest", page=str(n)) for n in (1, 2)]
    shown = [results(page) for page in pages]
    assert [len(slugs) for slugs in shown] == [20, 3]
    assert shown[0] + shown[1] == [f"lantern-area-{n:02d}" for n in range(23)]
    for page, slugs in zip(pages, shown, strict=True):
        snippets = re.findall(r'class="card-text search-snippet[^"]*">(.*?)</p>', page, re.DOTALL)
        assert len(snippets) == len(slugs)
        for slug, snippet in zip(slugs, snippets, strict=True):
            area = int(slug.rsplit("-", 1)[1])
            assert re.search(rf"\b{area} ran a <mark>moonlit</mark> ferry survey", snippet)


def test_htmx_gets_the_results_area_only(catalogue, client):
    response = client.get(
        reverse("reports:report-list"), {"region": "south-west"}, headers={"HX-Request": "true"}
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="search-area"')
    assert "<html" not in page
    assert results(page) == ["kernow"]
    assert 'hx-swap-oob="innerHTML">1 report found' in page
    assert "HX-Request" in response.headers["Vary"]


def test_the_form_works_without_javascript(catalogue, client):
    page = listing(client)
    assert '<form method="get" action="/reports/"' in page.replace(
        reverse("reports:report-list"), "/reports/"
    )
    assert 'hx-push-url="true"' in page
    assert '<button type="submit" class="btn btn-secondary">Apply filters</button>' in page


def test_the_report_page_lists_related_reports(catalogue, client):
    page = client.get(LearningReport.objects.get(slug="east-sussex").get_absolute_url())
    related = page.content.decode().split('id="related-heading"')[1]
    assert "Wessex Coast" in related  # same region
    assert "Kernow" not in related  # another region, no shared focus


def test_a_report_sharing_a_focus_is_related_from_another_region(catalogue, client):
    east_sussex = LearningReport.objects.get(slug="east-sussex")
    shared = {theme.name for theme in east_sussex.bsp.themes.all()}
    assert shared
    make_cast(
        "Far Shared Town", region="North East", themes=[sorted(shared)[0]], status=Status.PUBLISHED
    )
    make_cast("Far Other Town", region="North East", themes=[], status=Status.PUBLISHED)
    page = client.get(east_sussex.get_absolute_url())
    related = page.content.decode().split('id="related-heading"')[1]
    assert "Far Shared Town" in related
    assert "Far Other Town" not in related


def test_a_history_restore_gets_the_whole_page(catalogue, client):
    response = client.get(
        reverse("reports:report-list"),
        {"region": "south-west"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    page = response.content.decode()
    assert page.lstrip().startswith("<!DOCTYPE html>")
    assert results(page) == ["kernow"]


@pytest.mark.parametrize(
    ("count", "estimated", "text"),
    [
        (1234, False, "1,234"),
        (12345, True, "about 12,000"),
        (10000, True, "about 10,000"),
        (5678, True, "about 5,700"),
        (987654, True, "about 990,000"),
    ],
)
def test_a_count_is_written_exactly_or_as_an_estimate_to_two_figures(db, count, estimated, text):
    filterset = ReportFilter({"q": "exploitation"}, queryset=LearningReport.objects.published())
    filterset.count = count
    filterset.count_is_estimate = estimated
    assert filterset.count_text == text


@pytest.mark.parametrize("query", ["", "learned", '"soft intelligence"', "data -london", "nothing"])
def test_with_no_option_chosen_the_facets_are_counted_in_one_pass_as_one_by_one(catalogue, query):
    """With no option chosen, every facet counts the same reports, found once and grouped six
    ways (``_count_facets_of``, its SQL written from the models); chosen options need each
    facet's own set (``_count_facets_apart``, the ORM's). Both count the same."""
    filterset = ReportFilter({"q": query}, queryset=LearningReport.objects.published())
    assert filterset.form.is_valid()
    with search.through_the_index():
        in_one_pass = filterset._count_facets()
        one_by_one = filterset._count_facets_apart()
    assert in_one_pass == one_by_one
    # The same statement counts the list itself.
    with search.through_the_index():
        assert filterset._facets_and_count[1] == filterset.qs.count()
    if query in ("", "learned"):
        assert sum(in_one_pass["region"].values()) > 0
        assert in_one_pass["focus"] and in_one_pass["methodology"] and in_one_pass["year"]
