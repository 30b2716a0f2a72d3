"""The portal holds the two real reports word for word: every paragraph of each seed document is
on the report's web page and in its PDF, in the seed's order.

The seeds (tests/fixtures/seeds/, the programme's documents) are text extracted from the published
Word documents, with a little markup left in: <p>, <b>, <sup>, markdown headings, bold, emphasis,
bullets and links. What counts as a paragraph of a seed:

- Every line of text is a paragraph: a heading, a block of sentences, a list item (without its
  "- " or "1. " marker, which belongs to the list), each <p> of a table cell.
- A paragraph cut in two by a page break is one paragraph: when the text before a running header
  ends without . ? ! or :, and the text after it is neither a heading nor a list item.
- A row of the details table ("label<TAB>value") is its value. The labels are the template's, and
  the two seeds come from versions of the template that word them differently ("BSP Project Size",
  "BSP size"), so they are left to the tests of the details table.
- Footnotes ("<sup>1</sup> text") must be there, but not in any order: the page lists them at the
  end, the PDF at the foot of the page of their call. A call ("responses<sup>1</sup>?") is not
  part of the text; the page and the PDF may show its number there.
- The template's own words (the title, the section headings, the sign-off block's labels and its
  consent question) are compared without their closing colon and without letter case: the two
  seeds capitalise them differently ("Support Programme's microsite", "Support programme's
  Microsite").
- Values of fields (the details table, the sign-off block) may have a list separator (; or ,)
  where the Word table had a line break ("Vicky Finnemore MACE Strategic Chair" is a name and a
  role); the sign-off date is written out ("12/07/2021" is shown as "12 July 2021").
- Not paragraphs, but page furniture: the running header "Tackling Child Exploitation Support
  Programme" (also the first line of the title page), the footnotes' rule "---", blank lines.
- One typo of the seed is corrected: "Singed by TCE Project Lead".

Text is compared after Unicode NFKC, with every run of white space as one space; a line may break
after a hyphen. On the web page, the text is the report's <article> as a sighted reader sees it
(without the screen-reader-only words); in the PDF, the running header, the page numbers, the
draft mark and the list markers (which pypdf gives after the rest of a page) are taken out of each
page. On the page, the seed's list items must also be list items.
"""

import datetime
import io
import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pypdf
import pytest
from django.urls import reverse

from reports.demo import seed_demo
from reports.models import LearningReport
from reports.pdfs.document import for_pdf, render, report_source
from reports.template_sections import JOINING_THE_DOTS, KEY_ISSUES_SUBHEADING, SECTIONS

SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"
REPORTS = [
    pytest.param("east-sussex", "000_355be5435e6701e6.txt", id="east-sussex"),
    pytest.param("torbay", "001_836f24745f3f6e9f.txt", id="torbay"),
]

RUNNING_HEADER = "Tackling Child Exploitation Support Programme"
TYPOS = {"Singed by TCE Project Lead": "Signed by TCE Project Lead"}
TEMPLATE_WORDS = {
    "project learning report",
    "details of bespoke support project (bsp)",
    JOINING_THE_DOTS.casefold(),
    KEY_ISSUES_SUBHEADING.casefold(),
    *(spec.heading.casefold() for spec in SECTIONS),
}
CONSENT_QUESTION = "please tick this box if there is an agreement"
SIGNOFF_FIELD = re.compile(r"^(Date|Signed by local area|Signed by TCE Project Lead):\s*(.*)$")
CALL = "\x00"  # where a footnote call was


# -- The seed's paragraphs ------------------------------------------------------------------------


@dataclass
class Paragraph:
    text: str
    kind: str = "text"  # "text", "template", "field" or "footnote"
    is_heading: bool = False
    is_list_item: bool = False

    @property
    def shown(self) -> str:
        return self.text.replace(CALL, "")

    def pattern(self) -> re.Pattern:
        gap = r"[;,]?\s+" if self.kind == "field" else r"\s+"
        pieces = []
        for piece in self.text.split(CALL):
            escaped = re.escape(piece).replace(r"\-", r"-\s?").replace(r"\ ", gap)
            pieces.append(escaped)
        flags = re.IGNORECASE if self.kind == "template" else 0
        marker = r"(?:\d+\.\s?)?" if self.kind == "footnote" else ""  # the PDF's "1. "
        return re.compile(marker + r"\s?\d*\s?".join(pieces), flags)


