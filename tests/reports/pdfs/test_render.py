"""The report PDF itself: rendered from the demo reports and read back with pypdf."""

import re

import pytest
from django.apps import apps
from django.db import connection, transaction

from partnerships.models import Region
from partnerships.reference_data import load_reference_data
from reports.demo import seed_demo
from reports.models import LearningReport, Status
from reports.pdfs import document as pdf
from reports.richtext import to_text
from reports.template_sections import JOINING_THE_DOTS, JOINING_THE_DOTS_INTRO
from tests.factories import make_cast
from tests.support.pdf_reading import read_pdf, squash

PROGRAMME = "Tackling Child Exploitation Support Programme"
_INNER_HEADING = re.compile(r"<h([34])>(.*?)</h\1>\s*<(?:p|ul|ol|blockquote)>(.*?)</", re.DOTALL)
_FOOTNOTE = re.compile(r'<span class="footnote">(.*?)</span>', re.DOTALL)


def first_words(html, count=6):
    return " ".join(to_text(_FOOTNOTE.sub("", html)).split()[:count])


def render(slug):
    """The PDF the public gets (its published edition's), or a draft's."""
    report = pdf.for_pdf(LearningReport.objects.all()).get(slug=slug)
    if report.is_public:
        edition = pdf.editions_for_pdf().get(pk=report.published_edition_id)
        return report, read_pdf(pdf.render(pdf.edition_source(edition)).content)
    return report, read_pdf(pdf.render(pdf.report_source(report)).content)


def headings_and_what_follows(report):
    """(heading, the first words after it) for every heading the PDF shows, in order."""
    pairs = []
    for group in pdf.pdf_document(report).groups:
        if group.is_group:
            pairs.append((group.heading, first_words(group.intro)))
        for section in group.sections:
            if group.is_group:
                pairs.append((section.heading, first_words(section.html)))
            else:
                follows = section.subheading or first_words(section.html)
                pairs.append((section.heading, follows))
            for _level, heading, next_block in _INNER_HEADING.findall(section.html):
                pairs.append((to_text(heading), first_words(next_block)))
    return pairs


