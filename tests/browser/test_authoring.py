"""Authoring in Chromium: a delivery partner writes, pastes from Word, autosaves, previews and
reloads; two editors collide and nothing is lost; every authoring page passes axe-core."""

import re

import pytest
from playwright.sync_api import expect

from reports.authoring import services as authoring_services
from reports.models import ReportSection
from tests.browser.conftest import caret_to_the_end, go_to_my_reports, open_my_report, sign_in
from tests.factories import PASSWORD, make_cast
from tests.support.pasting import PASTE

# What Word puts on the clipboard (trimmed): a Heading 1, bold, italic, a link, a bulleted list
# made of "MsoListParagraph" paragraphs with their bullets as text, and some mso- styling.
WORD_HTML = """<html xmlns:o="urn:schemas-microsoft-com:office:office"><body lang=EN-GB>
<div class=WordSection1>
<h1>What the partnership wanted</h1>
<p class=MsoNormal style='mso-margin-top-alt:auto'>The partnership wanted <b>shared data</b>
and a <i>common language</i>, as <a href="https://example.org/plan">its plan</a>
says.<o:p></o:p></p>
<p class=MsoListParagraphCxSpFirst style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'>
<!--[if !supportLists]--><span style='font-family:Symbol'><span style='mso-list:Ignore'>·<span
style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp;&nbsp; </span></span></span><!--[endif]-->
Map the missing children</p>
<p class=MsoListParagraphCxSpLast style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'>
<!--[if !supportLists]--><span style='font-family:Symbol'><span style='mso-list:Ignore'>·<span
style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp;&nbsp; </span></span></span><!--[endif]-->
Meet every month</p>
</div></body></html>"""


@pytest.fixture
def world(live):
    """A report just started, and the people around it (tests/factories.make_cast)."""
    return make_cast(complete=False)


REASONS = "Reasons why the local area requested"


def open_section(page, report, heading=REASONS):
    """From "My reports": the report's overview, then the section's editor."""
    open_my_report(page, report.title)
    page.get_by_role("link", name=heading).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)


def editor_of(page):
    """The rich-text editor, once section-editor.js has put it in place of the textarea."""
    editor = page.locator("[data-rich-text-editor]")
    expect(editor).to_be_visible()
    expect(editor).to_have_role("textbox")
    expect(editor).to_have_accessible_name("Section text")
    return editor


def expect_saved(page):
    """The "saved at" line is shown and no change waits for a later autosave."""
    expect(page.locator("#save-status")).to_contain_text("Saved at")
    expect(page.locator("#section-form")).to_have_attribute("data-save-state", "saved")


