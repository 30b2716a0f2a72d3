"""The PDFs' structure, asserted with pikepdf (tests/support/pdf_structure.py): tagged, in
British English, titled, figures with alt text, tables with header cells, headings and bookmarks
that never skip a level; and the PDF/UA checker outloud (Matterhorn protocol, WCAG 2.2) finds no
error. For the published East Sussex PDF (sealed too), a draft, a compendium and a report with a
table in a section."""

import outloud
import pytest

from reports.models import LearningReport, Status
from reports.pdfs import document, seal, storage
from tests.factories import make_cast
from tests.reports.pdfs.test_seal import make_pair
from tests.support.pdf_structure import assert_accessible_structure

pytestmark = [pytest.mark.pdf, pytest.mark.django_db]


def assert_outloud_finds_no_error(content: bytes, tmp_path) -> None:
    path = tmp_path / "checked.pdf"
    path.write_bytes(content)
    result = outloud.check(str(path))
    assert result.error is None, result.error
    errors = [f"{f.rule} p.{f.page}: {f.message}" for f in result.findings if f.severity == "error"]
    assert errors == []


def published_pdf(report) -> bytes:
    edition = document.editions_for_pdf().get(pk=report.published_edition_id)
    return document.render(document.edition_source(edition)).content


def test_the_published_east_sussex_pdf_sealed_and_not(demo, settings, tmp_path):
    report = document.for_pdf(LearningReport.objects.all()).get(slug="east-sussex")
    content = published_pdf(report)
    headings = [section.heading for section in report.shown_sections() if section.has_content]
    structure = assert_accessible_structure(content, headings=headings)
    assert "/Table" in structure.tags  # the details table, with its header cells
    assert_outloud_finds_no_error(content, tmp_path)
    # The seal's field is named and tagged: the sealed file passes too.
    settings.PDF_SEAL_KEY, settings.PDF_SEAL_CERT = make_pair(tmp_path / "seal")
    sealed = seal.seal(content)
    assert "/Form" in assert_accessible_structure(sealed, headings=headings).tags
    assert_outloud_finds_no_error(sealed, tmp_path)


def test_a_draft(demo, tmp_path):
    report = document.for_pdf(LearningReport.objects.all()).get(slug="torbay")
    assert report.status == Status.AWAITING_SIGNOFF
    content = document.render(document.report_source(report)).content
    assert_accessible_structure(
        content,
        headings=[section.heading for section in report.shown_sections() if section.has_content],
    )
    assert_outloud_finds_no_error(content, tmp_path)


def test_a_compendium(demo, tmp_path):
    make_cast("Tabled", status=Status.PUBLISHED)
    reports = list(storage.compendium_reports(slugs=["east-sussex", "tabled"]))
    assert len(reports) == 2
    source = document.compendium_source(reports, programme_year=None)
    content = document.render(source).content
    assert_accessible_structure(
        content,
        headings=["Project Learning Report: East Sussex", "Project Learning Report: Tabled"],
    )
    assert_outloud_finds_no_error(content, tmp_path)


def test_a_report_with_a_table_in_a_section(db, tmp_path):
    cast = make_cast(
        "Tabled",
        sections={
            "approaches": (
                "<p>What we did:</p><table><thead><tr><th>Session</th><th>Who came</th></tr>"
                "</thead><tbody><tr><td>Workshop</td><td>12 partners</td></tr></tbody></table>"
            )
        },
        status=Status.PUBLISHED,
    )
    report = document.for_pdf(LearningReport.objects.all()).get(pk=cast.report.pk)
    content = published_pdf(report)
    structure = assert_accessible_structure(content)
    # The details, the section's, the sign-off, and the completion record's three.
    assert structure.tags.count("/Table") == 6
    assert_outloud_finds_no_error(content, tmp_path)


def test_the_checks_find_what_they_look_for():
    """A PDF whose headings skip a level fails them; so does one with a table without header
    cells."""

    def pdf_of(body):
        html = (
            f'<html lang="en-GB"><head><title>T</title></head><body><h1>T</h1>{body}</body></html>'
        )
        return document.render(document.PdfSource(html=html, title="T")).content

    with pytest.raises(AssertionError, match="skips from H1 to H3"):
        assert_accessible_structure(pdf_of("<h3>Skipped</h3>"))
    with pytest.raises(AssertionError, match="a table has no header cell"):
        assert_accessible_structure(pdf_of("<table><tr><td>no header</td></tr></table>"))
