"""The rich-text allowlist keeps simple tables and drops empty paragraphs (as pasted from Word),
keeps only links a reader (and a PDF) can follow, and bounds nesting."""

import re

import pytest

from reports.richtext import MAX_DEPTH, sanitise


def test_a_simple_table_is_kept_with_its_header_cells():
    pasted = (
        '<table class="MsoTableGrid" style="width:100%" border="1"><tr>'
        '<th scope="col" style="color:red">Agency</th><th colspan="2" onclick="x()">Role</th>'
        '</tr><tr><td width="200" rowspan="1"><p class="MsoNormal">Police</p></td>'
        "<td>Lead</td><td>Chair</td></tr></table>"
    )
    clean = sanitise(pasted)
    assert clean == (
        '<table><tbody><tr><th scope="col">Agency</th><th colspan="2">Role</th></tr>'
        '<tr><td rowspan="1"><p>Police</p></td><td>Lead</td><td>Chair</td></tr></tbody></table>'
    )


def test_empty_paragraphs_go_and_text_stays():
    pasted = "<p>One.</p><p>&nbsp;</p><p> </p><p><br></p><p></p><p>Two.</p>"
    assert sanitise(pasted) == "<p>One.</p><p>Two.</p>"


@pytest.mark.parametrize(
    ("href", "kept"),
    [
        ("https://www.csnetwork.org.uk/toolkit", True),
        ("http://example.org/", True),
        ("mailto:team@example.org", True),
        ("#footnote-1", True),
        ("//evil.example/x", False),  # a PDF would read it as file://evil.example/x
        ("/etc/passwd", False),
        ("rel", False),
        ("javascript:alert(1)", False),
        ("file:///etc/passwd", False),
    ],
)
def test_links_are_absolute_web_or_mail_addresses_or_in_the_text(href, kept):
    cleaned = sanitise(f'<p><a href="{href}">the link</a></p>')
    assert ("href=" in cleaned) is kept, cleaned
    assert "the link" in cleaned


@pytest.mark.parametrize(
    "html",
    [
        "<blockquote>" * 131 + "Deep words." + "</blockquote>" * 131,
        "<ul>" + "<li><ul>" * 1000 + "<li>Deep words.</li>" + "</ul></li>" * 1000 + "</ul>",
    ],
)
def test_nesting_is_bounded_and_the_words_kept(html):
    cleaned = sanitise(html)
    assert "Deep words." in cleaned

    depth = deepest = 0
    for tag in re.findall(r"<(/?)(?:blockquote|ul|li)\b", cleaned):
        depth += -1 if tag else 1
        deepest = max(deepest, depth)
    assert deepest <= MAX_DEPTH
    assert depth == 0  # every element closed
    assert sanitise(cleaned) == cleaned  # stable: saving it again changes nothing


def test_ordinary_nesting_is_untouched():
    html = "<ul><li>One<ul><li>Two<ol><li>Three</li></ol></li></ul></li></ul>"
    assert sanitise(html) == html
