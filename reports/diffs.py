"""Readable differences between two versions of a section's text, word by word."""

import difflib
import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .richtext import to_text

_BREAK = "\u00b6"
_BLOCK_END = re.compile(r"</(p|li|h3|h4|blockquote)>", re.IGNORECASE)


def _words(html: str) -> list[str]:
    # Keep paragraph breaks visible in the diff: each block ends with a pilcrow-like marker.
    marked = _BLOCK_END.sub(lambda m: f"</{m.group(1)}> \n", html or "")
    text = to_text(marked.replace("\n", f" {_BREAK} "))
    return text.split(" ")


def _trim_breaks(words: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Split a run of words into its leading breaks, its words, and its trailing breaks."""
    start, end = 0, len(words)
    while start < end and words[start] in ("", _BREAK):
        start += 1
    while end > start and words[end - 1] in ("", _BREAK):
        end -= 1
    return words[:start], words[start:end], words[end:]


def html_diff(old_html: str, new_html: str) -> SafeString:
    """An HTML fragment with removed words in <del> and added words in <ins>.

    Paragraph breaks alone are not marked as changes: a reviewer is shown the new text's breaks,
    and an <ins> or <del> always holds at least one word.
    """
    old, new = _words(old_html), _words(new_html)
    out = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        removed, added = old[a1:a2], new[b1:b2]
        if op == "equal":
            out.append(escape(" ".join(removed)))
            continue
        removed_words = _trim_breaks(removed)[1]
        if removed_words:
            out.append(f"<del>{escape(' '.join(removed_words))}</del>")
        before, added_words, after = _trim_breaks(added)
        out.append(" ".join(before))
        if added_words:
            out.append(f"<ins>{escape(' '.join(added_words))}</ins>")
        out.append(" ".join(after))
    html = " ".join(part for part in out if part)
    return mark_safe(html.replace(_BREAK, "<br>"))  # noqa: S308 - every word escaped above


def has_changed(old_html: str, new_html: str) -> bool:
    return to_text(old_html) != to_text(new_html)
