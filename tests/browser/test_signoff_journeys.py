"""The whole sign-off journey in Chromium, as the demo users would walk it: the author sends the
report, the local lead asks for changes, the author fixes the section in the editor and sends it
again, the local lead signs, the TCE project lead countersigns and publishes."""

import re

from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import User
from reports.models import LearningReport, ReportSection, Status
from reports.signoff import services as signoff_services
from tests.browser.conftest import caret_to_the_end, go_to_my_reports, open_my_report, sign_in


def sign_in_as(page, live, email):
    """From the home page, signed out first; it ends on "My reports"."""
    page.context.clear_cookies()
    sign_in(page, live.url, email)
    expect(page.get_by_role("heading", level=1)).to_have_text("My reports")


def emailed_path(to, pattern):
    """The path of the link in the one e-mail sent to ``to`` that has a link matching
    ``pattern`` (its address is built on SITE_URL, not the live server's)."""
    [path] = [
        match.group(1)
        for message in mail.outbox
        if message.to == [to]
        and (match := re.search(r"https?://[^/\s]+(" + pattern + r")", message.body))
    ]
    return path


def reflections_editor(page):
    """The local area's reflections in the section editor, once section-editor.js is ready."""
    editor = page.get_by_role("textbox", name="The local area's reflections")
    expect(editor).to_be_visible()
    expect(editor).to_have_attribute("contenteditable", "true")
    return editor


def expect_reflections_saved(page):
    """The reflections' "saved at" line is shown and no change waits for a later autosave. Wait
    for this before pressing a submit button: an autosave still in flight and the submit would
    be two writes at once, which lock SQLite's shared-cache test database."""
    expect(page.locator("#reflections-save-status")).to_contain_text("Saved at")
    expect(page.locator("#reflections-form")).to_have_attribute("data-save-state", "saved")


def send_for_signoff(page):
    """From the report's overview, the author's "check and send" page (authoring)."""
    page.get_by_role("link", name="Check and send for sign-off").click()
    page.get_by_role("button", name="Send for local sign-off").click()
    expect(page.get_by_role("status").first).to_contain_text("sent to the local area")


