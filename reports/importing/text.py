"""Plain text and Markdown: what copying a report out of Word, or a converter, leaves behind.

Such text keeps a little markup: markdown headings (``## Key issues``), bold (``**Date:**``, or
``<b>...</b>`` around a label), ``<p>`` paragraphs in a cell of a table row ("label<TAB>value"),
bullets and numbered items, links, footnote calls (``<sup>1</sup>``) with their notes on lines
of their own, the footnotes' rule ``---``, and the running header at the head of every page.

What counts as a paragraph is what the seed documents' test says (the docstring of
tests/reports/test_seed_fidelity.py): every line is one (a heading, a block of sentences, a
list item, each ``<p>`` of a cell), except that a paragraph cut in two by a page break is one
paragraph again. Every piece of HTML goes through the portal's sanitiser
(``reports.richtext.sanitise``), the one typed text goes through.
"""

import re
from dataclasses import dataclass

from ..richtext import sanitise, to_text
from .document import Block, ImportedDocument, ImportRefused, Kind

# The programme's running header: page furniture, and the sign of a page break.
RUNNING_HEADER = "Tackling Child Exploitation Support Programme"
# A line that is all bold is a heading by its looks when it is no longer than this.
BOLD_HEADING_MAX_WORDS = 30
# In text with no markup at all, a line this short that does not end a sentence is a heading.
PLAIN_HEADING_MAX_WORDS = 25

_MARKDOWN_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_LIST_ITEM = re.compile(r"^(?:(?P<bullet>[-*•])|(?P<number>\d+)[.)])\s+(?P<text>.*)$")
_FOOTNOTE_LINE = re.compile(r"^<sup>(\d+)</sup>\s*(.*)$")
_FOOTNOTE_CALL = re.compile(r"<sup>(\d+)</sup>")
_WHOLE_BOLD = re.compile(r"^(?:\*\*(?P<stars>.+)\*\*|<b>(?P<tag>.+)</b>)(?P<after>:?)$")
_MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]*)\)")
_AUTOLINK = re.compile(r"<((?:https?://|mailto:)[^>\s]+)>")
_EMPTY_LINK = re.compile(r'<a\s+href="#?"\s*>(.*?)</a>', re.DOTALL)
_STRONG = re.compile(r"\*\*(\S(?:.*?\S)?)\*\*")
_EMPHASIS = re.compile(r"(?<![\w*])\*(\S(?:[^*]*?\S)?)\*(?![\w*])")
_CELL_PARAGRAPH = re.compile(r"<p>(.*?)(?:</p>|$)", re.DOTALL)
_SENTENCE_END = (".", "?", "!", ":")


@dataclass
class _Line:
    """One paragraph of the text before blocks are made of it."""

    kind: str  # "heading", "paragraph", "item", "row"
    html: str  # inline HTML (not yet sanitised)
    level: int = 0
    list_tag: str = ""  # "ul" or "ol" for an item
    label: str = ""  # a row's label (its value is ``html``)
    from_markup: bool = False  # a heading by markup, or a <p> of a cell

    @property
    def text(self) -> str:
        return to_text(sanitise(self.html))


def read_text(data: bytes) -> ImportedDocument:
    """The blocks of a plain text or Markdown file, in reading order."""
    text = _decode(data)
    lines, footnotes, has_markup = _lines(text)
    if not has_markup:
        _guess_headings(lines)
    blocks = _blocks(lines)
    if footnotes:
        blocks.append(_footnotes_block(footnotes))
    warnings = [] if blocks else ["The file has no text."]
    return ImportedDocument(source="text", blocks=blocks, warnings=warnings)


