"""Readable differences between two versions of a section's text, word by word."""

import difflib
import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .richtext import to_text

_BLOCK_END = re.compile(r"</(p|li|h3|h4|blockquote)>", re.IGNORECASE)


def _words(html: str) -> list[str]:
    # Keep paragraph breaks visible in the diff: each block ends with a pilcrow-like marker.
    marked = _BLOCK_END.sub(lambda m: f"</{m.group(1)}> \n", html or "")
    text = to_text(marked.replace("\n", " \u00b6 "))
    return text.split(" ")


def html_diff(old_html: str, new_html: str) -> SafeString:
    """An HTML fragment with removed words in <del> and added words in <ins>."""
    old, new = _words(old_html), _words(new_html)
    out = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            out.append(escape(" ".join(old[a1:a2])))
            continue
        if op in ("delete", "replace"):
            out.append(f"<del>{escape(' '.join(old[a1:a2]))}</del>")
        if op in ("insert", "replace"):
            out.append(f"<ins>{escape(' '.join(new[b1:b2]))}</ins>")
    html = " ".join(part for part in out if part)
    return mark_safe(html.replace("\u00b6", "<br>"))  # noqa: S308 - every word escaped above


def has_changed(old_html: str, new_html: str) -> bool:
    return to_text(old_html) != to_text(new_html)