def test_the_whole_journey_to_publication(live_demo, draft, page, axe_check):
    live = live_demo
    # The delivery partner sends the complete draft for sign-off.
    sign_in_as(page, live, "partner@example.org")
    open_my_report(page, draft.title)  # the overview
    send_for_signoff(page)

    # The local lead comments on one section and requests changes.
    sign_in_as(page, live, "local@example.org")
    open_my_report(page, draft.title)  # the review page
    axe_check(page, "the review page")
    page.locator("#section-overall_goal summary").click()
    page.get_by_label("Your comment on “Overall goal of BSP”").fill("Say what the three aims were.")
    page.locator("#section-overall_goal").get_by_role("button", name="Add comment").click()
    expect(page.locator("#section-overall_goal .section-comments")).to_contain_text(
        "Say what the three aims were."
    )
    page.get_by_label("What needs to change").fill("One section needs more detail.")
    page.get_by_role("button", name="Request changes").click()
    expect(page.locator(".tag")).to_have_text("Changes requested")

    # The author reads the request, fixes the section in the editor and sends the report again.
    sign_in_as(page, live, "partner@example.org")
    review = reverse("reports:report-review", kwargs={"slug": draft.slug})
    # The link from the e-mail that asks for changes.
    page.goto(live.url + emailed_path("partner@example.org", re.escape(review)))
    expect(page.get_by_role("heading", name="Changes requested")).to_be_visible()
    expect(page.locator("#changes-requested-heading + p + blockquote")).to_contain_text(
        "One section needs more detail."
    )
    go_to_my_reports(page)
    open_my_report(page, draft.title)  # the overview
    expect(page.get_by_role("heading", name="Changes requested")).to_be_visible()
    axe_check(page, "the overview with the changes requested")
    # The request's comment on the section leads to its editor.
    page.get_by_role("region", name="Changes requested").get_by_role(
        "link", name="Overall goal of BSP"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Overall goal of BSP")
    editor = page.locator("[data-rich-text-editor]")
    expect(editor).to_have_role("textbox")
    caret_to_the_end(page, editor)
    page.keyboard.press("Enter")
    page.keyboard.type("The three aims were agreed with the partnership board.")
    page.get_by_label("Yes, I have completed this section").check()
    # Ticking autosaves; let that finish first (two writes at once lock SQLite's shared-cache
    # test database: "database table is locked").
    expect(page.locator("#section-form")).to_have_attribute("data-save-state", "saved")
    page.get_by_role("button", name="Save and return to the report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(draft.title)
    send_for_signoff(page)

    # The local lead sees what changed, writes the reflections, agrees to share and signs.
    sign_in_as(page, live, "local@example.org")
    open_my_report(page, draft.title)  # the review page
    changes = page.locator(".changes-since")
    expect(
        changes.get_by_role("heading", name="What changed since you last looked")
    ).to_be_visible()
    expect(
        changes.locator(".diff ins").filter(has_text="agreed with the partnership board")
    ).to_have_count(1)
    expect(changes.get_by_role("link", name="Overall goal of BSP")).to_be_visible()
    axe_check(page, "the review page with changes")
    # The reflections are written in the section editor: paragraphs and a bulleted list.
    editor = reflections_editor(page)
    editor.click()
    page.keyboard.type("The project changed how we talk about exploitation.")
    page.keyboard.press("Enter")
    page.keyboard.type("We will:")
    page.keyboard.press("Enter")
    page.locator("#local-reflections").get_by_role("button", name="Bulleted list").click()
    page.keyboard.type("keep the new forum")
    page.keyboard.press("Enter")
    page.keyboard.type("share data every month")
    expect(editor.locator("li")).to_have_count(2)
    expect_reflections_saved(page)
    axe_check(page, "the review page with the reflections editor")
    page.get_by_role("button", name="Save reflections").click()
    expect(page.get_by_role("status").first).to_contain_text("reflections are saved")
    assert ReportSection.objects.get(report=draft, key="local_reflections").body == (
        "<p>The project changed how we talk about exploitation.</p><p>We will:</p>"
        "<ul><li>keep the new forum</li><li>share data every month</li></ul>"
    )
    # Back on the review page, the editor holds the saved text.
    expect(reflections_editor(page).locator(":scope > p")).to_have_count(2)
    expect(reflections_editor(page).locator("li")).to_have_count(2)
    page.get_by_role("link", name="Continue to sign off").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Sign off the report for the local area"
    )
    page.get_by_role("button", name="Sign off the report").click()  # nothing typed yet
    expect(page.get_by_role("alert")).to_contain_text("Enter your full name")
    axe_check(page, "the sign-off page with errors")
    page.get_by_label(re.compile("Yes: once the TCE project lead has countersigned it")).check()
    page.get_by_label("Your full name").fill("Chris Penrose")
    page.get_by_label("Your role").fill("Partnership business manager")
    page.get_by_label("I have checked that this report does not identify any child").check()
    page.get_by_role("button", name="Sign off the report").click()
    expect(page.locator(".tag")).to_have_text("Signed off by the local area")

    # The TCE project lead countersigns and publishes.
    sign_in_as(page, live, "lead@example.org")
    open_my_report(page, draft.title)  # the review page
    page.get_by_role("link", name="Countersign").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Countersign the report")
    axe_check(page, "the countersign page")
    page.get_by_label("Your full name").fill("Sam Whitfield")
    page.get_by_role("button", name="Countersign the report").click()
    expect(page.locator(".tag")).to_have_text("Countersigned by the TCE project lead")
    page.get_by_role("link", name="Publish on the microsite").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Publish the report on the microsite")
    axe_check(page, "the publish page")
    page.get_by_role("button", name="Publish on the microsite").click()
    expect(page.locator(".tag")).to_have_text("Published")

    page.get_by_role("link", name="Audit log").click()
    rows = page.locator("table.audit-log tbody tr")
    expect(rows).to_have_count(6)
    expect(rows.nth(1)).to_contain_text("Say what the three aims were.")
    axe_check(page, "the audit log")

    # The report is on the microsite, with its sign-off block: among the latest reports.
    page.context.clear_cookies()
    page.goto(live.url + "/")
    page.get_by_role("link", name=draft.title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Project Learning Report: Torbay (2021-22)"
    )
    signoff = page.locator(".signoff-block")
    expect(signoff).to_contain_text("Chris Penrose, Partnership business manager")
    expect(signoff).to_contain_text("Sam Whitfield")
    expect(signoff).to_contain_text("Yes, agreed by the local area")
    reflections = page.locator(".section-local_reflections")
    expect(reflections.locator("p")).to_have_text(
        ["The project changed how we talk about exploitation.", "We will:"]
    )
    expect(reflections.locator("li")).to_have_text(["keep the new forum", "share data every month"])


def test_a_local_lead_without_an_account_withholds_consent(live_demo, page, axe_check):
    live = live_demo
    torbay = LearningReport.objects.get(slug="torbay")
    assert torbay.status == Status.AWAITING_SIGNOFF

    # The TCE project lead sends a sign-off link to the local area's signatory.
    sign_in_as(page, live, "lead@example.org")
    open_my_report(page, "Torbay")  # the review page
    page.get_by_role("link", name="Send a sign-off link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Send a sign-off link")
    axe_check(page, "the send-a-link page")
    page.get_by_label("Local lead's full name").fill("Nadine Ward")
    page.get_by_label("Local lead's e-mail address").fill("nadine.ward@torbay.example.gov.uk")
    page.get_by_label("Their role (optional)").fill("Independent Scrutineer")
    page.get_by_role("button", name="Send the sign-off link").click()
    expect(page.get_by_role("status").first).to_contain_text("on its way to")
    path = emailed_path("nadine.ward@torbay.example.gov.uk", r"/sign-off/\S+")

    # She opens it, with no account and no password, and signs without agreeing to share.
    page.context.clear_cookies()
    page.goto(live.url + path)  # the link from the e-mail
    expect(page.get_by_role("status").first).to_contain_text("You are using the sign-off link")
    expect(page.get_by_role("heading", level=1)).to_have_text("Torbay")
    page.get_by_role("link", name="Continue to sign off").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Sign off the report for the local area"
    )
    axe_check(page, "the sign-off page")
    page.get_by_label(re.compile("No: it is signed off but not published")).check()
    page.get_by_label("Your full name").fill("Nadine Ward")
    page.get_by_label("Your role").fill("Independent Scrutineer")
    page.get_by_label("I have checked that this report does not identify any child").check()
    page.get_by_role("button", name="Sign off the report").click()
    # A "no" says why (kept private).
    expect(page.get_by_role("alert")).to_contain_text("Say why the local area does not agree")
    page.get_by_label(re.compile("Why the local area does not agree")).fill(
        "The board has not yet approved publication."
    )
    page.get_by_role("button", name="Sign off the report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for signing off")
    expect(page.get_by_role("status").first).to_contain_text("did not agree to share it")
    page.goto(live.url + path)  # the link from the e-mail, once more: it is spent
    expect(page.get_by_role("heading", level=1)).to_have_text("This sign-off link does not work")

    # The TCE project lead countersigns: the report is kept, not for publication.
    sign_in_as(page, live, "lead@example.org")
    open_my_report(page, "Torbay")  # the review page
    page.get_by_role("link", name="Countersign").click()
    expect(page.get_by_text("unless the local area agrees to publication later")).to_be_visible()
    page.get_by_label("Your full name").fill("Sam Whitfield")
    page.get_by_role("button", name="Countersign the report").click()
    expect(page.locator(".tag")).to_have_text("Signed off, not for publication")
    expect(page.get_by_role("link", name="Publish on the microsite")).to_have_count(0)

    page.context.clear_cookies()
    # A visitor finds it nowhere: not among the latest reports, not by searching for it. (Its
    # address gives a 404: tests/reports/microsite/test_visibility.py.)
    page.goto(live.url + "/")
    expect(page.get_by_role("link", name="Torbay", exact=True)).to_have_count(0)
    page.get_by_role("searchbox").first.fill("Torbay")
    page.get_by_role("searchbox").first.press("Enter")
    expect(page.get_by_text("0 reports matching “Torbay”")).to_be_visible()


