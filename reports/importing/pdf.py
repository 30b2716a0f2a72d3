"""PDF files, read in the worker process (reports.importing.worker): pdfplumber for the text and
its looks, pypdf for the outline.

A PDF has no paragraphs, only positioned lines; they are put back together here. Running headers
and footers (a line near the top or the bottom that repeats on most pages) and page numbers are
left out; wrapped lines, and paragraphs broken by a page, are joined. Headings come from the
outline (bookmarks: the portal's own PDFs have one per section) when there is one, otherwise from
the font: larger than the body text, or a line on its own that is all bold. Small lines at the
foot of a page that start with a number are footnotes; a small raised number is a call.

``parse`` returns raw blocks as plain data; ``readers`` sanitises them.
"""

import io
import re
from collections import Counter
from dataclasses import dataclass, field
from html import escape

import pdfplumber
import pypdf

TOP_BAND = 0.12  # of the page's height: where running headers are
BOTTOM_BAND = 0.88  # below this, running footers and page numbers
REPEATS_ON = 0.5  # of the pages: a line in a band that repeats this often is furniture
PAGE_NUMBER = re.compile(r"^(page\s+)?\d+(\s*(of|/)\s*\d+)?$|^-\s*\d+\s*-$", re.IGNORECASE)
BULLET = re.compile(r"^[•▪◦●■○‣⁃∙·\-–*]\s*")
NUMBERED = re.compile(r"^\(?(\d{1,2}|[a-z])[.)]\s+")
NOTE = re.compile(r"^(\d{1,3})[.)]?\s+")
SENTENCE_END = (".", "?", "!", ":", ";")
BOLD = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)
BOLD_HEADING_CHARS = 150


@dataclass
class Line:
    page: int
    top: float
    bottom: float
    x0: float
    size: float
    text: str
    html: str
    bold: bool = False
    heading: int | None = None  # a level, when the line is (part of) a heading
    rows: list = field(default_factory=list)  # a table, standing in the flow as one "line"


def parse(data: bytes) -> dict:
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                readable = reader.decrypt("")
            except Exception:
                readable = 0
            if not readable:
                return {"refused": "encrypted"}
        outline = _outline(reader)
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = [_page(number, page) for number, page in enumerate(pdf.pages)]
    except MemoryError:
        raise
    except Exception:
        return {"refused": "damaged"}
    return _document(pages, outline)


# -- Outline --------------------------------------------------------------------------------------


def _outline(reader) -> list[tuple[str, int, int, float | None]]:
    """(title, depth, page index, distance from the page's top) of each bookmark, in order."""
    entries = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
                continue
            try:
                page = reader.get_destination_page_number(item)
            # A bookmark to nowhere is skipped.
            except Exception:  # noqa: S112  # nosec B112
                continue
            if page is None or page < 0:
                continue
            top = item.get("/Top")
            height = float(reader.pages[page].mediabox.height)
            distance = height - float(top) if isinstance(top, int | float) else None
            entries.append((" ".join(str(item.title or "").split()), depth, page, distance))

    try:
        walk(reader.outline, 0)
    except Exception:
        return []
    return [entry for entry in entries if entry[0]]


# -- Lines ----------------------------------------------------------------------------------------


def _line(number: int, raw: dict) -> Line:
    chars = [char for char in raw["chars"] if char["text"].strip()]
    sizes = Counter(round(char["size"], 1) for char in chars)
    size = sizes.most_common(1)[0][0] if sizes else 0
    # Walk the text pdfplumber made (with the spaces it inferred) alongside the characters, to
    # find small raised digits: footnote calls.
    parts, index, call = [], 0, ""
    for letter in raw["text"]:
        char = chars[index] if index < len(chars) else None
        if char is not None and letter == char["text"]:
            index += 1
            if letter.isdigit() and char["size"] < 0.8 * size:
                call += letter
                continue
        if call:
            parts.append(f'<sup><a href="#footnote-{call}">{call}</a></sup>')
            call = ""
        parts.append(escape(letter, quote=False))
    if call:
        parts.append(f'<sup><a href="#footnote-{call}">{call}</a></sup>')
    return Line(
        page=number,
        top=raw["top"],
        bottom=raw["bottom"],
        x0=raw["x0"],
        size=size,
        text=" ".join(raw["text"].split()),
        html="".join(parts).strip(),
        bold=bool(chars) and all(BOLD.search(char["fontname"]) for char in chars),
    )


