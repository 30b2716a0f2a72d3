"""Headings and labels are recognised whatever their wording; nothing is dropped."""

import pytest

from reports.importing.document import Block, ImportedDocument, Kind
from reports.importing.mapping import heading_key, propose


def heading(text, level=2):
    return Block(Kind.HEADING, f"<h3>{text}</h3>", text, level=level)


def paragraph(text):
    return Block(Kind.PARAGRAPH, f"<p>{text}</p>", text)


def document(*blocks):
    return ImportedDocument(source="text", blocks=list(blocks))


@pytest.mark.parametrize(
    ("words", "key"),
    [
        ("Overall goal of BSP:", "overall_goal"),
        ("2. Overall Goal of the BSP", "overall_goal"),
        ("OVERALL GOAL OF THE BESPOKE SUPPORT PROJECT", "overall_goal"),
        ("Reasons why the local area requested the TCE Support Programme", "reasons"),
        ("Approaches/methods taken to achieve the project goal", "approaches"),
        ("4) Key issues arising during delivery", "key_issues"),
        ("Joining the dots:", "joining_the_dots"),
        ("Holding complexity, uncertainty & curiosity", "holding_complexity"),
        ("Significant learning and transferability for other areas", "significant_learning"),
        ("Immediate reflections from the local area:", "local_reflections"),
        ("1. Leadership", None),
        ("Confidence", None),
    ],
)
def test_headings_are_recognised_whatever_their_wording(words, key):
    assert heading_key(words) == key


def test_a_short_bold_line_is_a_heading_and_its_text_follows_it(db):
    proposal = propose(
        document(
            heading("Reasons why the local area requested the TCE Support Programme:", level=0),
            paragraph("They asked."),
            heading("OVERALL GOAL OF THE BSP", level=0),
            paragraph("A goal."),
        )
    )
    assert proposal.sections == {"reasons": "<p>They asked.</p>", "overall_goal": "<p>A goal.</p>"}
    assert proposal.headings["overall_goal"] == "OVERALL GOAL OF THE BSP"
    assert proposal.warnings == []


def test_text_under_an_unrecognised_heading_stays_in_the_section_before_with_a_warning(db):
    proposal = propose(
        document(
            heading("3. Approaches taken"),
            paragraph("Workshops."),
            heading("Lessons from the pandemic"),
            paragraph("Everything moved online."),
            heading("Key issues that arose during the delivery of the BSP"),
            paragraph("Capacity."),
        )
    )
    assert proposal.sections["approaches"] == (
        "<p>Workshops.</p>\n<h3>Lessons from the pandemic</h3>\n<p>Everything moved online.</p>"
    )
    assert proposal.sections["key_issues"] == "<p>Capacity.</p>"
    assert len(proposal.warnings) == 1
    assert "“Lessons from the pandemic”" in proposal.warnings[0]
    assert "Approaches / methods taken" in proposal.warnings[0]


def test_text_before_any_heading_is_kept_in_the_first_section(db):
    proposal = propose(document(paragraph("An introduction."), heading("Overall goal")))
    assert proposal.sections == {"overall_goal": "<p>An introduction.</p>"}
    assert "before the first section" in proposal.warnings[0]


def test_without_any_heading_all_the_text_is_kept(db):
    proposal = propose(document(paragraph("One."), paragraph("Two.")))
    assert proposal.sections == {"reasons": "<p>One.</p>\n<p>Two.</p>"}
    assert "No heading of the template was recognised" in proposal.warnings[0]


def test_a_heading_met_twice_keeps_its_second_text_where_it_is(db):
    proposal = propose(
        document(heading("Key issues"), paragraph("A."), heading("Key issues"), paragraph("B."))
    )
    assert proposal.sections == {"key_issues": "<p>A.</p>\n<h3>Key issues</h3>\n<p>B.</p>"}
    assert "already had" in proposal.warnings[0]


def test_the_details_table_s_labels_in_other_wordings(demo):
    rows = [
        ["Partnership name", "Torbay Safeguarding Partnership (TSCP)"],
        ["Number of local authority areas covered", "Torbay"],
        ["Region", "Devon and Cornwall Police"],
        ["Size of BSP", "Complex"],
        ["Delivery (digital / face-to-face / mixed)", "Face-to-face"],
        ["Start date", "March 2021"],
        ["Favourite colour", "Blue"],
    ]
    cells = "".join(f"<tr><td>{label}</td><td>{value}</td></tr>" for label, value in rows)
    table = Block(Kind.TABLE, f"<table><tbody>{cells}</tbody></table>", "", rows=rows)
    proposal = propose(document(table, heading("Overall goal"), paragraph("A goal.")))
    found = {field.key: (field.value, field.matched) for field in proposal.details}
    assert found == {
        "partnership": (
            "Torbay Safeguarding Partnership (TSCP)",
            "Torbay Safeguarding Partnership (TSCP)",
        ),
        "local_authorities_as_stated": ("Torbay", "Torbay"),
        "regional_area_as_stated": ("Devon and Cornwall Police", "south-west"),
        "size": ("Complex", "complex"),
        "delivery_mode_as_stated": ("Face-to-face", "face_to_face"),
        "commenced_as_stated": ("March 2021", "2021-03"),
    }
    # A row that is not the template's is kept, in the first section, with a warning.
    assert proposal.sections["overall_goal"].startswith("<p><strong>Favourite colour</strong> Blue")


def test_the_sign_off_block_with_a_ticked_box(db):
    proposal = propose(
        document(
            heading("Overall goal"),
            paragraph("A goal."),
            paragraph("Please tick this box if there is an agreement to share it: ☒"),
            paragraph("Date: 01/02/2022"),
            paragraph("Signed by local area: Sam Smith, Head of Safeguarding"),
            paragraph("Signed by TCE Project Lead: Amy Hurst"),
        )
    )
    signoff = proposal.signoff
    assert signoff.consent_to_share is True
    assert (signoff.date, signoff.local_area_signatory, signoff.local_area_role) == (
        "01/02/2022",
        "Sam Smith",
        "Head of Safeguarding",
    )
    assert signoff.tce_project_lead == "Amy Hurst"
    assert proposal.sections == {"overall_goal": "<p>A goal.</p>"}


def test_footnotes_are_kept_where_they_are_called(db):
    call = '<a href="#footnote-1">1</a>'
    notes = Block(Kind.FOOTNOTES, '<ol><li id="footnote-1">A <em>note</em>.</li></ol>', "A note.")
    proposal = propose(document(heading("Overall goal"), paragraph(f"A goal{call}."), notes))
    assert proposal.sections["overall_goal"] == (
        '<p>A goal<span class="footnote">A <em>note</em>.</span>.</p>'
    )