def inline_text(text: str) -> str:
    text = re.sub(r"<sup>\d+</sup>", CALL, text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # [words](address): the words
    text = re.sub(r"<(https?://[^>]+)>", r"\1", text)  # <address>: the address
    text = re.sub(r"</?[a-z][^>]*>", "", text)  # <b>, <a href="#">...
    text = text.replace("**", "")
    text = re.sub(r"(?<!\w)\*(\S[^*]*?)\*(?!\w)", r"\1", text)  # *emphasis*
    return " ".join(text.split())


def template_or_text(text: str, **kwargs) -> Paragraph:
    bare = text.rstrip(":").strip()
    if bare.casefold() in TEMPLATE_WORDS or bare.casefold().startswith(CONSENT_QUESTION):
        return Paragraph(bare, "template", **kwargs)
    return Paragraph(text, **kwargs)


def paragraphs_of_line(line: str) -> list[Paragraph]:
    """The paragraphs of one line of a seed (with its markup), outside the running headers."""
    if "\t" in line:
        label, _, value = line.partition("\t")
        if value.strip():
            return [Paragraph(inline_text(value), "field")]
        line = label.strip()
    if line.startswith("<p>"):
        return [Paragraph(inline_text(p)) for p in line.split("</p>") if inline_text(p)]
    heading = re.match(r"#+\s*", line)
    text = inline_text(line[heading.end() :] if heading else line)
    if field := SIGNOFF_FIELD.match(text):
        label, value = field.groups()
        found = [Paragraph(label, "template")]
        if value and label == "Date":
            signed_on = datetime.datetime.strptime(value, "%d/%m/%Y").date()
            value = f"{signed_on.day} {signed_on:%B %Y}"
        if value:
            found.append(Paragraph(value, "field"))
        return found
    if heading or line.startswith("<b>"):
        return [template_or_text(text, is_heading=True)]
    if marker := re.match(r"(-|\d+\.)\s+", text):
        return [template_or_text(text[marker.end() :], is_list_item=True)]
    return [template_or_text(text)]


def seed_paragraphs(name: str) -> tuple[list[Paragraph], list[Paragraph]]:
    """(the seed's paragraphs in order, its footnotes)."""
    text = (SEEDS / name).read_text(encoding="utf-8")
    for typo, word in TYPOS.items():
        text = text.replace(typo, word)
    ordered, footnotes = [], []
    after_page_break = False
    for raw in text.splitlines():
        line = raw.strip() if "\t" not in raw else raw
        if not line.strip() or line.strip() == "---":
            continue
        if inline_text(re.sub(r"^#+\s*", "", line)) == RUNNING_HEADER:
            after_page_break = bool(ordered)
            continue
        if note := re.match(r"<sup>\d+</sup>\s*", line):
            footnotes.append(Paragraph(inline_text(line[note.end() :]), "footnote"))
            continue
        found = paragraphs_of_line(line)
        first, previous = found[0], ordered[-1] if ordered else None
        if (
            after_page_break
            and previous is not None
            and previous.kind == "text"
            and not previous.is_heading
            and not previous.text.endswith((".", "?", "!", ":"))
            and first.kind == "text"
            and not first.is_heading
            and not first.is_list_item
        ):
            previous.text = f"{previous.text} {first.text}"
            found = found[1:]
        ordered += found
        after_page_break = False
    return ordered, footnotes


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("\u00ad", "")
    return " ".join(text.split())


def unmatched(seed: str, text: str) -> list[str]:
    """The paragraphs of the seed named ``seed`` that ``text`` does not show in order, each
    with why."""
    ordered, footnotes = seed_paragraphs(seed)
    problems = []
    for note in footnotes:
        match = note.pattern().search(text)
        if match is None:
            problems.append(f"missing footnote: {note.shown!r}")
        else:  # a footnote is where its page ends: out of the way of the text around it
            text = f"{text[: match.start()]} {text[match.end() :]}"
    position = 0
    for number, paragraph in enumerate(ordered, start=1):
        pattern = paragraph.pattern()
        if match := pattern.search(text, position):
            position = match.end()
        elif pattern.search(text):
            problems.append(f"paragraph {number}, out of order: {paragraph.shown!r}")
        else:
            problems.append(f"paragraph {number}, missing: {paragraph.shown!r}")
    return problems


def test_the_seeds_read_as_paragraphs():
    east_sussex, notes = seed_paragraphs("000_355be5435e6701e6.txt")
    torbay, no_notes = seed_paragraphs("001_836f24745f3f6e9f.txt")
    assert len(notes) == 2
    assert no_notes == []
    for paragraph in [*east_sussex, *torbay, *notes]:
        assert not re.search(r"<|>|\*\*|\]\(|^#|^- |\t", paragraph.shown), paragraph
        assert RUNNING_HEADER not in paragraph.shown
    # Paragraphs cut by a page break are whole again.
    texts = [p.shown for p in east_sussex + torbay]
    assert any("directly held as a multi-agency child exploitation" in t for t in texts)
    assert any("willing / able to take it as a meaningful" in t for t in texts)
    assert any("to being focused on 'ambitions'. An opportunity" in t for t in texts)
    # Bullets that follow each other over a page break stay apart.
    before = next(i for i, text in enumerate(texts) if text.startswith("What is needed to enable"))
    assert texts[before + 1].startswith("When might the partnership need to pause")
    assert [p.shown for p in east_sussex if p.kind == "field"][:2] == [
        "East Sussex",
        "East Sussex County Council Sussex Police British Transport Police (BTP) Youth Justice "
        "Board (YJB)",
    ]
    assert [p.shown for p in east_sussex][-6:] == [
        "Date",
        "12 July 2021",
        "Signed by local area",
        "Vicky Finnemore MACE Strategic Chair",
        "Signed by TCE Project Lead",
        "Amy Hurst",
    ]


# -- The web page ---------------------------------------------------------------------------------


class ArticleText(HTMLParser):
    """The text of the page's <article>: blocks on lines of their own, without what only screen
    readers hear (``visually-hidden``); and the text of each of its list items."""

    BLOCKS = {"p", "li", "dt", "dd", "dl", "ul", "ol", "div", "section", "article", "header"}
    BLOCKS |= {"table", "caption", "tr", "th", "td", "br", "aside", "nav", "blockquote"}
    BLOCKS |= {"h1", "h2", "h3", "h4", "h5", "h6"}
    VOID = {"br", "img", "input", "hr", "meta", "link", "wbr", "source"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.open, self.hidden_at, self.in_article = [], [], None, False
        self.list_items, self.item_starts = [], []

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag == "article":
            self.in_article = True
        if tag in self.BLOCKS:
            self.parts.append("\n")
        if tag == "li":
            self.item_starts.append(len(self.parts))
        if tag in self.VOID:
            return
        self.open.append(tag)
        if self.hidden_at is None and ("visually-hidden" in classes or tag in {"script", "style"}):
            self.hidden_at = len(self.open)

    def handle_endtag(self, tag):
        if tag in self.VOID or tag not in self.open:
            return
        while self.open:
            if self.hidden_at is not None and len(self.open) <= self.hidden_at:
                self.hidden_at = None
            if self.open.pop() == tag:
                break
        if tag in self.BLOCKS:
            self.parts.append("\n")
        if tag == "li" and self.item_starts:
            self.list_items.append(normalise("".join(self.parts[self.item_starts.pop() :])))
        if tag == "article":
            self.in_article = False

    def handle_data(self, data):
        if self.in_article and self.hidden_at is None:
            self.parts.append(data)


def report_page(client, slug) -> ArticleText:
    report = LearningReport.objects.get(slug=slug)
    if report.is_public:
        url = report.get_absolute_url()
    else:
        # Torbay awaits sign-off: its delivery partner previews it as the public page will show it.
        client.force_login(report.bsp.delivery_partners.get())
        url = reverse("reports:report-preview", kwargs={"slug": slug})
    response = client.get(url)
    assert response.status_code == 200
    page = ArticleText()
    page.feed(response.content.decode())
    return page


@pytest.mark.parametrize(("slug", "seed"), REPORTS)
def test_the_report_page_shows_every_paragraph_of_the_seed_in_order(db, client, slug, seed):
    seed_demo()
    page = report_page(client, slug)
    problems = unmatched(seed, normalise("".join(page.parts)))
    # The seed's bullets and numbered items are list items on the page (not sub-headings).
    for paragraph in seed_paragraphs(seed)[0]:
        listed = any(paragraph.pattern().fullmatch(item) for item in page.list_items)
        if paragraph.is_list_item and paragraph.kind == "text" and not listed:
            problems.append(f"not a list item: {paragraph.shown!r}")
    assert not problems, f"The page of {slug} differs from its seed {seed}:\n" + "\n".join(problems)


# -- The PDF --------------------------------------------------------------------------------------


LIST_MARKERS = re.compile(r"^\s*(?:•|\d+\.)\s*$", re.MULTILINE)


def pdf_text(content: bytes, *, mark: str) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    pages = []
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        for furniture in (RUNNING_HEADER, f"Page {number} of {len(reader.pages)}", mark):
            if furniture:
                text = text.replace(furniture, " ")
        # pypdf gives a page's list markers ("•", "1.") after its text: they are the lists'.
        pages.append(LIST_MARKERS.sub("", text))
    return normalise(" ".join(pages))


@pytest.mark.pdf
@pytest.mark.parametrize(("slug", "seed"), REPORTS)
def test_the_report_pdf_holds_every_paragraph_of_the_seed_in_order(db, slug, seed):
    seed_demo()
    report = for_pdf(LearningReport.objects.all()).get(slug=slug)
    source = report_source(report)
    problems = unmatched(seed, pdf_text(render(source).content, mark=source.mark))
    assert not problems, f"The PDF of {slug} differs from its seed {seed}:\n" + "\n".join(problems)