def _page(number: int, page) -> dict:
    lines = [_line(number, raw) for raw in page.extract_text_lines(return_chars=True)]
    lines = [line for line in lines if line.text]
    tables = []
    for table in page.find_tables():
        for row, cells in zip(table.rows, table.extract(), strict=False):
            texts = [" ".join((cell or "").split()) for cell in cells]
            if sum(1 for text in texts if text) >= 2:
                tables.append((row.bbox, texts))
    return {"height": float(page.height), "lines": lines, "rows": tables}


def _in_row(line: Line, bbox) -> bool:
    x0, top, x1, bottom = bbox
    middle = (line.top + line.bottom) / 2
    return top <= middle <= bottom and x0 - 1 <= line.x0 <= x1


def _key(text: str) -> str:
    return re.sub(r"\d+", "#", text.casefold())


def _body_size(pages: list[dict]) -> float:
    sizes = Counter()
    for page in pages:
        for line in page["lines"]:
            sizes[line.size] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 0


def _without_furniture(pages: list[dict], body: float) -> None:
    """Drop running headers and footers, and page numbers, from each page's lines. A line larger
    than the body text is a heading that happens to open each page, not furniture."""

    def banded(page):
        height = page["height"]
        return [
            line
            for line in page["lines"]
            if (line.top < TOP_BAND * height or line.bottom > BOTTOM_BAND * height)
            and line.size < 1.15 * body
        ]

    seen = Counter()
    for page in pages:
        seen.update({_key(line.text) for line in banded(page)})
    repeated = {key for key, count in seen.items() if count >= max(2, REPEATS_ON * len(pages))}
    for page in pages:
        furniture = {
            id(line)
            for line in banded(page)
            if _key(line.text) in repeated or PAGE_NUMBER.match(line.text)
        }
        page["lines"] = [line for line in page["lines"] if id(line) not in furniture]


def _footnotes(page: dict, body: float) -> list[dict]:
    """Take the page's footnotes (small numbered lines at its foot) out of its lines."""
    lines = page["lines"]
    start = len(lines)
    while (
        start and lines[start - 1].size <= 0.9 * body and lines[start - 1].top > page["height"] / 2
    ):
        start -= 1
    foot = lines[start:]
    if not foot or not NOTE.match(foot[0].text):
        return []
    page["lines"] = lines[:start]
    notes = []
    for line in foot:
        match = NOTE.match(line.text)
        if match:
            notes.append({"number": int(match[1]), "html": escape(line.text[match.end() :])})
        else:
            notes[-1]["html"] += " " + escape(line.text)
    return notes


# -- Headings -------------------------------------------------------------------------------------


def _squash(text: str) -> str:
    return re.sub(r"\W+", "", text.casefold())


def _mark_outline(lines: list[Line], outline) -> list[Line]:
    """Mark the lines each bookmark's title is on; a title not found becomes a line of its own."""
    added = []
    for title, depth, page, distance in outline:
        wanted = _squash(title)
        candidates = [line for line in lines if line.page == page and line.heading is None]
        if distance is not None:
            candidates = [line for line in candidates if line.bottom >= distance - 2]
        found = None
        for start in range(len(candidates)):
            joined = ""
            for end in range(start, min(start + 4, len(candidates))):
                joined += _squash(candidates[end].text)
                if not wanted.startswith(joined):
                    break
                if joined == wanted:
                    found = candidates[start : end + 1]
                    break
            if found:
                break
        if found:
            for line in found:
                line.heading = depth + 1
        else:
            top = distance if distance is not None else 0
            added.append(
                Line(page, top, top, 0, 0, title, escape(title), bold=True, heading=depth + 1)
            )
    return sorted([*lines, *added], key=lambda line: (line.page, line.top))


def _mark_by_size(lines: list[Line], body: float) -> None:
    sizes = sorted({line.size for line in lines if line.size >= 1.15 * body}, reverse=True)
    levels = {size: min(index + 1, 6) for index, size in enumerate(sizes)}
    for line in lines:
        if line.size in levels and len(line.text) <= BOLD_HEADING_CHARS:
            line.heading = levels[line.size]


# -- Blocks ---------------------------------------------------------------------------------------