def test_the_local_leads_reflections_are_saved_as_they_type(live_demo, page, axe_check):
    live = live_demo
    sign_in_as(page, live, "local@example.org")
    open_my_report(page, "Torbay")  # the review page
    status = page.locator("#reflections-save-status")
    expect(status).to_have_text("Your text is saved as you type.")
    reflections_editor(page).click()
    page.keyboard.type("We learned to ask the children first.")
    page.keyboard.press("Enter")
    page.keyboard.type("The forum stays.")
    expect_reflections_saved(page)
    expect(status).to_have_attribute("role", "status")
    axe_check(page, "the review page with autosaved reflections")
    section = ReportSection.objects.get(report__slug="torbay", key="local_reflections")
    assert section.body == "<p>We learned to ask the children first.</p><p>The forum stays.</p>"

    # A later change is saved over the version the last autosave made (each answer carries the
    # new version into the form), not refused as a conflict with itself.
    first_version = section.version
    page.keyboard.type(" It meets monthly.")
    expect(page.locator("#reflections-form")).to_have_attribute("data-save-state", "saved")
    expect(status).to_contain_text("Saved at")
    section.refresh_from_db()
    assert section.version > first_version
    assert section.body == (
        "<p>We learned to ask the children first.</p><p>The forum stays. It meets monthly.</p>"
    )
    expect(page.locator("#id_reflections-based_on_version")).to_have_value(str(section.version))

    # The text is there after a reload.
    page.reload()
    expect(reflections_editor(page).locator("p")).to_have_text(
        ["We learned to ask the children first.", "The forum stays. It meets monthly."]
    )
    expect(status).to_contain_text("Last saved")


