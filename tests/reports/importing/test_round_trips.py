"""Round trips: what the portal exports, and a Word file in other wordings, import back to the
same sections."""

import re

import pytest

from reports.demo import seed_demo
from reports.importing import mapping, readers
from reports.models import LearningReport
from reports.pdfs.document import for_pdf, render, report_source
from reports.richtext import to_text
from tests.reports.importing.test_readers import FOOTNOTE_CALL, FOOTNOTES, R_NS, word_file

_FOOTNOTE = re.compile(r'<span class="footnote">(.*?)</span>', re.DOTALL)


def words(html: str) -> str:
    """The text of ``html`` without its footnotes, white space collapsed."""
    return " ".join(to_text(_FOOTNOTE.sub("", html)).split())


def notes(html: str) -> list[str]:
    return [" ".join(to_text(note).split()) for note in _FOOTNOTE.findall(html)]


@pytest.mark.pdf
@pytest.mark.parametrize("slug", ["east-sussex", "torbay"])
def test_a_report_exported_as_a_pdf_imports_back_to_the_same_sections(db, slug):
    """Torbay is a draft (its PDF marked as such); East Sussex has footnotes. Each section's
    text comes back word for word, its footnotes with it (the PDF prints them at the foot of
    the page; the import puts each back at its call)."""
    seed_demo()
    report = for_pdf(LearningReport.objects.all()).get(slug=slug)
    exported = render(report_source(report)).content

    proposal = mapping.propose(readers.read(exported, f"{slug}.pdf"))

    written = {s.key: s.body for s in report.sections.all() if to_text(s.body).strip()}
    assert set(proposal.sections) == set(written)
    for key, body in written.items():
        assert words(proposal.sections[key]) == words(body), key
        for note in notes(body):
            assert note in " ".join(notes(proposal.sections[key])), (key, note)


def _east_sussex_in_other_words(document):
    """A Word file of the kind people wrote before the portal: a running header, the title in
    capitals, the details as a table, headings numbered, in capitals, or only bold lines, in
    other wordings, a footnote and a tracked change."""
    document.sections[0].header.paragraphs[0].text = "Tackling Child Exploitation Support Programme"
    document.add_heading("PROJECT LEARNING REPORT", 0)
    table = document.add_table(rows=3, cols=2)
    rows = [
        ("Partnership Name:", "East Sussex"),
        ("BSP Project Size:", "Standard"),
        ("Regional Area:", "Sussex Police"),
    ]
    for row, (label, value) in enumerate(rows):
        table.cell(row, 0).text = label
        table.cell(row, 1).text = value
    document.add_heading("1. REASONS WHY THE LOCAL AREA REQUESTED THE TCE SUPPORT PROGRAMME", 1)
    document.add_paragraph("CALL")
    document.add_paragraph().add_run("2. Overall Goal of the BSP:").bold = True
    document.add_paragraph("A shared approach to soft intelligence.")
    document.add_paragraph("TRACKED")
    document.add_heading("Approaches and methods", 2)
    document.add_paragraph("Workshops", style="List Bullet")
    document.add_paragraph("Reflective sessions", style="List Bullet")


def test_a_word_file_in_other_wordings_imports_to_the_same_content(db):
    data = word_file(
        _east_sussex_in_other_words,
        runs={
            "CALL": "<w:r><w:t>The partnership asked for help with disruption.</w:t></w:r>"
            + FOOTNOTE_CALL,
            "TRACKED": '<w:r><w:t xml:space="preserve">Partners agreed </w:t></w:r>'
            '<w:ins w:id="1" w:author="Imogen Inserter" w:date="2021-07-01T00:00:00Z">'
            '<w:r><w:t xml:space="preserve">in September </w:t></w:r></w:ins>'
            '<w:del w:id="2" w:author="Dan Deleter" w:date="2021-07-01T00:00:00Z">'
            '<w:r><w:delText xml:space="preserve">in August </w:delText></w:r></w:del>'
            "<w:r><w:t>to meet monthly.</w:t></w:r>",
        },
        parts={"word/footnotes.xml": FOOTNOTES},
        relationships=(
            f'<Relationship Id="rIdNotes" Type="{R_NS}/footnotes" Target="footnotes.xml"/>'
        ),
    )

    document = readers.read(data, "East Sussex learning report.docx")
    proposal = mapping.propose(document)

    assert words(proposal.sections["reasons"]) == "The partnership asked for help with disruption."
    assert notes(proposal.sections["reasons"]) == ["See the TCE microsite."]
    assert words(proposal.sections["overall_goal"]) == (
        "A shared approach to soft intelligence. Partners agreed in September to meet monthly."
    )
    assert "<li>Workshops</li>" in proposal.sections["approaches"]
    assert words(proposal.sections["approaches"]) == "Workshops Reflective sessions"
    assert set(proposal.sections) == {"reasons", "overall_goal", "approaches"}
    details = {field.label.rstrip(":"): field for field in proposal.details}
    assert details["BSP Project Size"].value == "Standard"
    assert details["Regional Area"].value == "Sussex Police"
    assert details["Regional Area"].matched  # Sussex Police is in the South East
    text = " ".join(block.text for block in document.blocks)
    assert "Tackling Child Exploitation" not in text  # the running header stays out
    assert any("Imogen Inserter" in warning for warning in document.people_warnings)
