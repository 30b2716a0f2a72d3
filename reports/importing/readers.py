"""``read(data, filename)``: an uploaded file as an ``ImportedDocument``.

The file is checked first (reports.importing.safety), its type found from its content. Word
files and PDFs are parsed in a child process with memory and time limits
(reports.importing.worker); what comes back is raw HTML, which goes through the portal's
sanitiser here, the same one as text typed into a section. Readers never write anything.
"""

import json
import logging
import re
import subprocess  # nosec B404
import sys
from html import escape
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings

from reports.richtext import sanitise

from . import safety
from .document import Block, ImportedDocument, ImportRefused, Kind

logger = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SECONDS = 30
DEFAULT_MEMORY = 1024 * 1024 * 1024

TOO_SLOW = (
    "This file took too long to read. Save it again as a Word document (.docx) or a PDF, or "
    "copy its text into the report, and try again."
)
TOO_BIG = (
    "This file needs too much memory to read. Save it again as a Word document (.docx) or a PDF "
    "without pictures, or copy its text into the report, and try again."
)
DAMAGED_PDF = (
    "This PDF is damaged or is not a real PDF. Save the report again as a PDF, or as a Word "
    "document (.docx), and upload that."
)
ENCRYPTED_PDF = (
    "This PDF is protected with a password. Save a copy without the password (or as a Word "
    "document, .docx) and upload that."
)
NO_TEXT = (
    "There is no text to import in this file. If it is a scan or a picture of a document, "
    "upload the Word document or a PDF made from it instead."
)
REFUSALS = {
    ("docx", "damaged"): safety.DAMAGED_WORD,
    ("pdf", "damaged"): DAMAGED_PDF,
    ("pdf", "encrypted"): ENCRYPTED_PDF,
}


def read(data: bytes, filename: str = "") -> ImportedDocument:
    """Check and read ``data``; ``filename`` is only for the log (the type comes from the
    content). Raises ``ImportRefused`` with a message for the person who uploaded it."""
    kind = safety.check(data)
    if kind == safety.TEXT:
        from .text import read_text

        document = read_text(data)
    else:
        document = finish(kind, run_worker(kind, data, filename=filename))
    if not any(block.text for block in document.blocks):
        raise ImportRefused(NO_TEXT)
    return document


def run_worker(kind: str, data: bytes, *, filename: str = "") -> dict:
    """What ``reports.importing.worker`` makes of ``data``, parsed in a limited child process."""
    seconds = getattr(settings, "IMPORT_WORKER_SECONDS", DEFAULT_SECONDS)
    memory = getattr(settings, "IMPORT_WORKER_MEMORY", DEFAULT_MEMORY)
    command = [
        sys.executable,
        "-E",  # no PYTHON* variables from the environment
        "-s",  # no user site-packages
        "-m",
        "reports.importing.worker",
        kind,
        str(memory),
        str(seconds),
    ]
    try:
        # A fixed command of our own: this interpreter running reports.importing.worker.
        done = subprocess.run(  # noqa: S603  # nosec B603
            command,
            input=data,
            capture_output=True,
            timeout=seconds,
            cwd=PROJECT_ROOT,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise ImportRefused(TOO_SLOW) from error
    if done.returncode == -24 or done.returncode == -9:  # SIGXCPU: its CPU time ran out
        raise ImportRefused(TOO_SLOW)
    if done.returncode != 0:
        logger.warning(
            "Import worker for %r (%s) exited with %s: %s",
            filename,
            kind,
            done.returncode,
            done.stderr.decode(errors="replace")[-2000:],
        )
        if done.returncode == 3 or b"MemoryError" in done.stderr:
            raise ImportRefused(TOO_BIG)
        raise ImportRefused(REFUSALS[(kind, "damaged")])
    result = json.loads(done.stdout)
    if "refused" in result:
        raise ImportRefused(REFUSALS.get((kind, result["refused"]), REFUSALS[(kind, "damaged")]))
    return result


# -- From raw blocks to sanitised ones ------------------------------------------------------------

# After the sanitiser, a footnote call is a link to "#footnote-N" (it drops <sup>): put it back.
_CALL = re.compile(r'<a href="#footnote-(\d+)"[^>]*>.*?</a>', re.DOTALL)
_SPACE = re.compile(r"\s+")
KINDS = {Kind.HEADING, Kind.PARAGRAPH, Kind.LIST, Kind.TABLE}
_BLOCK_TAGS = {"p", "br", "li", "ul", "ol", "table", "tr", "td", "th", "h3", "h4", "blockquote"}


class _Text(HTMLParser):
    """Plain text of sanitised HTML: a space between blocks and cells, none inside words."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data):
        self.parts.append(data)


def plain_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return _SPACE.sub(" ", "".join(parser.parts)).strip()


def _with_calls(html: str) -> str:
    return _CALL.sub(
        lambda match: f'<sup><a href="#footnote-{match[1]}">{match[1]}</a></sup>', html
    )


def _clean_text(value) -> str:
    return _SPACE.sub(" ", str(value)).strip()


def _footnotes(notes: list[dict]) -> Block | None:
    items = []
    for note in notes:
        number = int(note["number"])
        body = _with_calls(sanitise(str(note["html"])))
        if plain_text(body):
            items.append(f'<li id="footnote-{number}">{body}</li>')
    if not items:
        return None
    html = "<ol>" + "".join(items) + "</ol>"
    return Block(kind=Kind.FOOTNOTES, html=html, text=plain_text(html))


def finish(source: str, raw: dict) -> ImportedDocument:
    """``raw`` from the worker as an ``ImportedDocument`` of sanitised blocks."""
    blocks = []
    for item in raw.get("blocks", []):
        kind = item.get("kind")
        if kind == Kind.FOOTNOTES:
            block = _footnotes(item.get("notes", []))
            if block:
                blocks.append(block)
            continue
        if kind not in KINDS:
            continue
        html = _with_calls(sanitise(str(item.get("html", ""))))
        if kind == Kind.HEADING:
            # A heading is its words: the sanitiser keeps emphasis and links, not <h1>.
            html = escape(plain_text(html), quote=False)
        text = plain_text(html)
        if not text:
            continue
        level = int(item.get("level") or 0)
        rows = [[_clean_text(cell) for cell in row] for row in item.get("rows", [])]
        blocks.append(Block(kind=kind, html=html, text=text, level=level, rows=rows))
    return ImportedDocument(
        source=source,
        blocks=blocks,
        warnings=[_clean_text(warning) for warning in raw.get("warnings", [])],
        people_warnings=[_clean_text(warning) for warning in raw.get("people_warnings", [])],
    )
