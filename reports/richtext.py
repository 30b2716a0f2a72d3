"""Rich text: one allowlist for everything users write, applied on the server before storing.

Footnotes are kept inline where they are referenced, as <span class="footnote">…</span>; pages
number them and list them at the end, PDFs float them to the foot of the page.
"""

import re
from html import escape, unescape
from html.parser import HTMLParser

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
# Links go to an absolute web address, an e-mail address or a place in the same text: nothing
# relative, which a PDF would read as a path on the server (``//host/x`` as ``file://host/x``).
LINK_STARTS = ("https://", "http://", "mailto:", "#")
# Elements nested deeper than this are unwrapped (their text kept): real writing never nests
# this deep, and a document that does (hundreds of quotes or list levels) would overflow the PDF
# renderer's recursion.
MAX_DEPTH = 16

_TAG = re.compile(r"<[^>]+>")
# A paragraph with nothing in it (Word's double Enter, the editor's empty line): not text.
_EMPTY_PARAGRAPH = re.compile(r"<p>(?:\s|&nbsp;|\u00a0|<br\s*/?>)*</p>")
_SPACE = re.compile(r"\s+")


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href":
        return value if value.strip().lower().startswith(LINK_STARTS) else None
    return value


def sanitise(html: str) -> str:
    """Return ``html`` reduced to the allowlist: no scripts, handlers, styles, odd or relative
    URLs, and no nesting deeper than ``MAX_DEPTH``."""
    cleaned = nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        attribute_filter=_keep_attribute,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return _EMPTY_PARAGRAPH.sub("", _flatten_deep_nesting(cleaned)).strip()


_VOID = {"br"}


class _Flattener(HTMLParser):
    """Re-writes sanitised HTML, unwrapping elements deeper than ``MAX_DEPTH`` (keeping text)."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.kept: list[bool] = []  # for each open element: was its tag written?

    def handle_starttag(self, tag, attrs):
        text = self.get_starttag_text()
        if tag in _VOID:
            if len(self.kept) < MAX_DEPTH:
                self.out.append(text)
            return
        keep = sum(self.kept) < MAX_DEPTH
        self.kept.append(keep)
        if keep:
            self.out.append(text)

    def handle_endtag(self, tag):
        if tag in _VOID or not self.kept:
            return
        if self.kept.pop():
            self.out.append(f"</{tag}>")

    def handle_data(self, data):
        self.out.append(escape(data, quote=False))

    def handle_entityref(self, name):
        self.out.append(f"&{name};")

    def handle_charref(self, name):
        self.out.append(f"&#{name};")


def _flatten_deep_nesting(html: str) -> str:
    if html.count("<") < 2 * MAX_DEPTH:
        return html  # too few tags to nest that deep
    flattener = _Flattener()
    flattener.feed(html)
    flattener.close()
    return "".join(flattener.out)


def to_text(html: str) -> str:
    """Plain text of a fragment, for search, counts and exports."""
    text = _TAG.sub(" ", html or "")
    return _SPACE.sub(" ", unescape(text)).strip()


def word_count(html: str) -> int:
    return len(to_text(html).split())
