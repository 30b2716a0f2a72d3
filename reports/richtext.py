"""Rich text: one allowlist for everything users write, applied on the server before storing.

Footnotes are kept inline where they are referenced, as <span class="footnote">…</span>; pages
number them and list them at the end, PDFs float them to the foot of the page.
"""

import re
from html import unescape

import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "a",
    "blockquote",
    "span",
    # Simple tables: rows of header and data cells (pasted from Word, or made in the editor).
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
}
ALLOWED_CLASSES = {"span": {"footnote"}}
URL_SCHEMES = {"http", "https", "mailto"}

_TAG = re.compile(r"<[^>]+>")
# A paragraph with nothing in it (Word's double Enter, the editor's empty line): not text.
_EMPTY_PARAGRAPH = re.compile(r"<p>(?:\s|&nbsp;|\u00a0|<br\s*/?>)*</p>")
_SPACE = re.compile(r"\s+")


def sanitise(html: str) -> str:
    """Return ``html`` reduced to the allowlist: no scripts, handlers, styles or odd URLs."""
    cleaned = nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return _EMPTY_PARAGRAPH.sub("", cleaned).strip()


def to_text(html: str) -> str:
    """Plain text of a fragment, for search, counts and exports."""
    text = _TAG.sub(" ", html or "")
    return _SPACE.sub(" ", unescape(text)).strip()


def word_count(html: str) -> int:
    return len(to_text(html).split())
