"""What people do by accident, in Chromium, from the home page: a session that ends mid-edit, a
double click on every button that changes a report's state, a paste from Word with a footnote and
a table, and a change that is only formatting."""

import re

import pytest
from playwright.sync_api import expect

from reports.models import ReportEvent, ReportSection, Status, Transition
from tests.factories import PASSWORD, make_cast
from tests.support.pasting import PASTE

# What Word puts on the clipboard for a paragraph with a footnote, an empty paragraph, a table,
# and the footnote itself at the end (trimmed).
WORD_FOOTNOTE_AND_TABLE = """<html><body lang=EN-GB><div class=WordSection1>
<p class=MsoNormal>Partners met every month<a style='mso-footnote-id:ftn1' href="#_ftn1"
name="_ftnref1" title=""><span class=MsoFootnoteReference><span style='mso-special-character:
footnote'><span class=MsoFootnoteReference>[1]</span></span></span></a> for a year.<o:p></o:p></p>
<p class=MsoNormal><o:p>&nbsp;</o:p></p>
<table class=MsoTableGrid border=1 cellspacing=0 cellpadding=0>
 <tr><td width=200 valign=top><p class=MsoNormal><b>Agency</b></p></td>
  <td width=200 valign=top><p class=MsoNormal><b>Role</b></p></td></tr>
 <tr><td width=200 valign=top><p class=MsoNormal>Police</p></td>
  <td width=200 valign=top><p class=MsoNormal>Chair</p></td></tr>
</table>
</div>
<div style='mso-element:footnote-list'><br clear=all><hr align=left size=1 width="33%">
<div style='mso-element:footnote' id=ftn1>
<p class=MsoFootnoteText><a style='mso-footnote-id:ftn1' href="#_ftnref1" name="_ftn1"
title=""><span class=MsoFootnoteReference>[1]</span></a> Minutes of the core group, 2021.</p>
</div></div></body></html>"""


def sign_in_from_home(page, live, email):
    page.goto(live.url + "/")
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My reports")