def test_two_people_write_the_reflections_at_once_and_nothing_is_lost(
    live_demo, browser, axe_check
):
    """The demo local lead and a sign-off link's holder both write Torbay's reflections."""
    live = live_demo
    torbay = LearningReport.objects.get(slug="torbay")
    signoff_services.send_signoff_link(
        report=torbay,
        actor=User.objects.get(email="lead@example.org"),
        email="nadine.ward@torbay.example.gov.uk",
        full_name="Nadine Ward",
    )
    lead_context, nadine_context = browser.new_context(), browser.new_context()
    lead, nadine = lead_context.new_page(), nadine_context.new_page()
    sign_in_as(lead, live, "local@example.org")
    open_my_report(lead, "Torbay")  # the review page
    # The link from the e-mail: no account, the link opens the page.
    nadine.goto(live.url + emailed_path("nadine.ward@torbay.example.gov.uk", r"/sign-off/\S+"))
    expect(nadine.get_by_role("status").first).to_contain_text("You are using the sign-off link")

    # Both start from the same (empty) reflections; the link's holder's words are saved first,
    # as she types.
    reflections_editor(lead)
    reflections_editor(nadine).click()
    nadine.keyboard.type("Nadine's reflections.")
    expect_reflections_saved(nadine)

    # The local lead's page was loaded before that save: their autosave is refused...
    reflections_editor(lead).click()
    lead.keyboard.type("The lead's reflections.")
    expect(lead.locator("#reflections-save-status")).to_contain_text(
        "Not saved: Nadine Ward changed the reflections at "
    )
    expect(lead.locator("#reflections-save-status")).to_contain_text(
        "Select “Save reflections” to see both versions and choose."
    )
    expect(lead.locator("#reflections-form")).to_have_attribute("data-save-state", "not-saved")

    # ...and saving shows both texts, theirs still in the editor.
    lead.get_by_role("button", name="Save reflections").click()
    expect(lead.get_by_role("alert").first).to_contain_text("Your reflections have not been saved")
    expect(lead.locator("[data-saved-version]")).to_have_text("Nadine's reflections.")
    expect(reflections_editor(lead)).to_have_text("The lead's reflections.")
    stored = ReportSection.objects.get(report=torbay, key="local_reflections")
    assert stored.body == "<p>Nadine's reflections.</p>"
    axe_check(lead, "the review page with a conflict on the reflections")

    # The local lead keeps their own version; Nadine's stays in the section's history.
    lead.get_by_role("link", name="See both versions and choose what to keep").click()
    lead.get_by_role("button", name="Save my version").click()
    expect(lead.get_by_role("status").first).to_contain_text("reflections are saved")
    stored.refresh_from_db()
    assert (stored.body, stored.updated_by.email) == (
        "<p>The lead's reflections.</p>",
        "local@example.org",
    )
    kept = set(stored.history.values_list("body", flat=True))
    assert "<p>Nadine's reflections.</p>" in kept
    lead_context.close()
    nadine_context.close()


