"""Word (.docx) files, read with mammoth in the worker process (reports.importing.worker).

mammoth gives semantic HTML (headings by style, lists, emphasis, links, tables, footnotes) of
the body only: running headers and footers live in other parts and never reach it. It keeps
tracked insertions and drops tracked deletions, as the document reads now; it would keep hidden
text, so runs marked hidden are taken out first. Comments, tracked changes, hidden text and the
authors in the file's properties can name people: they are reported before anything is imported.

``parse`` returns raw blocks as plain data; ``readers`` sanitises them.
"""

import contextlib
import io
import zipfile

# ElementTree builds and writes trees here, and never parses: every parse is defusedxml's.
from xml.etree import ElementTree as ET  # nosec B405

import defusedxml.ElementTree as SafeET
import mammoth

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DC = "{http://purl.org/dc/elements/1.1/}"
CP = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}"
BODY_PARTS = ("word/document.xml", "word/footnotes.xml", "word/endnotes.xml")
HEADINGS = {f"h{level}": level for level in range(1, 7)}
NOTE_PREFIXES = ("footnote-", "endnote-")
# A paragraph that is all bold and no longer than this is a heading by its looks.
BOLD_HEADING_CHARS = 150
FALSE = {"0", "false", "off"}


def parse(data: bytes) -> dict:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        people = people_warnings(archive)
        data, hidden = _without_hidden_text(archive, data)
        pictures = []

        def drop_picture(image):
            pictures.append(image)
            return {}

        result = mammoth.convert_to_html(
            io.BytesIO(data), convert_image=mammoth.images.img_element(drop_picture)
        )
        blocks = blocks_of(result.value)
    except MemoryError:
        raise
    except Exception:
        return {"refused": "damaged"}
    warnings = []
    if pictures:
        count = len(pictures)
        warnings.append(
            f"The document has {count} picture{'s' if count != 1 else ''}: pictures are not "
            "imported. Add them again after the import if they are needed."
        )
    if hidden:
        people.append("The document has hidden text: it is not imported.")
    return {"blocks": blocks, "warnings": warnings, "people_warnings": people}


# -- Who wrote and changed it ---------------------------------------------------------------------


def _xml(archive: zipfile.ZipFile, name: str):
    try:
        return SafeET.fromstring(archive.read(name))
    except KeyError:
        return None


def _names(values) -> str:
    names = sorted({" ".join(value.split())[:100] for value in values if value and value.strip()})
    return ", ".join(names)


def _by(values) -> str:
    names = _names(values)
    return f" (by {names})" if names else ""


def people_warnings(archive: zipfile.ZipFile) -> list[str]:
    warnings = []
    core = _xml(archive, "docProps/core.xml")
    if core is not None:
        creator = _names([core.findtext(f"{DC}creator") or ""])
        modifier = _names([core.findtext(f"{CP}lastModifiedBy") or ""])
        named = [f"its author is {creator}"] if creator else []
        named += [f"it was last changed by {modifier}"] if modifier else []
        if named:
            warnings.append(
                f"The file's properties say {' and '.join(named)}. They are not imported."
            )
    comments = _xml(archive, "word/comments.xml")
    if comments is not None:
        found = comments.findall(f"{W}comment")
        if found:
            authors = _by(comment.get(f"{W}author") for comment in found)
            plural = "s" if len(found) != 1 else ""
            warnings.append(
                f"The document has {len(found)} comment{plural}{authors}: comments are not "
                "imported."
            )
    insertions, deletions = [], []
    for name in BODY_PARTS:
        root = _xml(archive, name)
        if root is not None:
            insertions += [change.get(f"{W}author", "") for change in root.iter(f"{W}ins")]
            deletions += [change.get(f"{W}author", "") for change in root.iter(f"{W}del")]
    if insertions:
        warnings.append(
            f"The document has tracked insertions{_by(insertions)}: inserted text is imported "
            "as the document reads now."
        )
    if deletions:
        warnings.append(
            f"The document has tracked deletions{_by(deletions)}: deleted text is not imported."
        )
    return warnings


# -- Hidden text ----------------------------------------------------------------------------------


def _is_hidden(run) -> bool:
    vanish = run.find(f"{W}rPr/{W}vanish")
    return vanish is not None and vanish.get(f"{W}val", "true").lower() not in FALSE


def _register_namespaces(content: bytes) -> None:
    for _event, (prefix, uri) in SafeET.iterparse(io.BytesIO(content), events=("start-ns",)):
        # A prefix ElementTree keeps for itself (ns0...) is refused: it will pick another.
        with contextlib.suppress(ValueError):
            ET.register_namespace(prefix, uri)


