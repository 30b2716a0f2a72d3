"""Search: full-text on PostgreSQL (stored weighted vector, websearch syntax, ranking, highlighted
snippets), a plain-text fallback with the same interface elsewhere."""

import io
import re

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import Role, User
from reports.models import LearningReport, ReportSection, Status
from reports.search import parse_websearch, snippet_html, stem
from tests.factories import Cast, UserFactory, make_cast, walk_to

postgres = pytest.mark.postgres


def search_page(client, query, **params):
    return client.get(reverse("reports:report-list"), {"q": query, **params})


@postgres
def test_soft_intelligence_finds_east_sussex_with_the_phrase_highlighted(demo, client):
    response = search_page(client, "soft intelligence")
    assert response.status_code == 200
    page = response.content.decode()
    assert "1 report matching “soft intelligence”" in page
    assert LearningReport.objects.get(slug="east-sussex").get_absolute_url() in page
    assert "<mark>soft</mark> <mark>intelligence</mark>" in page


def test_websearch_syntax_phrases_and_exclusions_on_every_database(catalogue):
    published = LearningReport.objects.published()
    assert [r.slug for r in published.search('"soft intelligence"')] == ["east-sussex"]
    # Words in the wrong order are not the phrase.
    assert not published.search('"intelligence soft"').exists()
    assert not published.search('"soft intelligence" -sussex').exists()
    assert {"kernow", "wessex-coast"} <= {r.slug for r in published.search("learned")}
    excluded = {r.slug for r in published.search("learned -kernow")}
    assert "wessex-coast" in excluded and "kernow" not in excluded
    assert {r.slug for r in published.search("travels or wessex")} == {"kernow", "wessex-coast"}
    # Stemming: "learning" finds "learned".
    assert {"kernow", "wessex-coast"} <= {r.slug for r in published.search("learning")}


@postgres
def test_a_match_in_the_title_ranks_above_a_match_in_the_text(catalogue):
    make_cast(
        "Data Valley",
        region="North West",
        sections={"reasons": "<p>Nothing in particular.</p>"},
        status=Status.PUBLISHED,
    )
    results = list(LearningReport.objects.published().search("data").order_by("-search_rank"))
    assert results[0].slug == "data-valley"
    assert "wessex-coast" in [r.slug for r in results[1:]]


@postgres
def test_the_vector_covers_title_partnership_region_and_every_section_and_follows_editions(
    catalogue,
):
    published = LearningReport.objects.published()
    kernow = catalogue["kernow"]
    assert published.search("Kernow").filter(pk=kernow.pk).exists()  # title
    assert published.search("Kernow Safeguarding Partnership").filter(pk=kernow.pk).exists()
    assert published.search("south west").filter(pk=kernow.pk).exists()  # region
    assert published.search("curiosity").filter(pk=kernow.pk).exists()  # a section
    assert not published.search("lighthouse").exists()

    kernow.bsp.partnership.name = "Duchy Partnership"
    kernow.bsp.partnership.save()
    assert published.search("duchy").filter(pk=kernow.pk).exists()

    # Editing the text opens a revision: search goes on finding the published edition's words
    # until the revision is published, then the new edition's.
    section = ReportSection.objects.get(report=kernow, key="significant_learning")
    section.body = "<p>Kernow learned that a lighthouse helps.</p>"
    section.save()
    everything = LearningReport.objects.all()
    assert not everything.search("lighthouse").filter(pk=kernow.pk).exists()
    assert everything.search("curiosity").filter(pk=kernow.pk).exists()
    people = Cast(
        report=kernow,
        admin=UserFactory(role=Role.PROGRAMME_ADMIN),
        tce_lead=kernow.bsp.tce_lead,
        partner=kernow.bsp.delivery_partners.get(),
        local_lead=User.objects.get(role=Role.LOCAL_LEAD, partnership=kernow.bsp.partnership),
    )
    walk_to(kernow, people, Status.PUBLISHED)
    assert everything.search("lighthouse").filter(pk=kernow.pk).exists()
    assert not everything.search("curiosity").filter(pk=kernow.pk).exists()


@postgres
def test_the_search_vector_has_a_gin_index(db):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "reports_learningreport")
    gin = constraints["report_search_vector_gin"]
    assert gin["columns"] == ["search_vector"]
    assert gin["type"] == "gin"