def test_a_programme_admin_withdraws_a_published_report(live_demo, page, browser, axe_check):
    live = live_demo
    # Someone is reading the report, opened from the home page.
    reader = browser.new_page()
    reader.goto(live.url + "/")
    reader.get_by_role("link", name="East Sussex", exact=True).first.click()
    expect(reader.get_by_role("heading", level=1)).to_have_text(
        "Project Learning Report: East Sussex"
    )
    sign_in_as(page, live, "admin@example.org")
    open_my_report(page, "East Sussex")  # the review page
    page.get_by_role("link", name="Withdraw from the microsite").click()
    page.get_by_role("button", name="Withdraw from the microsite").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the reason for withdrawing")
    axe_check(page, "the withdraw page")
    page.get_by_label("Reason for withdrawing the report").fill("The local area asked us to.")
    page.get_by_role("button", name="Withdraw from the microsite").click()
    expect(page.locator(".tag")).to_have_text("Withdrawn from the microsite")
    expect(page.locator("#withdrawn-notice")).to_contain_text("The local area asked us to.")
    axe_check(page, "the review page of a withdrawn report")
    page.get_by_role("link", name="Audit log").click()
    expect(page.locator("table.audit-log tbody tr").last).to_contain_text(
        "The local area asked us to."
    )

    # Later it is re-opened for revision: a draft again, its public page still the notice.
    page.get_by_role("link", name="Back to the report").click()
    page.get_by_role("link", name="Re-open for revision").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Re-open the report for revision")
    page.get_by_role("button", name="Re-open for revision").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter what needs revising")
    axe_check(page, "the re-open page with an error")
    page.get_by_label("What needs revising").fill("Update the figures, then publish it again.")
    page.get_by_role("button", name="Re-open for revision").click()
    expect(page.locator(".tag")).to_have_text("Draft")
    expect(page.locator("#withdrawn-notice")).to_contain_text("It was re-opened for revision")
    expect(page.locator("#withdrawn-notice blockquote").last).to_have_text(
        "Update the figures, then publish it again."
    )
    go_to_my_reports(page)
    open_my_report(page, "East Sussex")  # a draft again: the overview
    expect(page.get_by_role("heading", name="Re-opened for revision")).to_be_visible()
    axe_check(page, "the overview of a re-opened report")
    # The reader reloads the report's page: it says that it was withdrawn.
    reader.reload()
    expect(
        reader.get_by_role("heading", name=re.compile("This report was withdrawn"))
    ).to_be_visible()
    reader.close()


def test_a_comment_written_while_the_report_was_signed_off_is_given_back(
    live_demo, page, axe_check
):
    torbay = LearningReport.objects.get(slug="torbay")
    local = User.objects.get(email="local@example.org")
    sign_in_as(page, live_demo, "local@example.org")
    open_my_report(page, torbay.title)  # the review page
    page.locator("#section-overall_goal summary").click()
    page.get_by_label("Your comment on “Overall goal of BSP”").fill("Which three aims?")
    # Meanwhile someone else signs the report off for the local area.
    signoff_services.sign_off(
        report=torbay,
        actor=local,
        full_name="Sam Other",
        role="Chair",
        consent=True,
        checked_identifiability=True,
    )
    page.locator("#section-overall_goal").get_by_role("button", name="Add comment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your comment could not be saved")
    expect(page.locator(".saved-version")).to_have_text("Which three aims?")
    axe_check(page, "the not-saved page")