def _without_hidden_text(archive: zipfile.ZipFile, data: bytes) -> tuple[bytes, int]:
    """The file with its hidden runs taken out, and how many there were."""
    replaced, hidden = {}, 0
    for name in BODY_PARTS:
        try:
            content = archive.read(name)
        except KeyError:
            continue
        if b"vanish" not in content:
            continue
        root = SafeET.fromstring(content)
        parents = {child: parent for parent in root.iter() for child in parent}
        runs = [run for run in root.iter(f"{W}r") if _is_hidden(run)]
        for run in runs:
            parents[run].remove(run)
        if runs:
            hidden += len(runs)
            _register_namespaces(content)
            replaced[name] = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    if not replaced:
        return data, 0
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for member in archive.infolist():
            copy.writestr(member.filename, replaced.get(member.filename) or archive.read(member))
    return out.getvalue(), hidden


# -- mammoth's HTML as blocks ---------------------------------------------------------------------


def _html(element) -> str:
    tail, element.tail = element.tail, None
    html = ET.tostring(element, encoding="unicode", short_empty_elements=False)
    element.tail = tail
    return html


def _inner(element) -> str:
    text = ET.Element("x")
    text.text = element.text
    return _html(text)[3:-4] + "".join(_html(child) + _tail(child) for child in element)


def _tail(element) -> str:
    if not element.tail:
        return ""
    holder = ET.Element("x")
    holder.text = element.tail
    return _html(holder)[3:-4]


def _all_bold(element) -> bool:
    """Every piece of text of the paragraph is inside <strong>."""
    if not "".join(element.itertext()).strip():
        return False

    def plain_text_outside(node, bold: bool) -> bool:
        bold = bold or node.tag == "strong"
        if not bold and (node.text or "").strip():
            return True
        for child in node:
            if plain_text_outside(child, bold):
                return True
            if not bold and (child.tail or "").strip():
                return True
        return False

    return not plain_text_outside(element, False)


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def _cells(table) -> list[list[str]]:
    rows = []
    for row in table.iter("tr"):
        cells = []
        for cell in row:
            if cell.tag in ("td", "th"):
                parts = [_text(part) for part in cell] if len(cell) else [_text(cell)]
                cells.append(" ".join(part for part in parts if part))
        rows.append(cells)
    return rows


def _note_id(href: str) -> str | None:
    target = (href or "").removeprefix("#")
    return target if target.startswith(NOTE_PREFIXES) else None


def _remove(parent, child) -> None:
    """Remove ``child``, keeping the text after it."""
    index = list(parent).index(child)
    if child.tail:
        if index:
            previous = parent[index - 1]
            previous.tail = (previous.tail or "") + child.tail
        else:
            parent.text = (parent.text or "") + child.tail
    parent.remove(child)


def blocks_of(html: str) -> list[dict]:
    root = SafeET.fromstring(f"<root>{html}</root>")
    numbers: dict[str, int] = {}  # mammoth's note id -> the note's number, in order of calls

    def number(note: str) -> int:
        return numbers.setdefault(note, len(numbers) + 1)

    # Calls: <sup><a href="#footnote-1" id="footnote-ref-1">[1]</a></sup>
    for link in root.iter("a"):
        note = _note_id(link.get("href"))
        if note and (link.get("id") or "").startswith(("footnote-ref-", "endnote-ref-")):
            n = number(note)
            link.attrib = {"href": f"#footnote-{n}"}
            link.text = str(n)
            for child in list(link):
                link.remove(child)
    blocks, notes = [], []
    for element in root:
        tag = element.tag
        if tag in HEADINGS:
            blocks.append(_block("heading", _inner(element), level=HEADINGS[tag]))
        elif (
            tag in ("ul", "ol")
            and len(element)
            and all(_note_id(item.get("id")) for item in element)
        ):
            for item in element:
                notes.append(_note(item, number(_note_id(item.get("id")))))
        elif tag in ("ul", "ol"):
            blocks.append(_block("list", _html(element)))
        elif tag == "table":
            blocks.append(_block("table", _html(element), rows=_cells(element)))
        elif tag == "p" and _all_bold(element) and len(_text(element)) <= BOLD_HEADING_CHARS:
            blocks.append(_block("heading", _inner(element), level=0))
        else:
            blocks.append(_block("paragraph", _html(element)))
    if notes:
        notes.sort(key=lambda note: note["number"])
        blocks.append({"kind": "footnotes", "html": "", "level": 0, "rows": [], "notes": notes})
    return blocks


def _note(item, number: int) -> dict:
    # <li id="footnote-1"><p>The note. <a href="#footnote-ref-1">↑</a></p></li>
    for parent in list(item.iter()):
        for link in list(parent):
            if link.tag == "a" and (link.get("href") or "").startswith(
                ("#footnote-ref-", "#endnote-ref-")
            ):
                _remove(parent, link)
    paragraphs = [child for child in item if child.tag == "p"]
    html = " ".join(_inner(p).strip() for p in paragraphs) if paragraphs else _inner(item)
    return {"number": number, "html": html}


def _block(kind: str, html: str, *, level: int = 0, rows=None) -> dict:
    return {"kind": kind, "html": html, "level": level, "rows": rows or []}
