"""The rich-text allowlist keeps simple tables and drops empty paragraphs (as pasted from Word)."""

from reports.richtext import sanitise


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
