"""Reading Word files and PDFs into blocks: what is kept, what is left out, what is refused."""

import io
import re
import zipfile

import docx
import pypdf
import pytest
from weasyprint import HTML

from reports.demo import seed_demo
from reports.importing import readers, safety
from reports.importing.document import Kind
from reports.models import LearningReport
from reports.pdfs.document import for_pdf, render, report_source
from reports.template_sections import SECTIONS
from tests.reports.importing.test_safety import refused

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
FOOTNOTES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes xmlns:w="{W_NS}">'
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/>'
    '</w:r></w:p></w:footnote><w:footnote w:id="1"><w:p><w:r><w:t>See the TCE microsite.</w:t>'
    "</w:r></w:p></w:footnote></w:footnotes>"
)
FOOTNOTE_CALL = '<w:r><w:footnoteReference w:id="1"/></w:r>'


def word_file(build, *, runs=None, parts=None, relationships="", core=None) -> bytes:
    """A .docx made with python-docx by ``build(document)``, then edited as XML: each paragraph
    whose text is a key of ``runs`` gets that XML instead; ``parts`` are added to the archive;
    ``relationships`` to the document's."""
    document = docx.Document()
    build(document)
    if core:
        document.core_properties.author, document.core_properties.last_modified_by = core
    saved = io.BytesIO()
    document.save(saved)
    files = {}
    with zipfile.ZipFile(saved) as archive:
        for name in archive.namelist():
            files[name] = archive.read(name)
    body = files["word/document.xml"].decode()
    for placeholder, xml in (runs or {}).items():
        assert f"<w:t>{placeholder}</w:t></w:r>" in body
        body = body.replace(f"<w:t>{placeholder}</w:t></w:r>", f"<w:t></w:t></w:r>{xml}")
    files["word/document.xml"] = body.encode()
    if relationships:
        rels = files["word/_rels/document.xml.rels"].decode()
        files["word/_rels/document.xml.rels"] = rels.replace(
            "</Relationships>", relationships + "</Relationships>"
        ).encode()
    files.update(parts or {})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


def read(data: bytes, filename: str = "report.docx"):
    return readers.read(data, filename)


def headings(document) -> list[tuple[str, int]]:
    return [(block.text, block.level) for block in document.blocks if block.kind == Kind.HEADING]


# -- Word -----------------------------------------------------------------------------------------