@postgres
def test_the_search_text_is_stored_uncompressed(demo):
    """Snippets read a window of each shown report's text: uncompressed, it is read without
    decompressing the whole text each time (migration 0026). The seeded reports' texts are
    long enough that PostgreSQL's default storage would compress them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute "
            "WHERE attrelid = 'reports_learningreport'::regclass AND attname = 'search_text'"
        )
        assert cursor.fetchone() == ("e",)
        cursor.execute(
            "SELECT count(*), count(pg_column_compression(search_text)) "
            "FROM reports_learningreport WHERE octet_length(search_text) > 4000"
        )
        long_documents, compressed = cursor.fetchone()
    assert long_documents > 0
    assert compressed == 0


def test_search_has_the_same_interface_on_every_database(demo):
    results = list(LearningReport.objects.published().search("soft intelligence"))
    assert [r.slug for r in results] == ["east-sussex"]
    report = results[0]
    assert isinstance(report.search_rank, float)
    html = snippet_html(report.search_snippet, report.search_terms)
    assert "<mark>soft</mark>" in html.lower() and "<mark>intelligence</mark>" in html.lower()
    assert not LearningReport.objects.published().search('"soft intelligence" -sussex').exists()
    # An empty query leaves the reports as they are.
    assert LearningReport.objects.published().search("  ").count() == 1


def test_the_search_page_highlights_matches_on_every_database(demo, client):
    page = search_page(client, "soft intelligence").content.decode()
    assert "1 report matching" in page
    assert "<mark>soft</mark> <mark>intelligence</mark>" in page.lower()


def test_snippets_are_escaped_and_only_our_marks_are_html():
    html = snippet_html("a <script>x</script> soft & intelligence", "soft")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<mark>soft</mark>" in html


def test_the_fallback_reads_websearch_syntax():
    assert parse_websearch('"soft intelligence" data -london or MACE') == (
        [["soft intelligence"], ["data", "mace"]],
        ["london"],
    )
    assert parse_websearch("a or b or c d") == ([["a", "b", "c"], ["d"]], [])
    # An "or" with nothing before it, or nothing after it, joins nothing.
    assert parse_websearch("or data or") == ([["data"]], [])
    assert parse_websearch('unbalanced "quote') == ([["unbalanced"], ["quote"]], [])


def test_the_fallback_drops_common_word_endings():
    assert [stem(w) for w in ["exploitation", "exploited", "agencies", "meetings", "learning"]] == [
        "exploit",
        "exploit",
        "agenc",
        "meet",
        "learn",
    ]
    # Short words, "-ss" words and phrases are left as they are.
    assert [stem(w) for w in ["uses", "data", "process", "soft intelligence"]] == [
        "uses",
        "data",
        "process",
        "soft intelligence",
    ]


def test_the_fallback_marks_whole_words():
    html = snippet_html("The exploitation of children was exploited by", "exploit")
    assert html == "<mark>exploitation</mark> of children was <mark>exploited</mark>"


def test_an_empty_result_says_so_and_suggests_removing_filters(demo, client):
    page = search_page(client, "xylophone", region="south-east").content.decode()
    assert "0 reports matching “xylophone”" in page
    assert "No published report matches “xylophone” with these filters." in page
    assert "clear all filters" in page


def test_the_search_documents_can_be_rebuilt(demo):
    from django.core.management import call_command

    LearningReport.objects.update(search_text="", search_vector=None)
    assert not LearningReport.objects.published().search("soft intelligence").exists()
    call_command("update_search_index", stdout=io.StringIO())
    assert LearningReport.objects.published().search("soft intelligence").exists()


def test_building_search_documents_in_batches_gives_the_same_documents(catalogue):
    from reports.microsite.search_index import update_search_document, update_search_documents

    ids = list(LearningReport.objects.order_by("pk").values_list("pk", flat=True))
    for pk in ids:
        update_search_document(pk)
    one_by_one = dict(LearningReport.objects.values_list("pk", "search_text"))
    assert any(one_by_one.values())
    LearningReport.objects.update(search_text="")
    update_search_documents(ids, batch_size=2)
    assert dict(LearningReport.objects.values_list("pk", "search_text")) == one_by_one


@postgres
@pytest.mark.parametrize(
    ("learning", "query", "highlighted"),
    [
        ("A moonlit ferry survey.", "moonlit ferry", "<mark>moonlit</mark> <mark>ferry</mark>"),
        # Capitalised at the start of a sentence: the window opens at the term as written.
        ("Moorings were mapped.", "moorings", "<mark>Moorings</mark> were mapped"),
    ],
)
def test_a_match_deep_in_a_long_report_is_highlighted_in_its_snippet(
    catalogue, client, learning, query, highlighted
):
    """PostgreSQL chooses the snippet from a window of the text around the first match
    (search.HEADLINE_WINDOW), not from the whole text: a match far into it is still shown."""
    filler = "<p>" + "The partnership met every month to review its plans. " * 150 + "</p>"
    # Long words either side of the match: a window's edge falls inside one.
    padding = "Safeguarding " * 100
    cast = make_cast(
        "Long Reach",
        region="North West",
        sections={
            "reasons": filler,
            "significant_learning": f"<p>{padding}{learning} {padding}</p>",
        },
        status=Status.PUBLISHED,
    )
    page = search_page(client, query).content.decode()
    assert "1 report matching" in page
    assert highlighted in page
    # The snippet begins and ends with whole words: none is cut in half at the window's edges.
    snippet = re.search(r'class="card-text search-snippet[^"]*">…(.*?)…</p>', page, re.DOTALL)
    words = re.sub(r"<[^>]+>", "", snippet.group(1)).split()
    report = LearningReport.objects.get(pk=cast.report.pk)
    written = set(re.findall(r"[\w'-]+", report.search_text))
    assert words[0].strip(".,") in written and words[-1].strip(".,") in written, words


@postgres
def test_two_words_far_apart_in_a_report_are_marked_in_its_snippet(catalogue, client):
    """Every word matches, but not within the snippet's window: the snippet opens at the first
    word, marked, rather than at the window's first words."""
    filler = "The partnership met every month to review its plans. " * 40
    make_cast(
        "Far Apart",
        region="North West",
        sections={"significant_learning": f"<p>{filler}A moonlit walk. {filler}A ferry.</p>"},
        status=Status.PUBLISHED,
    )
    page = search_page(client, "moonlit ferry").content.decode()
    assert "1 report matching" in page
    snippet = re.search(r'class="card-text search-snippet[^"]*">(.*?)</p>', page, re.DOTALL)
    assert "<mark>moonlit</mark> walk" in snippet.group(1)


@pytest.mark.parametrize("query", ["-", "-london", '""', "or"])
def test_a_query_with_no_word_to_find_answers_with_a_page(catalogue, client, query):
    """Found by the hostile-input tests on PostgreSQL: a query of exclusions or punctuation alone
    has no first term to open its snippet at."""
    response = search_page(client, query)
    assert response.status_code == 200