def open_section(page, report, heading, *, from_dashboard=True):
    if from_dashboard:
        page.get_by_role("link", name=report.title, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(report.title)
    page.get_by_role("link", name=re.compile(heading)).first.click()
    editor = page.locator("[data-rich-text-editor]")
    expect(editor).to_be_visible()
    return editor


def expect_saved(page):
    expect(page.locator("#save-status")).to_contain_text("Saved at")
    expect(page.locator("#section-form")).to_have_attribute("data-save-state", "saved")


@pytest.fixture
def world(live):
    return make_cast("Lost Words Bay", complete=False)


def test_text_typed_after_signing_out_in_another_tab_is_saved_after_signing_in_again(
    live, world, page, context, axe_check
):
    sign_in_from_home(page, live, world.partner.email)
    editor = open_section(page, world.report, "Overall goal")
    editor.click()
    page.keyboard.type("Typed while signed in.")
    expect_saved(page)

    # In another tab, the same person signs out. The tabs stay open, as a person leaves them:
    # closing one, or bringing this one to the front, has no time limit in Playwright, and in
    # CI one of them now and then never returned (a dump after 4 minutes: the test waiting on
    # Playwright, every request thread of the server idle).
    other = context.new_page()
    other.goto(live.url + "/")
    other.get_by_role("button", name=re.compile("Sign out")).click()
    expect(other.get_by_role("link", name="Sign in")).to_be_visible()

    editor.click()
    page.keyboard.press("End")
    page.keyboard.type(" Typed after signing out.")
    banner = page.get_by_role("alert").filter(has_text="You have been signed out")
    expect(banner).to_be_visible(timeout=15_000)
    expect(banner).to_contain_text("What you typed is kept in this browser")
    axe_check(page, "signed out while writing")
    section = ReportSection.objects.get(report=world.report, key="overall_goal")
    assert "Typed after signing out." not in section.body  # not saved yet: kept in the browser

    # "Sign in again" opens a new tab; once signed in there, this page saves by itself.
    with context.expect_page() as opened:
        banner.get_by_role("link", name=re.compile("Sign in again")).click()
    tab = opened.value
    tab.get_by_label("E-mail address").fill(world.partner.email)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("You are signed in again")

    expect(page.get_by_role("alert").filter(has_text="You are signed in again")).to_be_visible(
        timeout=15_000
    )
    expect_saved(page)
    section.refresh_from_db()
    assert "Typed while signed in. Typed after signing out." in section.body

    # Back, reload: the saved text is what the page shows.
    page.reload()
    expect(page.locator("[data-rich-text-editor]")).to_contain_text("Typed after signing out.")


def test_text_never_saved_comes_back_when_the_page_is_opened_again(live, world, page, context):
    sign_in_from_home(page, live, world.partner.email)
    editor = open_section(page, world.report, "Overall goal")
    # The portal cannot be reached: the autosave fails, the text stays in the browser only.
    context.set_offline(True)
    editor.click()
    page.keyboard.type("Written on a train without signal.")
    expect(page.locator("#save-status")).to_contain_text("could not be reached", timeout=10_000)
    context.set_offline(False)
    assert "train" not in ReportSection.objects.get(report=world.report, key="overall_goal").body

    page.once("dialog", lambda dialog: dialog.accept())  # "leave the page?": yes
    page.reload()

    editor = page.locator("[data-rich-text-editor]")
    expect(editor).to_contain_text("Written on a train without signal.")
    expect(page.locator("#save-status")).to_contain_text("Saved at", timeout=10_000)
    section = ReportSection.objects.get(report=world.report, key="overall_goal")
    assert "Written on a train without signal." in section.body


def test_a_double_click_on_every_workflow_button_acts_once(live, page, context):
    cast = make_cast("Double Click Bay")
    admin = cast.admin
    admin.is_staff = True
    admin.save()

    def double_click(button_name):
        page.get_by_role("button", name=button_name).dblclick()

    # The partner sends it.
    sign_in_from_home(page, live, cast.partner.email)
    page.get_by_role("link", name="Check and send for sign-off").click()
    double_click("Send for local sign-off")
    expect(page.get_by_text("The report has been sent to the local area")).to_be_visible()
    context.clear_cookies()

    # The local lead signs it off, from "My reports".
    sign_in_from_home(page, live, cast.local_lead.email)
    page.get_by_role("link", name="Review and sign off").click()
    page.get_by_role("link", name="Sign off", exact=True).first.click()
    page.get_by_label("Your full name").fill("Lou Local")
    page.get_by_label("Your role").fill("Partnership manager")
    page.get_by_label(re.compile("Yes: once the TCE project lead has countersigned it")).check()
    page.get_by_label("I have checked that this report does not identify any child").check()
    double_click("Sign off the report")
    expect(page.get_by_text("You signed off the Project Learning Report")).to_be_visible()
    context.clear_cookies()

    # The TCE lead countersigns and publishes, from "My reports".
    sign_in_from_home(page, live, cast.tce_lead.email)
    page.get_by_role("link", name="Countersign").click()
    page.get_by_label("Your full name").fill("Tess Lead")
    page.get_by_label("Your role").fill("TCE project lead")
    double_click("Countersign the report")
    expect(page.get_by_text("You countersigned the report.")).to_be_visible()
    page.get_by_role("link", name="Publish on the microsite").first.click()
    double_click("Publish on the microsite")
    expect(page.get_by_text("The report is published on the microsite.")).to_be_visible()

    events = list(
        ReportEvent.objects.filter(report=cast.report).values_list("transition", flat=True)
    )
    assert events == [
        Transition.SUBMIT,
        Transition.SIGN_OFF,
        Transition.COUNTERSIGN,
        Transition.PUBLISH,
    ]
    cast.report.refresh_from_db()
    assert cast.report.status == Status.PUBLISHED


def test_a_paste_from_word_keeps_its_footnote_and_table_and_drops_empty_paragraphs(
    live, world, page
):
    sign_in_from_home(page, live, world.partner.email)
    open_section(page, world.report, "Approaches")
    page.locator("[data-rich-text-editor]").click()
    page.evaluate(PASTE, ["[data-rich-text-editor]", WORD_FOOTNOTE_AND_TABLE])
    expect_saved(page)

    body = ReportSection.objects.get(report=world.report, key="approaches").body
    assert (
        'Partners met every month<span class="footnote">Minutes of the core group, 2021.</span>'
        in body
    )
    assert "#_ftn" not in body and "[1]" not in body
    assert "<table>" in body
    assert re.search(r"<th[^>]*>\s*<p>\s*<strong>Agency</strong>", body)
    assert re.search(r"<td[^>]*>\s*<p>Police</p>", body)
    assert "<p></p>" not in body and "&nbsp;" not in body

    # The preview shows the footnote numbered at the end, and the table with its header row.
    page.get_by_role("link", name=world.report.title, exact=True).first.click()
    page.get_by_role("link", name="Preview the report").click()
    expect(page.get_by_role("columnheader", name="Agency")).to_be_visible()
    expect(page.get_by_role("cell", name="Police")).to_be_visible()
    expect(page.locator(".footnotes")).to_contain_text("Minutes of the core group, 2021.")


def test_making_a_paragraph_bold_shows_in_the_history_diff(live, page):
    # Yesterday's saved text; today the partner makes it bold, and changes nothing else.
    cast = make_cast(
        "Bold Bay", complete=False, sections={"overall_goal": "<p>Partners met monthly.</p>"}
    )
    sign_in_from_home(page, live, cast.partner.email)
    editor = open_section(page, cast.report, "Overall goal")
    editor.click()
    page.keyboard.press("Control+A")
    page.get_by_role("button", name="Bold").click()
    expect_saved(page)
    body = ReportSection.objects.get(report=cast.report, key="overall_goal").body
    assert body == "<p><strong>Partners met monthly.</strong></p>"

    page.get_by_role("link", name="My reports").first.click()
    page.get_by_role("link", name=cast.report.title, exact=True).click()
    page.get_by_role("link", name="History of changes").click()
    page.get_by_role("link", name=re.compile("Overall goal")).first.click()
    diff = page.locator("[data-diff]")
    expect(diff.locator("ins strong")).to_have_text("Partners met monthly.")
    expect(diff.locator("del")).to_have_text("Partners met monthly.")


def test_a_double_click_on_request_changes_withdraw_and_reopen_acts_once(live, page, context):
    waiting = make_cast("Changes Twice Bay", status=Status.AWAITING_SIGNOFF)
    published = make_cast("Withdraw Twice Bay", status=Status.PUBLISHED)
    admin = published.admin
    admin.is_staff = True
    admin.save()

    # The local lead asks for changes, from "My reports".
    sign_in_from_home(page, live, waiting.local_lead.email)
    page.get_by_role("link", name="Review and sign off").click()
    page.get_by_label("What needs to change").fill("Say more about the partners.")
    page.get_by_role("button", name="Request changes").dblclick()
    expect(page.get_by_text("The report has gone back to its authors")).to_be_visible()
    context.clear_cookies()

    # A programme admin withdraws the published report, then re-opens it, from "My reports".
    sign_in_from_home(page, live, admin.email)
    page.get_by_role("link", name="Withdraw Twice Bay", exact=True).click()
    page.get_by_role("link", name="Withdraw from the microsite").first.click()
    page.get_by_label("Reason for withdrawing the report").fill("A name must come out.")
    page.get_by_role("button", name="Withdraw from the microsite").dblclick()
    expect(page.get_by_text("The report is withdrawn from the microsite.")).to_be_visible()
    page.get_by_role("link", name="Re-open for revision").first.click()
    page.get_by_label("What needs revising").fill("Take the name out.")
    page.get_by_role("button", name="Re-open for revision").dblclick()
    expect(page.get_by_text("The report is a draft again")).to_be_visible()

    def transitions(cast):
        return list(cast.report.events.values_list("transition", flat=True))

    assert transitions(waiting)[-1:] == [Transition.REQUEST_CHANGES]
    assert transitions(waiting).count(Transition.REQUEST_CHANGES) == 1
    assert transitions(published)[-2:] == [Transition.WITHDRAW, Transition.REOPEN]
    assert transitions(published).count(Transition.WITHDRAW) == 1
    assert transitions(published).count(Transition.REOPEN) == 1