def a_report(document):
    document.sections[0].header.paragraphs[0].text = "Tackling Child Exploitation Support Programme"
    document.add_heading("1. REASONS WHY THE LOCAL AREA REQUESTED THE TCE SUPPORT PROGRAMME", 1)
    document.add_paragraph("The partnership asked for help with disruption.")
    bold = document.add_paragraph().add_run("Overall goal of BSP:")
    bold.bold = True
    document.add_paragraph("A shared approach to soft intelligence.")
    document.add_paragraph("Workshops", style="List Bullet")
    document.add_paragraph("Reflective sessions", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    for row, (label, value) in enumerate([("Partnership name", "East Sussex"), ("BSP size", "S")]):
        table.cell(row, 0).text = label
        table.cell(row, 1).text = value


def test_a_word_report_reads_as_headings_paragraphs_lists_and_a_table(db):
    document = read(word_file(a_report))

    assert document.source == "docx"
    assert headings(document) == [
        ("1. REASONS WHY THE LOCAL AREA REQUESTED THE TCE SUPPORT PROGRAMME", 1),
        ("Overall goal of BSP:", 0),  # a bold line: a heading by its looks
    ]
    kinds = [block.kind for block in document.blocks]
    assert kinds == [
        Kind.HEADING,
        Kind.PARAGRAPH,
        Kind.HEADING,
        Kind.PARAGRAPH,
        Kind.LIST,
        Kind.TABLE,
    ]
    assert document.blocks[1].html == "<p>The partnership asked for help with disruption.</p>"
    assert document.blocks[4].html == "<ul><li>Workshops</li><li>Reflective sessions</li></ul>"
    assert document.blocks[5].rows == [["Partnership name", "East Sussex"], ["BSP size", "S"]]
    # The running header is in the header part, not in the body.
    assert not any("Tackling Child" in block.text for block in document.blocks)


def test_tracked_insertions_are_kept_deletions_left_out_and_authors_reported(db):
    tracked = (
        '<w:ins w:id="1" w:author="Imogen Inserter" w:date="2021-07-01T00:00:00Z">'
        "<w:r><w:t>kept words</w:t></w:r></w:ins>"
        '<w:del w:id="2" w:author="Dan Deleter" w:date="2021-07-01T00:00:00Z">'
        "<w:r><w:delText>removed words</w:delText></w:r></w:del>"
        "<w:r><w:rPr><w:vanish/></w:rPr><w:t>hidden words</w:t></w:r>"
    )
    data = word_file(
        lambda document: document.add_paragraph("TRACKED"),
        runs={"TRACKED": tracked},
        core=("Cora Author", "Lee Modifier"),
    )

    document = read(data)

    text = " ".join(block.text for block in document.blocks)
    assert "kept words" in text
    assert "removed words" not in text
    assert "hidden words" not in text
    people = " ".join(document.people_warnings)
    for name in ("Imogen Inserter", "Dan Deleter", "Cora Author", "Lee Modifier"):
        assert name in people
    assert "hidden text" in people


def test_comments_are_reported_with_their_authors(db):
    comments = (
        f'<w:comments xmlns:w="{W_NS}"><w:comment w:id="0" w:author="Cam Commenter">'
        "<w:p><w:r><w:t>Check this</w:t></w:r></w:p></w:comment></w:comments>"
    )
    data = word_file(
        lambda document: document.add_paragraph("Text."), parts={"word/comments.xml": comments}
    )

    document = read(data)

    assert any("1 comment (by Cam Commenter)" in warning for warning in document.people_warnings)
    assert "Check this" not in " ".join(block.text for block in document.blocks)


def test_footnotes_keep_their_calls_and_are_listed_in_a_footnotes_block(db):
    data = word_file(
        lambda document: document.add_paragraph("CALL"),
        runs={"CALL": "<w:r><w:t>Voices of young people</w:t></w:r>" + FOOTNOTE_CALL},
        parts={"word/footnotes.xml": FOOTNOTES},
        relationships=(
            f'<Relationship Id="rIdNotes" Type="{R_NS}/footnotes" Target="footnotes.xml"/>'
        ),
    )

    document = read(data)

    paragraph, notes = document.blocks
    assert paragraph.html == '<p>Voices of young people<sup><a href="#footnote-1">1</a></sup></p>'
    assert notes.kind == Kind.FOOTNOTES
    assert notes.html == '<ol><li id="footnote-1">See the TCE microsite.</li></ol>'


def test_a_javascript_link_loses_its_address(db):
    link = '<w:hyperlink r:id="rIdScript"><w:r><w:t>click me</w:t></w:r></w:hyperlink>'
    data = word_file(
        lambda document: document.add_paragraph("LINK"),
        runs={"LINK": link},
        relationships=(
            f'<Relationship Id="rIdScript" Type="{R_NS}/hyperlink" '
            'Target="javascript:alert(1)" TargetMode="External"/>'
        ),
    )

    document = read(data)

    assert "click me" in document.blocks[0].text
    assert "javascript" not in document.blocks[0].html


def test_a_word_file_declaring_an_external_entity_is_refused(db):
    data = word_file(lambda document: document.add_paragraph("ENTITY"))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    body = files["word/document.xml"].decode()
    body = body.replace(
        "<w:document ",
        '<!DOCTYPE w:document [<!ENTITY secret SYSTEM "file:///etc/passwd">]><w:document ',
        1,
    ).replace("<w:t>ENTITY</w:t>", "<w:t>&secret;</w:t>")
    files["word/document.xml"] = body.encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)

    message = refused(out.getvalue())

    assert message == safety.DAMAGED_WORD
    assert "root:" not in message


def test_a_word_file_without_text_is_refused(db):
    assert refused(word_file(lambda document: None)) == readers.NO_TEXT


# -- PDF ------------------------------------------------------------------------------------------


def a_pdf(html: str) -> bytes:
    return HTML(string=html).write_pdf()


