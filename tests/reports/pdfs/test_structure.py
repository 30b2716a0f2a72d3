"""The PDFs' structure, asserted with pikepdf (tests/support/pdf_structure.py): tagged, in
British English, titled, figures with alt text, tables with header cells, headings and bookmarks
that never skip a level. For the published East Sussex PDF, a draft, a compendium and a report
with a table in a section."""

import pytest

from reports.models import LearningReport, Status
from reports.pdfs import document, storage
from tests.factories import make_cast
from tests.support.pdf_structure import assert_accessible_structure

pytestmark = [pytest.mark.pdf, pytest.mark.django_db]


def published_pdf(report) -> bytes:
    edition = document.editions_for_pdf().get(pk=report.published_edition_id)
    return document.render(document.edition_source(edition)).content


def test_the_published_east_sussex_pdf(demo):
    report = document.for_pdf(LearningReport.objects.all()).get(slug="east-sussex")
    structure = assert_accessible_structure(
        published_pdf(report),
        headings=[section.heading for section in report.shown_sections() if section.has_content],
    )
    assert "/Table" in structure.tags  # the details table, with its header cells


def test_a_draft(demo):
    report = document.for_pdf(LearningReport.objects.all()).get(slug="torbay")
    assert report.status == Status.AWAITING_SIGNOFF
    assert_accessible_structure(
        document.render(document.report_source(report)).content,
        headings=[section.heading for section in report.shown_sections() if section.has_content],
    )


def test_a_compendium(demo):
    make_cast("Tabled", status=Status.PUBLISHED)
    reports = list(storage.compendium_reports(slugs=["east-sussex", "tabled"]))
    assert len(reports) == 2
    source = document.compendium_source(reports, programme_year=None)
    assert_accessible_structure(
        document.render(source).content,
        headings=["Project Learning Report: East Sussex", "Project Learning Report: Tabled"],
    )


def test_a_report_with_a_table_in_a_section(db):
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
    structure = assert_accessible_structure(published_pdf(report))
    assert structure.tags.count("/Table") == 2  # the details table and the section's


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