@pytest.fixture(scope="module")
def east_sussex(django_db_setup, django_db_blocker):
    """Rendered once for the module (renders take a second); the data is rolled back after."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            # A transactional test (the browser tests) run before this one flushes the
            # reference data of the migrations.
            if not Region.objects.exists():
                load_reference_data(apps)
            seed_demo()
            report, read = render("east-sussex")
            transaction.set_rollback(True)
        # After Playwright's tests this may be a connection of its own (Django's connections
        # follow the context): close it, or it outlives the test database.
        connection.close()
    return report, read


@pytest.mark.pdf
def test_published_report_pdf_is_the_whole_report_in_the_house_style(east_sussex):
    report, read = east_sussex
    assert 4 <= len(read.pages) <= 12
    # Running header and "Page N of M" on every page.
    for number, page in enumerate(read.pages, start=1):
        assert PROGRAMME in page, number
        assert f"Page {number} of {len(read.pages)}" in page
    read.assert_in_order(
        [
            "Project Learning Report",
            "East Sussex",
            "Details of Bespoke Support Project (BSP)",
            "Partnership name East Sussex",
            "BSP methodology / methodologies Bespoke - Disruption/ Data",
            "Date BSP commenced August 2020",
        ]
    )
    # Every section, its heading then its text, in the template's order.
    expected = []
    for section in report.shown_sections():
        if section.heading in {"Leading with care"}:
            expected += [JOINING_THE_DOTS, first_words(JOINING_THE_DOTS_INTRO)]
        expected += [section.heading, first_words(section.body)]
    read.assert_in_order(expected)
    # The sign-off block: consent, date and both signatures.
    read.assert_in_order(
        [
            "Sign-off",
            "Please tick this box if there is an agreement for the Project Learning Report to be "
            "shared via the TCE Support Programme's microsite for other local areas",
            "Yes, agreed by the local area",
            "Date 12 July 2021",
            "Signed by local area Vicky Finnemore, MACE Strategic Chair",
            "Signed by TCE Project Lead Amy Hurst",
        ]
    )
    assert "DRAFT" not in read.text


@pytest.mark.pdf
def test_footnotes_sit_at_the_foot_of_the_page_with_their_addresses(east_sussex):
    report, read = east_sussex
    notes = [
        (to_text(section.body.split('<span class="footnote">')[0]).split()[-4:], to_text(note))
        for section in report.shown_sections()
        for note in _FOOTNOTE.findall(section.body)
    ]
    assert len(notes) == 2
    for number, (words_before, note) in enumerate(notes, start=1):
        call_page = read.page_of(" ".join(words_before))
        note_page = read.page_of(f"{number}. {note}")
        assert note_page == call_page, (number, call_page, note_page)
        assert squash(f"{number}. {note}") in read.pages[note_page - 1]
    assert "https://www.csnetwork.org.uk/toolkit" in read.text
    assert "https://tce.researchinpractice.org.uk/?s=participation" in read.text
    # No list of notes at the end, as the web page has.
    assert "Back to text" not in read.text


@pytest.mark.pdf
def test_pdf_is_tagged_titled_in_british_english_with_headings_as_bookmarks(east_sussex):
    report, read = east_sussex
    assert read.title == "Project Learning Report: East Sussex"
    assert read.language == "en-GB"
    assert read.is_tagged
    outline = read.outline()
    assert outline[0] == (1, "Project Learning Report")
    titles = [title for _depth, title in outline]
    assert "Details of Bespoke Support Project (BSP)" in titles
    for section in report.shown_sections():
        assert section.heading in titles
    assert (2, JOINING_THE_DOTS) in outline
    assert (3, "Leading with care") in outline
    assert (2, "Sign-off") in outline


@pytest.mark.pdf
def test_the_font_is_the_projects_own_and_embedded(east_sussex):
    _report, read = east_sussex
    fonts = read.font_names()
    assert fonts, "no fonts"
    assert all("Source-Sans-3" in name for name in fonts), fonts
    for page in read.reader.pages:
        for font in page["/Resources"]["/Font"].values():
            descendant = font.get_object()["/DescendantFonts"][0].get_object()
            assert "/FontFile2" in descendant["/FontDescriptor"], "font not embedded"


@pytest.mark.pdf
def test_no_heading_is_left_at_the_foot_of_a_page(east_sussex):
    report, read = east_sussex
    page = 0
    for heading, follows in headings_and_what_follows(report):
        page = read.page_of(heading, start=page - 1 if page else 0)
        assert read.page_of(follows, start=page - 1) == page, f"{heading!r} is stranded"


@pytest.mark.pdf
@pytest.mark.django_db
def test_draft_pdf_is_marked_on_every_page(demo):
    report, read = render("torbay")
    assert report.status == Status.AWAITING_SIGNOFF
    for number, page in enumerate(read.pages, start=1):
        assert "DRAFT: not signed off" in page, number
    read.assert_in_order([s.heading for s in report.shown_sections() if s.has_content])
    assert "Not yet signed off" in read.text
    # Torbay has many sub-headings: none of them is stranded either.
    page = 0
    for heading, follows in headings_and_what_follows(report):
        page = read.page_of(heading, start=page - 1 if page else 0)
        assert read.page_of(follows, start=page - 1) == page, f"{heading!r} is stranded"


@pytest.mark.parametrize(
    ("status", "consent", "mark"),
    [
        (Status.DRAFT, None, "DRAFT: not signed off"),
        (Status.AWAITING_SIGNOFF, None, "DRAFT: not signed off"),
        (Status.CHANGES_REQUESTED, None, "DRAFT: not signed off"),
        (Status.SIGNED_OFF, True, "Signed off, not yet published"),
        (Status.COUNTERSIGNED, True, "Signed off, not yet published"),
        (Status.NOT_FOR_PUBLICATION, False, "Signed off: not for publication"),
        (Status.WITHDRAWN, True, "Withdrawn from the microsite"),
        (Status.PUBLISHED, True, ""),
    ],
)
def test_every_state_but_published_is_marked(status, consent, mark):
    report = LearningReport(status=status, consent_to_publish=consent)
    assert pdf.mark_for(report) == mark


def test_links_show_their_addresses_in_print():
    html = (
        '<p>See <a href="https://example.org/blog" rel="noopener noreferrer">this blog post</a>'
        ' and <a href="https://example.org/x">https://example.org/x</a>'
        '<span class="footnote">As <a href="https://example.org/y">a study</a> shows</span>.</p>'
    )
    shown = pdf.show_link_addresses(html)
    # Link text that is not the address: the address becomes a footnote.
    assert (
        '<a href="https://example.org/blog" rel="noopener noreferrer">this blog post</a>'
        '<span class="footnote link-address"><a href="https://example.org/blog">'
        "https://example.org/blog</a></span>"
    ) in shown
    # A link that shows its address already is left alone.
    assert '<a href="https://example.org/x">https://example.org/x</a><span' in shown
    assert shown.count("link-address") == 1
    # Inside a footnote the address follows the text.
    assert (
        '<a href="https://example.org/y">a study</a> (<a href="https://example.org/y">'
        "https://example.org/y</a>) shows" in shown
    )


def test_a_relative_link_stored_earlier_becomes_plain_text_in_print():
    """WeasyPrint resolves relative links against the file system (``//evil.example/x`` became
    ``file://evil.example/x``): text stored before the sanitiser refused them is printed as text."""
    html = (
        '<p><a href="//evil.example/x">a</a>, <a href="rel">b</a>, <a href="#footnote-1">c</a>'
        '<span class="footnote">See <a href="/etc/passwd">d</a>.</span></p>'
    )
    shown = pdf.show_link_addresses(html)
    assert "evil.example" not in shown and "rel" not in shown and "/etc/passwd" not in shown
    assert shown == '<p>a, b, <a href="#footnote-1">c</a><span class="footnote">See d.</span></p>'


@pytest.mark.pdf
def test_a_render_loads_only_the_portals_static_files(caplog):
    source = pdf.PdfSource(
        html=(
            '<html lang="en-GB"><head><title>T</title>'
            '<link rel="stylesheet" href="file:///etc/passwd"></head>'
            '<body><p>Text</p><img src="https://example.org/tracker.png" alt=""></body></html>'
        ),
        title="T",
    )
    # Both loads are refused, and a render that could not load what it was given fails (it is
    # not stored as if it were whole).
    with caplog.at_level("ERROR", logger="weasyprint"), pytest.raises(pdf.RenderProblem) as failed:
        pdf.render(source)
    refusals = [r.getMessage() for r in caplog.records if "load only the portal" in r.getMessage()]
    assert any("example.org/tracker.png" in message for message in refusals), caplog.text
    assert any("/etc/passwd" in message for message in refusals), caplog.text
    assert "example.org/tracker.png" in str(failed.value)
    assert "/etc/passwd" in str(failed.value)


@pytest.mark.pdf
def test_text_nested_hundreds_deep_still_makes_a_pdf(db):
    """131 nested quotations (or 1,000 list levels) used to overflow WeasyPrint's recursion, so
    every PDF of the report failed: the sanitiser bounds the nesting when the text is saved."""
    cast = make_cast(
        sections={
            "key_issues": "<blockquote>" * 131 + "<p>Quoted deep.</p>" + "</blockquote>" * 131,
            "approaches": "<ul>"
            + "<li><ul>" * 1000
            + "<li>Listed deep.</li>"
            + "</ul></li>" * 1000
            + "</ul>",
        }
    )
    report = pdf.for_pdf(LearningReport.objects.all()).get(pk=cast.report.pk)
    text = read_pdf(pdf.render(pdf.report_source(report)).content).text
    assert "Quoted deep." in text and "Listed deep." in text


@pytest.mark.pdf
def test_a_render_that_weasyprint_reports_an_error_for_fails_and_is_not_kept():
    """WeasyPrint logs (does not raise) a PDF/UA error such as an image without alt text or a
    document without a language: the render fails, so that it is retried and reported, never
    stored as if it were accessible."""
    tick = (pdf._stylesheet_path().parent.parent / "img" / "pdf-tick.svg").as_uri()
    no_alt = pdf.PdfSource(
        html=f'<html lang="en-GB"><body><h1>T</h1><img src="{tick}"></body></html>', title="T"
    )
    with pytest.raises(pdf.RenderProblem, match="no required alt description"):
        pdf.render(no_alt)
    no_language = pdf.PdfSource(html="<html><body><h1>T</h1><p>Text.</p></body></html>", title="T")
    with pytest.raises(pdf.RenderProblem, match='"lang"'):
        pdf.render(no_language)
    with_alt = pdf.PdfSource(
        html=f'<html lang="en-GB"><body><h1>T</h1><img src="{tick}" alt="A tick"></body></html>',
        title="T",
    )
    assert pdf.render(with_alt).pages == 1


NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def _spelt(number: int) -> str:
    return " ".join(NUMBER_WORDS[int(digit)] for digit in str(number))


@pytest.mark.pdf
def test_every_footnote_is_on_the_page_of_its_call_in_a_long_report(db):
    """Sixty paragraphs of different lengths, each ending with a footnote call, so that calls
    fall on the last lines of many pages: each note is printed on its call's page."""
    paragraphs = []
    words = [
        "partners",
        "met",
        "to",
        "agree",
        "how",
        "they",
        "would",
        "share",
        "what",
        "each",
        "of",
        "them",
        "knew",
    ]
    for n in range(1, 61):
        filler = " ".join(words[i % len(words)] for i in range(5 + (n * 11) % 37))
        note = " ".join(words * 3)  # a note of three lines or so: not always room for it
        paragraphs.append(
            f'<p>{filler.capitalize()}. Call marker {_spelt(n)} end.<span class="footnote">'
            f"Source note {_spelt(n)} stop, {note}.</span></p>"
        )
    cast = make_cast("Footnoted", sections={"approaches": "".join(paragraphs)})
    report = pdf.for_pdf(LearningReport.objects.all()).get(pk=cast.report.pk)
    read = read_pdf(pdf.render(pdf.report_source(report)).content)
    assert len(read.pages) > 5
    for n in range(1, 61):
        call_page = read.page_of(f"Call marker {_spelt(n)} end.")
        note_page = read.page_of(f"Source note {_spelt(n)} stop,")
        assert note_page == call_page, (n, call_page, note_page)