def test_a_pdf_protected_with_a_password_is_refused(db):
    reader = pypdf.PdfReader(io.BytesIO(a_pdf("<p>Secret report</p>")))
    writer = pypdf.PdfWriter(clone_from=reader)
    writer.encrypt(user_password="open sesame", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)

    assert refused(out.getvalue(), "report.pdf") == readers.ENCRYPTED_PDF


def test_a_damaged_pdf_is_refused(db):
    assert refused(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "report.pdf") == (
        readers.DAMAGED_PDF
    )


def test_a_pdf_without_text_is_refused(db):
    assert refused(a_pdf("<div style='height: 5cm; background: black'></div>"), "x.pdf") == (
        readers.NO_TEXT
    )


@pytest.mark.pdf
def test_a_pdf_without_bookmarks_has_its_headings_found_by_their_font(db):
    pages = "".join(
        f"<h1>Section {n}</h1><p>Text of section {n} that wraps onto a second line because it is "
        f"long enough to need one, and it goes on and on.</p><p><b>Bold line {n}</b></p>"
        f"<p>After the bold line.</p><div style='break-after: page'></div>"
        for n in (1, 2, 3)
    )
    data = a_pdf(
        "<style>h1 { bookmark-level: none; font-size: 20pt } @page { @top-center {"
        "content: 'Running header' } @bottom-center { content: counter(page) } }</style>" + pages
    )

    document = read(data, "report.pdf")

    assert headings(document) == [
        ("Section 1", 1),
        ("Bold line 1", 0),
        ("Section 2", 1),
        ("Bold line 2", 0),
        ("Section 3", 1),
        ("Bold line 3", 0),
    ]
    texts = [block.text for block in document.blocks]
    assert "Running header" not in " ".join(texts)
    assert texts[1].startswith("Text of section 1 that wraps onto a second line")
    assert texts[1].endswith("goes on and on.")


@pytest.mark.pdf
def test_the_portals_own_pdf_reads_back_as_its_sections(db):
    seed_demo()
    report = for_pdf(LearningReport.objects.all()).get(slug="east-sussex")
    data = render(report_source(report)).content

    document = read(data, "east-sussex.pdf")

    found = [text.casefold() for text, _level in headings(document)]
    positions = []
    for spec in SECTIONS:
        section = report.sections.filter(key=spec.key).first()
        if section is None or spec.opens_group:
            continue
        assert spec.heading.casefold() in found, spec.heading
        start = found.index(spec.heading.casefold())
        positions.append(start)
        # The section's paragraphs follow its heading, in order.
        paragraphs = re.findall(r"<p>(.*?)</p>", section.body, re.DOTALL)
        texts = [block.text for block in document.blocks]
        heading_at = next(
            index
            for index, block in enumerate(document.blocks)
            if block.kind == Kind.HEADING and block.text.casefold() == spec.heading.casefold()
        )
        at = heading_at
        for paragraph in paragraphs:
            words = readers.plain_text(paragraph)
            words = re.sub(r"\s+", " ", words)[:60]
            at = next(index for index in range(at, len(texts)) if words[:40] in texts[index])
    assert positions == sorted(positions)
    assert any(
        block.kind == Kind.TABLE and ["BSP size", "Standard"] in block.rows
        for block in document.blocks
    )
    notes = [block for block in document.blocks if block.kind == Kind.FOOTNOTES]
    assert notes and 'id="footnote-1"' in notes[0].html


# -- The worker's limits --------------------------------------------------------------------------


def test_a_file_that_takes_too_long_to_read_is_refused(db, settings):
    """The limited child process is stopped at its time limit (here far too short to read
    anything) and the person is told what to do instead."""
    settings.IMPORT_WORKER_SECONDS = 0.05
    message = refused(word_file(a_report))
    assert message == readers.TOO_SLOW


def test_a_file_that_needs_too_much_memory_is_refused(db, settings):
    """The child process's address space is capped (here far too low for the Word reader): it
    fails, and the person is told the file needs too much memory."""
    settings.IMPORT_WORKER_MEMORY = 16 * 1024 * 1024
    message = refused(word_file(a_report))
    assert message == readers.TOO_BIG