def _document(pages: list[dict], outline) -> dict:
    body = _body_size(pages)
    _without_furniture(pages, body)
    notes = []
    for page in pages:
        notes += _footnotes(page, body)
    lines = []
    for page in pages:
        flow = []
        for bbox, cells in page["rows"]:
            inside = [line for line in page["lines"] if _in_row(line, bbox)]
            if inside:
                row = inside[0]
                flow.append(
                    Line(row.page, row.top, row.bottom, row.x0, row.size, "", "", rows=[cells])
                )
                page["lines"] = [line for line in page["lines"] if line not in inside]
        lines += sorted([*page["lines"], *flow], key=lambda line: line.top)
    if outline:
        lines = _mark_outline(lines, outline)
    else:
        _mark_by_size(lines, body)
    blocks = _blocks(lines, body)
    if notes:
        blocks.append({"kind": "footnotes", "html": "", "level": 0, "rows": [], "notes": notes})
    return {"blocks": blocks, "warnings": [], "people_warnings": []}


def _blocks(lines: list[Line], body: float) -> list[dict]:
    blocks: list[dict] = []
    paragraph: list[Line] = []
    items: list[list[Line]] = []  # the current list's items
    ordered = False

    def flush_paragraph():
        if not paragraph:
            return
        only = paragraph[0]
        text = _joined([line.text for line in paragraph])
        if len(paragraph) == 1 and only.bold and len(text) <= BOLD_HEADING_CHARS:
            blocks.append(_block("heading", escape(text), level=0))
        else:
            blocks.append(_block("paragraph", f"<p>{_joined([x.html for x in paragraph])}</p>"))
        paragraph.clear()

    def flush_list():
        if not items:
            return
        tag = "ol" if ordered else "ul"
        html = "".join(f"<li>{_joined([line.html for line in item])}</li>" for item in items)
        blocks.append(_block("list", f"<{tag}>{html}</{tag}>"))
        items.clear()

    previous: Line | None = None
    for line in lines:
        if line.rows:
            flush_paragraph()
            flush_list()
            if blocks and blocks[-1]["kind"] == "table" and previous and previous.rows:
                blocks[-1]["rows"] += line.rows
                blocks[-1]["html"] = _table(blocks[-1]["rows"])
            else:
                blocks.append(_block("table", _table(line.rows), rows=list(line.rows)))
            previous = line
            continue
        if line.heading is not None:
            flush_paragraph()
            flush_list()
            last = blocks[-1] if blocks else None
            if (
                last
                and last["kind"] == "heading"
                and previous is not None
                and previous.heading == line.heading
                and _close(previous, line)
            ):
                last["html"] = _joined([last["html"], escape(line.text)])
            else:
                blocks.append(_block("heading", escape(line.text), level=line.heading))
            previous = line
            continue
        marker = BULLET.match(line.text) or NUMBERED.match(line.text)
        if marker and line.size <= body * 1.05:
            flush_paragraph()
            numbered = not BULLET.match(line.text)
            if items and numbered != ordered:
                flush_list()
            ordered = numbered
            stripped = _strip_marker(line, marker.end())
            items.append([stripped])
            previous = line
            continue
        continues = previous is not None and _continues(previous, line)
        if items and continues and line.x0 > items[-1][0].x0 + 1:
            items[-1].append(line)
        elif paragraph and continues:
            paragraph.append(line)
        else:
            flush_paragraph()
            flush_list()
            paragraph.append(line)
        previous = line
    flush_paragraph()
    flush_list()
    return blocks


def _strip_marker(line: Line, length: int) -> Line:
    marker = line.text[:length]
    html = line.html
    escaped = escape(marker.strip(), quote=False)
    if html.startswith(escaped):
        html = html[len(escaped) :].strip()
    return Line(line.page, line.top, line.bottom, line.x0, line.size, line.text[length:], html)


def _close(previous: Line, line: Line) -> bool:
    return line.page == previous.page and line.top - previous.bottom < 0.6 * max(previous.size, 1)


def _continues(previous: Line, line: Line) -> bool:
    """``line`` goes on with the text of ``previous``: close below it, or at the top of the next
    page after text that stopped mid-sentence."""
    if previous.heading is not None or previous.rows or abs(line.size - previous.size) > 0.5:
        return False
    if line.page == previous.page:
        return _close(previous, line)
    return line.page == previous.page + 1 and not previous.text.endswith(SENTENCE_END)


def _joined(parts: list[str]) -> str:
    out = ""
    for part in parts:
        if not out:
            out = part
        elif out.endswith("-") and not out.endswith(" -"):
            out += part  # a word broken at its hyphen
        else:
            out += " " + part
    return out


def _table(rows: list[list[str]]) -> str:
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell, quote=False)}</td>" for cell in row) + "</tr>"
        for row in rows
    )
    return f"<table><tbody>{body}</tbody></table>"


def _block(kind: str, html: str, *, level: int = 0, rows=None) -> dict:
    return {"kind": kind, "html": html, "level": level, "rows": rows or []}
