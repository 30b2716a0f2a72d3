"""Readable differences between two versions of a section's text, word by word.

A word is compared with its formatting: bold, italic, a footnote, a link and its address, and the
block it stands in (a paragraph, a heading, a list item, a quotation). So bolding a paragraph,
changing where a link goes, or turning paragraphs into a list all show as changes, not only
changed words. Removed words are shown in ``<del>`` and added ones in ``<ins>``, each with its own
formatting; list items start with a bullet, a link is followed by its address.
"""

import difflib
from dataclasses import dataclass
from html.parser import HTMLParser

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .richtext import sanitise

BREAK = "\u00b6"  # the end of a block
BULLET = "\u2022"  # the start of a list item

_BLOCKS = {"p", "h3", "h4", "li"}
_MARKS = {"strong": "strong", "b": "strong", "em": "em", "i": "em"}


@dataclass(frozen=True)
class Word:
    text: str
    marks: tuple[str, ...] = ()  # "strong", "em", "footnote", "link:<address>"
    block: str = "p"  # "p", "h3", "h4", "ul>li", "ol>li", "blockquote>p"...


class _Words(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.words: list[Word] = []
        self.marks: list[str] = []
        self.blocks: list[str] = []
        self.open_tags: list[str | None] = []

    @property
    def block(self) -> str:
        return ">".join(self.blocks) or "p"

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        pushed = None
        if tag in _MARKS:
            pushed = _MARKS[tag]
        elif tag == "span" and "footnote" in (attrs.get("class") or "").split():
            pushed = "footnote"
        elif tag == "a":
            pushed = f"link:{attrs.get('href') or ''}"
        if pushed is not None:
            self.marks.append(pushed)
        if tag in ("ul", "ol", "blockquote") or tag in _BLOCKS:
            self.blocks.append(tag)
            if tag == "li":
                self.words.append(Word(BULLET, (), self.block))
        if tag == "br":
            self.words.append(Word(BREAK, (), self.block))
            return
        self.open_tags.append(pushed if pushed is not None else None)

    def handle_endtag(self, tag):
        if tag == "br":
            return
        if tag in _BLOCKS:
            self._end_block()
        if self.open_tags:
            pushed = self.open_tags.pop()
            if pushed is not None and self.marks:
                self.marks.pop()
        if (tag in ("ul", "ol", "blockquote") or tag in _BLOCKS) and self.blocks:
            self.blocks.pop()

    def _end_block(self):
        if self.words and self.words[-1].text not in (BREAK, BULLET):
            self.words.append(Word(BREAK, (), self.block))

    def handle_data(self, data):
        marks = tuple(sorted(set(self.marks)))
        for text in data.split():
            self.words.append(Word(text, marks, self.block))


def words(html: str) -> list[Word]:
    parser = _Words()
    parser.feed(sanitise(html or ""))
    parser.close()
    found = parser.words
    while found and found[-1].text == BREAK:
        found.pop()
    return found


def _render(run: list[Word]) -> str:
    """Words with their formatting; a link's address follows its words."""
    out = []
    i = 0
    while i < len(run):
        word = run[i]
        if word.text == BREAK:
            out.append("<br>")
            i += 1
            continue
        # A stretch of words with the same formatting.
        j = i
        while j < len(run) and run[j].text != BREAK and run[j].marks == word.marks:
            j += 1
        text = escape(" ".join(w.text for w in run[i:j]))
        if word.block.endswith(("h3", "h4")):
            text = f'<span class="diff-heading">{text}</span>'
        for mark in word.marks:
            if mark == "strong":
                text = f"<strong>{text}</strong>"
            elif mark == "em":
                text = f"<em>{text}</em>"
            elif mark == "footnote":
                text = f'<span class="diff-footnote">[footnote: {text}]</span>'
            elif mark.startswith("link:"):
                address = escape(mark.removeprefix("link:"))
                text = (
                    f'<span class="diff-link">{text}</span> '
                    f'<span class="diff-href">(link: {address})</span>'
                )
        out.append(text)
        i = j
    return " ".join(out).replace(" <br> ", "<br>").replace("<br> ", "<br>")


def _trim_breaks(run: list[Word]) -> tuple[list[Word], list[Word], list[Word]]:
    """Split a run into its leading breaks, its words, and its trailing breaks."""
    start, end = 0, len(run)
    while start < end and run[start].text == BREAK:
        start += 1
    while end > start and run[end - 1].text == BREAK:
        end -= 1
    return run[:start], run[start:end], run[end:]


def html_diff(old_html: str, new_html: str) -> SafeString:
    """An HTML fragment with removed words in <del> and added words in <ins>, formatting kept.

    Paragraph breaks alone are not marked as changes: a reviewer is shown the new text's breaks,
    and an <ins> or <del> always holds at least one word or bullet.
    """
    old, new = words(old_html), words(new_html)
    out = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            out.append(_render(new[b1:b2]))
            continue
        removed = _trim_breaks(old[a1:a2])[1]
        if removed:
            out.append(f"<del>{_render(removed)}</del>")
        before, added, after = _trim_breaks(new[b1:b2])
        if before:
            out.append(_render(before))
        if added:
            out.append(f"<ins>{_render(added)}</ins>")
        if after:
            out.append(_render(after))
    html = " ".join(part for part in out if part)
    html = html.replace(" <br>", "<br>").replace("<br> ", "<br>")
    return mark_safe(html)  # noqa: S308 - every word and address escaped in _render


def has_changed(old_html: str, new_html: str) -> bool:
    """Whether the words or their formatting differ."""
    return words(old_html) != words(new_html)