def test_a_partner_writes_two_sections_autosaves_previews_and_reloads(live, world, page, axe_check):
    sign_in(page, live.url, world.partner.email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("My reports")
    axe_check(page, "dashboard")

    page.get_by_role("link", name=world.report.title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(world.report.title)
    axe_check(page, "overview")

    # Section one: typed.
    page.get_by_role("link", name=REASONS).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Reasons why the local area")
    editor_of(page)  # the rich-text editor is in place of the textarea
    expect(page.locator("textarea#id_body")).to_be_hidden()
    axe_check(page, "section editor")
    editor_of(page).click()
    page.keyboard.type("The partnership asked for help to see its data whole.")
    expect_saved(page)
    expect(page.locator("#word-count")).to_have_text("10 words")
    page.get_by_role("button", name="Save and go to the next section").click()

    # Section two: pasted from Word.
    expect(page.get_by_role("heading", level=1)).to_have_text("Overall goal of BSP")
    editor_of(page).click()
    page.evaluate(PASTE, ["[data-rich-text-editor]", WORD_HTML])
    expect_saved(page)
    expect(editor_of(page).locator("h3")).to_have_text("What the partnership wanted")

    # The text survives a reload, formatting and all.
    page.reload()
    expect(editor_of(page).locator("strong")).to_have_text("shared data")
    expect(editor_of(page).locator("em")).to_have_text("common language")
    expect(editor_of(page).locator("ul > li")).to_have_text(
        ["Map the missing children", "Meet every month"]
    )
    expect(editor_of(page).get_by_role("link", name="its plan")).to_have_attribute(
        "href", "https://example.org/plan"
    )
    goal = ReportSection.objects.get(report=world.report, key="overall_goal").body
    assert goal == (
        "<h3>What the partnership wanted</h3><p>The partnership wanted <strong>shared "
        "data</strong> and a <em>common language</em>, as "
        '<a href="https://example.org/plan" rel="noopener noreferrer">its plan</a> says.</p>'
        "<ul><li>Map the missing children</li><li>Meet every month</li></ul>"
    )

    # Preview: the report as the public page will show it, from the report's overview.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role(
        "link", name=world.report.title
    ).click()
    expect(page.locator(".task-list__item").first).to_contain_text("In progress")
    page.get_by_role("link", name="Preview the report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Project Learning Report: {world.report.title}"
    )
    expect(page.locator(".section-reasons")).to_have_text(
        "The partnership asked for help to see its data whole."
    )
    expect(page.locator(".section-overall_goal li")).to_have_count(2)
    axe_check(page, "preview")


def test_a_stale_save_by_a_second_editor_shows_the_conflict_page(live, world, browser, axe_check):
    partner_context, lead_context = browser.new_context(), browser.new_context()
    partner, lead = partner_context.new_page(), lead_context.new_page()
    for tab, person in ((partner, world.partner), (lead, world.tce_lead)):
        sign_in(tab, live.url, person.email, PASSWORD)
        open_section(tab, world.report)
        editor_of(tab)

    editor_of(partner).click()
    partner.keyboard.type("The partner's account of why they asked.")
    expect_saved(partner)

    # The lead's page was loaded before that save: their autosave is refused...
    editor_of(lead).click()
    lead.keyboard.type("The lead's different account.")
    expect(lead.locator("#save-status")).to_contain_text(
        f"Not saved: {world.partner.full_name} changed this section"
    )
    expect(lead.locator("#section-form")).to_have_attribute("data-save-state", "not-saved")
    # ...and saving shows both texts.
    lead.get_by_role("button", name="Save and return to the report").click()
    expect(lead.get_by_role("heading", level=1)).to_have_text(
        "Someone else changed this section while you were writing"
    )
    expect(lead.locator("[data-saved-version]")).to_have_text(
        "The partner's account of why they asked."
    )
    expect(editor_of(lead)).to_have_text("The lead's different account.")
    stored = ReportSection.objects.get(report=world.report, key="reasons")
    assert stored.body == "<p>The partner's account of why they asked.</p>"
    axe_check(lead, "conflict page")

    # The lead chooses their own version; the partner's stays in the history.
    lead.get_by_role("button", name="Save my version").click()
    expect(lead.get_by_role("heading", level=1)).to_have_text(world.report.title)
    stored.refresh_from_db()
    assert stored.body == "<p>The lead's different account.</p>"
    kept = set(ReportSection.history.filter(key="reasons").values_list("body", flat=True))
    assert "<p>The partner's account of why they asked.</p>" in kept
    partner_context.close()
    lead_context.close()


def test_a_stale_save_of_the_details_shows_the_conflict_page(live, world, browser, axe_check):
    partner_context, lead_context = browser.new_context(), browser.new_context()
    partner, lead = partner_context.new_page(), lead_context.new_page()
    for tab, person in ((partner, world.partner), (lead, world.tce_lead)):
        sign_in(tab, live.url, person.email, PASSWORD)
        open_my_report(tab, world.report.title)
        tab.get_by_role("link", name="Change the title or the BSP details").click()
        expect(tab.get_by_role("heading", level=1)).to_have_text("Title and BSP details")

    partner.get_by_label("Title of the report").fill("Swindon: the partner's title")
    partner.get_by_role("button", name="Save the details").click()
    expect(partner.locator(".messages")).to_contain_text("The title and BSP details have been")

    # The lead's page was loaded before that save: their save is refused, nothing is lost.
    lead.get_by_label("Title of the report").fill("Swindon: the lead's title")
    lead.get_by_label("BSP size (as the report should state it)").fill("Unitary")
    lead.get_by_role("button", name="Save the details").click()
    expect(lead.get_by_role("heading", level=1)).to_have_text(
        "Someone else changed the details while you were editing them"
    )
    expect(lead.get_by_role("alert")).to_contain_text(
        f"{world.partner.full_name} saved the details at"
    )
    table = lead.get_by_role("table", name="What differs between the saved details and yours")
    title_row = table.get_by_role("row", name=re.compile("Title of the report"))
    expect(title_row.get_by_role("cell").nth(0)).to_have_text("Swindon: the partner's title")
    expect(title_row.get_by_role("cell").nth(1)).to_have_text("Swindon: the lead's title")
    expect(lead.get_by_label("Title of the report")).to_have_value("Swindon: the lead's title")
    expect(lead.get_by_label("BSP size (as the report should state it)")).to_have_value("Unitary")
    world.report.refresh_from_db()
    assert world.report.title == "Swindon: the partner's title"
    axe_check(lead, "details conflict page")

    # The lead saves their version, now based on the partner's.
    lead.get_by_role("button", name="Save my version").click()
    expect(lead.get_by_role("heading", level=1)).to_have_text("Swindon: the lead's title")
    world.report.refresh_from_db()
    assert (world.report.title, world.report.details_version) == ("Swindon: the lead's title", 3)
    assert world.report.bsp.size == "Unitary"
    partner_context.close()
    lead_context.close()


def test_history_compare_and_restore(live, world, page, axe_check):
    for version, text in enumerate(["The first words.", "The second words."], start=1):
        authoring_services.save_section(
            report=world.report,
            key="reasons",
            actor=world.partner,
            body=f"<p>{text}</p>",
            based_on_version=version,
        )
    sign_in(page, live.url, world.partner.email, PASSWORD)
    open_my_report(page, world.report.title)
    page.get_by_role("link", name="History of changes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("History of changes")
    axe_check(page, "report history")
    page.get_by_role("link", name="Reasons why the local area requested").first.click()
    expect(page.locator("[data-diff] del")).to_have_text("first")
    expect(page.locator("[data-diff] ins")).to_have_text("second")
    axe_check(page, "section history")
    # Restoring asks first, and shows what it would change.
    page.get_by_role("link", name="Restore version 2").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Restore version 2?")
    expect(page.locator("[data-diff] ins")).to_have_text("first")
    axe_check(page, "restore confirmation")
    assert "second" in ReportSection.objects.get(report=world.report, key="reasons").body
    page.get_by_role("button", name="Yes, restore version 2").click()
    expect(page.locator(".messages")).to_contain_text("Version 2 of")
    assert (
        ReportSection.objects.get(report=world.report, key="reasons").body
        == "<p>The first words.</p>"
    )


def test_the_editor_works_as_a_plain_form_without_javascript(live, world, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live.url, world.partner.email, PASSWORD)
    open_section(page, world.report)
    page.get_by_label("Section text").fill("A first paragraph.\n\nA second one.")
    page.get_by_label("Yes, I have completed this section").check()
    page.get_by_role("button", name="Save and return to the report").click()
    expect(page.locator(".task-list__item").first).to_contain_text("Completed")
    stored = ReportSection.objects.get(report=world.report, key="reasons")
    assert stored.body == "<p>A first paragraph.</p><p>A second one.</p>"
    context.close()


def test_check_and_send_lists_the_problems_accessibly(live, world, page, axe_check):
    sign_in(page, live.url, world.partner.email, PASSWORD)
    open_my_report(page, world.report.title)
    page.get_by_role("link", name="Check and send for sign-off").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check and send for sign-off")
    axe_check(page, "check and send")
    page.get_by_role("button", name="Send for local sign-off").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("The report cannot be sent yet")
    expect(summary).to_be_focused()
    axe_check(page, "check and send with problems")
    summary.get_by_role("link", name=re.compile("Overall goal")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Overall goal of BSP")


def test_details_and_admin_pages_are_accessible(live, world, page, axe_check):
    sign_in(page, live.url, world.admin.email, PASSWORD)
    open_my_report(page, world.report.title)  # the overview
    page.get_by_role("link", name="Change the title or the BSP details").click()
    axe_check(page, "the details page")
    go_to_my_reports(page)
    page.get_by_role("link", name="Start a report for a BSP").click()
    axe_check(page, "starting a report")
    go_to_my_reports(page)
    page.get_by_role("link", name="Invite someone").click()
    axe_check(page, "inviting someone")


def test_footnotes_and_sub_headings_survive_the_editor(live, world, page):
    authoring_services.save_section(
        report=world.report,
        key="reasons",
        actor=world.admin,
        body='<h4>Background</h4><p>As the review found<span class="footnote">Review of '
        "2020, page 4.</span>, more was needed.</p>",
        based_on_version=1,
    )
    sign_in(page, live.url, world.partner.email, PASSWORD)
    open_section(page, world.report)
    editor = editor_of(page)
    # The end of the text (the paragraph is last): "End" alone goes to the end of the visual line
    # clicked, which may be inside the footnote when the line wraps.
    caret_to_the_end(page, editor)
    page.keyboard.type(" Then it began.")
    expect_saved(page)
    body = ReportSection.objects.get(report=world.report, key="reasons").body
    assert body == (
        '<h4>Background</h4><p>As the review found<span class="footnote">Review of 2020, page '
        "4.</span>, more was needed. Then it began.</p>"
    )


def test_the_toolbar_is_one_tab_stop_and_the_arrow_keys_move_along_it(live, world, page):
    """The WAI-ARIA toolbar pattern: Tab reaches the toolbar once; arrows, Home and End move."""
    sign_in(page, live.url, world.partner.email, PASSWORD)
    open_section(page, world.report)
    editor = editor_of(page)
    toolbar = page.get_by_role("toolbar", name="Formatting: Section text")
    buttons = toolbar.get_by_role("button")
    expect(buttons.first).to_have_attribute("tabindex", "0")
    count = buttons.count()
    assert count > 5
    expect(toolbar.locator('button[tabindex="0"]')).to_have_count(1)

    # Shift+Tab from the text goes to the toolbar's one tab stop, its first button.
    editor.click()
    page.keyboard.press("Shift+Tab")
    expect(buttons.first).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(buttons.nth(1)).to_be_focused()
    expect(toolbar.locator('button[tabindex="0"]')).to_have_count(1)
    expect(buttons.nth(1)).to_have_attribute("tabindex", "0")
    page.keyboard.press("End")
    expect(buttons.nth(count - 1)).to_be_focused()
    page.keyboard.press("ArrowRight")  # wraps round
    expect(buttons.first).to_be_focused()
    page.keyboard.press("ArrowLeft")
    expect(buttons.nth(count - 1)).to_be_focused()
    page.keyboard.press("Home")
    expect(buttons.first).to_be_focused()

    # A button pressed from the keyboard does its work on the text.
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # "Bulleted list"
    expect(page.locator(":focus")).to_have_accessible_name("Bulleted list")
    # Tab leaves the toolbar for the text in one step, back where the last button was.
    page.keyboard.press("Tab")
    expect(editor).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(page.locator(":focus")).to_have_accessible_name("Bulleted list")


def test_an_autosave_after_the_session_ended_says_so_in_words(live, world, page):
    sign_in(page, live.url, world.partner.email, PASSWORD)
    open_section(page, world.report)
    editor = editor_of(page)
    editor.click()
    page.keyboard.type("Written before the session ended.")
    expect_saved(page)
    page.context.clear_cookies()  # signed out (the session expired, say)
    page.keyboard.type(" Written after.")
    form = page.locator("#section-form")
    expect(form).to_have_attribute("data-save-state", "not-saved")
    status = page.locator("#save-status")
    expect(status).to_contain_text("Not saved yet")
    expect(page.get_by_role("alert").filter(has_text="You have been signed out")).to_be_visible()
    # The sign-in page the server answered with is not pasted into the status line.
    expect(status.get_by_role("button")).to_have_count(0)
    expect(editor).to_contain_text("Written before the session ended. Written after.")
    assert (
        ReportSection.objects.get(report=world.report, key="reasons").body
        == "<p>Written before the session ended.</p>"
    )
