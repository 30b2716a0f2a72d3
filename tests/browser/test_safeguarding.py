"""The safeguarding check in Chromium, as the demo users would meet it: the delivery partner
writes a sentence that names a young person and gives his age, sees both passages marked with
their reasons beside the editor, dismisses one with a reason, edits the other away, checks and
sends; the local lead reads the dismissal and its reason on the review page and signs, confirming
that the report identifies no one. From the home page on, only clicking and typing."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import caret_to_the_end, open_menu, open_my_report, torbay_draft

SENTENCE = "Jack Smith first came to the youth club, aged 14."
REASON = "Jack Smith is not his real name: the report gives every young person a made-up one."


@pytest.fixture
def report(live_demo):
    """A complete draft by the demo partner for Torbay's partnership, with nothing the check
    finds yet."""
    return torbay_draft("Torbay youth work", programme_year=2022)


def sign_in_from_the_menu(page, email):
    open_menu(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in").click()
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My reports")


def expect_saved(page):
    """Saved, and no change waits for a later autosave: then a button may navigate away."""
    expect(page.locator("#save-status")).to_contain_text("Saved at")
    expect(page.locator("#section-form")).to_have_attribute("data-save-state", "saved")


def test_a_finding_is_dismissed_another_edited_away_and_the_local_lead_signs(
    live_demo, report, page, axe_check
):
    page.goto(live_demo.url + "/")
    sign_in_from_the_menu(page, "partner@example.org")

    # The partner opens a section from "My reports" and writes about a young person.
    open_my_report(page, report.title)
    page.get_by_role("link", name=re.compile("^Reasons why the local area requested")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Reasons why")
    panel = page.locator("#findings")
    expect(panel).to_contain_text("The check found nothing in this section")
    editor = page.locator("[data-rich-text-editor]")
    # Once section-editor.js has put the editor in place (it then names it as a text box).
    expect(editor).to_have_role("textbox")
    expect(editor).to_have_accessible_name("Section text")
    caret_to_the_end(page, editor)
    page.keyboard.press("Enter")
    page.keyboard.type(SENTENCE)
    expect(editor.locator("p").last).to_have_text(SENTENCE)
    expect_saved(page)

    # After the save, the check beside the editor marks both passages, each with its reason.
    jack, age = panel.locator("#finding-reasons-1"), panel.locator("#finding-reasons-2")
    expect(jack.locator("mark")).to_have_text("Jack Smith")
    expect(jack).to_contain_text("A person's name")
    expect(age.locator("mark")).to_have_text("aged 14")
    expect(age).to_contain_text("A person's exact age")
    axe_check(page, "the section editor with two findings")

    # The name is made up: the partner dismisses it, saying why.
    page.get_by_label("Why “Jack Smith” does not identify anyone").fill(REASON)
    jack.get_by_role("button", name="Dismiss this finding").click()
    expect(page.get_by_role("status").first).to_contain_text("You dismissed “Jack Smith”")
    expect(panel.locator(".findings-dismissed")).to_contain_text(REASON)
    expect(panel.locator(".findings-list mark")).to_have_text(["aged 14"])

    # The age is not needed: the partner edits it away, and its finding goes.
    editor = page.locator("[data-rich-text-editor]")
    expect(editor).to_have_attribute("contenteditable", "true")
    caret_to_the_end(page, editor)
    for _ in ", aged 14.":
        page.keyboard.press("Backspace")
    page.keyboard.type(".")
    expect(editor.locator("p").last).to_have_text("Jack Smith first came to the youth club.")
    expect_saved(page)
    expect(panel).to_contain_text("The check found nothing in this section")
    expect(panel.locator(".findings-list")).to_have_count(0)
    expect(panel.locator(".findings-dismissed")).to_contain_text("Jack Smith")
    page.get_by_role("button", name="Save and return to the report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(report.title)

    # The preview marks the dismissed passage in place, with the reason.
    page.get_by_role("link", name="Preview the report").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(report.title)
    mark = page.locator(".report-body mark.finding--dismissed")
    expect(mark).to_have_count(1)
    expect(mark).to_contain_text("Jack Smith")
    expect(page.locator("#findings")).to_contain_text(REASON)
    axe_check(page, "the preview with a dismissed finding")

    # Check and send: nothing is left open, so the report goes.
    page.get_by_role("link", name="Check and send for sign-off").first.click()
    expect(page.locator("#findings")).to_contain_text("Every passage the portal's check found")
    page.get_by_role("button", name="Send for local sign-off").click()
    expect(page.get_by_role("status").first).to_contain_text("sent to the local area")
    open_menu(page)
    page.get_by_role("button", name=re.compile("Sign out")).click()

    # The local lead reads the dismissal and its reason on the review page, and signs.
    sign_in_from_the_menu(page, "local@example.org")
    open_my_report(page, report.title)  # the review page
    summary = page.locator("#findings")
    expect(summary).to_contain_text("“Jack Smith” (a name): dismissed by")
    expect(summary).to_contain_text(f"Their reason: {REASON}")
    expect(page.locator(".review-body mark.finding--dismissed")).to_contain_text("Jack Smith")
    axe_check(page, "the review page with a dismissal")
    page.get_by_role("link", name="Sign off", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Sign off the report for the local area"
    )
    page.get_by_label(re.compile("Yes: once the TCE project lead has countersigned it")).check()
    page.get_by_label("Your full name").fill("Chris Penrose")
    page.get_by_label("Your role").fill("Partnership business manager")
    page.get_by_role("button", name="Sign off the report").click()
    # Not without the confirmation.
    expect(page.get_by_role("alert")).to_contain_text("Confirm that you have checked")
    page.get_by_label(
        "I have checked that this report does not identify any child, family or member of staff"
    ).check()
    page.get_by_role("button", name="Sign off the report").click()
    expect(page.get_by_role("status").first).to_contain_text("You signed off")
    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Audit")
    expect(page.locator("main")).to_contain_text("Safeguarding check confirmed")
    expect(page.locator("main")).to_contain_text(REASON)