def _decode(data: bytes) -> str:
    if b"\x00" in data:
        raise ImportRefused("This file is not text: choose a Word document, a PDF or a text file.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(
            "This file is not text in UTF-8: save it as UTF-8 text (or choose the Word document "
            "or PDF) and try again."
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _lines(text: str) -> tuple[list[_Line], dict[int, str], bool]:
    """The text's paragraphs with page breaks mended, its footnotes (number -> inline HTML), and
    whether it marks headings at all (Markdown or bold lines)."""
    lines: list[_Line] = []
    footnotes: dict[int, str] = {}
    has_markup = False
    after_page_break = False
    for raw in text.split("\n"):
        line = raw.strip()
        if not line or line == "---":
            continue
        if _plain(_MARKDOWN_HEADING.sub(r"\2", line)) == RUNNING_HEADER:
            after_page_break = bool(lines)
            continue
        if note := _FOOTNOTE_LINE.match(line):
            footnotes[int(note.group(1))] = _inline(note.group(2))
            continue
        found = _paragraphs_of(raw if "\t" in raw else line)
        has_markup = has_markup or any(item.kind == "heading" for item in found)
        if after_page_break and lines and _continues(lines[-1], found[0]):
            lines[-1].html = f"{lines[-1].html} {found.pop(0).html}"
        lines += found
        after_page_break = False
    return lines, footnotes, has_markup


def _continues(previous: _Line, first: _Line) -> bool:
    """A page break cut a paragraph: the text before it does not end a sentence and the text
    after it is plain text (not a heading, list item or table row)."""
    return (
        previous.kind == "paragraph"
        and first.kind == "paragraph"
        and not previous.text.endswith(_SENTENCE_END)
    )


def _paragraphs_of(line: str) -> list[_Line]:
    """The paragraphs of one line of the text (outside running headers and footnotes)."""
    if "\t" in line:
        label, _, value = line.partition("\t")
        if value.strip():
            return [_Line("row", _cell(value.strip()), label=_plain(label))]
        line = label.strip()
    if line.startswith("<p>"):
        return [
            _Line("paragraph", _inline(piece), from_markup=True)
            for piece in _CELL_PARAGRAPH.findall(line)
            if _plain(piece)
        ]
    if heading := _MARKDOWN_HEADING.match(line):
        return [_Line("heading", _inline(_unbold(heading.group(2))), level=len(heading.group(1)))]
    if (bold := _WHOLE_BOLD.match(line)) and len(line.split()) <= BOLD_HEADING_MAX_WORDS:
        words = (bold.group("stars") or bold.group("tag")) + bold.group("after")
        return [_Line("heading", _inline(words), level=0, from_markup=True)]
    if item := _LIST_ITEM.match(line):
        tag = "ul" if item.group("bullet") else "ol"
        return [_Line("item", _inline(item.group("text")), list_tag=tag)]
    return [_Line("paragraph", _inline(line))]


def _unbold(text: str) -> str:
    """A heading's words without the bold around all of them (a heading is bold anyway)."""
    bold = _WHOLE_BOLD.match(text.strip())
    return (bold.group("stars") or bold.group("tag")) + bold.group("after") if bold else text


def _cell(value: str) -> str:
    """A table cell's value: its <p> paragraphs joined with line breaks, or its text."""
    pieces = [_inline(piece) for piece in _CELL_PARAGRAPH.findall(value) if _plain(piece)]
    return "<br>".join(pieces) if pieces else _inline(value)


def _inline(text: str) -> str:
    """Inline Markdown and leftover tags as the portal's inline HTML (sanitised later)."""
    text = _FOOTNOTE_CALL.sub(r'<sup><a href="#footnote-\1">\1</a></sup>', text)
    text = _MARKDOWN_LINK.sub(_link, text)
    text = _AUTOLINK.sub(r'<a href="\1">\1</a>', text)
    # Word's placeholder links ("#", nowhere) are only their words.
    text = _EMPTY_LINK.sub(r"\1", text)
    text = text.replace("<b>", "<strong>").replace("</b>", "</strong>")
    text = text.replace("<i>", "<em>").replace("</i>", "</em>")
    text = _STRONG.sub(r"<strong>\1</strong>", text)
    return _EMPHASIS.sub(r"<em>\1</em>", text).strip()


def _link(match: re.Match) -> str:
    words, address = match.groups()
    return f'<a href="{address}">{words}</a>' if address.strip("#") else words


def _plain(text: str) -> str:
    return to_text(sanitise(_inline(text)))


def _guess_headings(lines: list[_Line]) -> None:
    """Text with no markup at all (copied from Word as plain text): its short lines that do not
    end a sentence were headings."""
    for line in lines:
        if line.kind != "paragraph" or line.from_markup:
            continue
        text = line.text
        short = len(text.split()) <= PLAIN_HEADING_MAX_WORDS
        if short and not text.endswith((".", ":", ";", ",")):
            line.kind = "heading"


def _blocks(lines: list[_Line]) -> list[Block]:
    """Blocks of the paragraphs: list items in a row make one list, table rows one table."""
    blocks: list[Block] = []
    run: list[_Line] = []
    for line in [*lines, None]:
        if run and (line is None or not _same_run(run[-1], line)):
            blocks.append(_list_block(run) if run[0].kind == "item" else _table_block(run))
            run = []
        if line is None:
            break
        if line.kind in ("item", "row"):
            run.append(line)
        else:
            blocks.append(_single_block(line))
    return [block for block in blocks if block.text]


def _same_run(last: _Line, line: _Line) -> bool:
    return last.kind == line.kind and last.list_tag == line.list_tag


def _single_block(line: _Line) -> Block:
    if line.kind == "heading":
        tag = "h4" if line.level > 3 else "h3"
        html = sanitise(f"<{tag}>{line.html}</{tag}>")
        return Block(Kind.HEADING, html, to_text(html), level=line.level)
    html = sanitise(f"<p>{line.html}</p>")
    return Block(Kind.PARAGRAPH, html, to_text(html))


def _list_block(items: list[_Line]) -> Block:
    tag = items[0].list_tag
    inner = "\n".join(f"<li>{item.html}</li>" for item in items)
    html = sanitise(f"<{tag}>\n{inner}\n</{tag}>")
    return Block(Kind.LIST, html, to_text(html))


def _table_block(rows: list[_Line]) -> Block:
    cells = "".join(f"<tr><td>{row.label}</td><td>{row.html}</td></tr>" for row in rows)
    html = sanitise(f"<table><tbody>{cells}</tbody></table>")
    plain_rows = [[row.label, row.text] for row in rows]
    return Block(Kind.TABLE, html, to_text(html), rows=plain_rows)


def _footnotes_block(footnotes: dict[int, str]) -> Block:
    """The notes in the order of their numbers, each an item of one list: a call
    ``#footnote-N`` names the Nth item."""
    numbers = sorted(footnotes)
    items = "\n".join(f'<li id="footnote-{n}">{footnotes[n]}</li>' for n in numbers)
    html = sanitise(f"<ol>\n{items}\n</ol>")
    return Block(Kind.FOOTNOTES, html, to_text(html), rows=[[str(n)] for n in numbers])
