"""Editions and consent, in Chromium, from the home page, by clicking and typing only: a published
report is corrected while its published edition stays up; a local area that said no to
publication says yes later, and the report is then published."""

import re

from playwright.sync_api import expect

from reports.models import Status, Transition
from tests.factories import PASSWORD, make_cast

PUBLISHED_TEXT = "Harbour Bay learned that trust is built slowly."
CORRECTED_TEXT = "Harbour Bay learned that trust is built in small steps."


def sign_in_from_home(page, live, email):
    page.goto(live.url + "/")
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My reports")


def sign_out(page):
    page.get_by_role("button", name=re.compile("Sign out")).click()


def read_from_home(page, live, title):
    """A member of the public opens the report from the home page's latest reports."""
    page.goto(live.url + "/")
    page.get_by_role("link", name=title, exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Project Learning Report: {title}")


def test_a_published_report_is_corrected_and_its_first_edition_stays_public(
    live, page, browser, axe_check
):
    cast = make_cast(
        "Harbour Bay",
        sections={"significant_learning": f"<p>{PUBLISHED_TEXT}</p>"},
        status=Status.PUBLISHED,
    )
    public = browser.new_page()

    # The TCE lead starts a revision from "My reports".
    sign_in_from_home(page, live, cast.tce_lead.email)
    page.get_by_role("link", name="Harbour Bay", exact=True).click()
    page.get_by_role("link", name="Start a revision").first.click()
    axe_check(page)
    page.get_by_label("What needs correcting or updating").fill("The learning is misquoted.")
    page.get_by_role("button", name="Start a revision").click()
    expect(page.get_by_text("A revision is open")).to_be_visible()
    sign_out(page)

    # The delivery partner corrects the section and sends the revision for sign-off.
    sign_in_from_home(page, live, cast.partner.email)
    page.get_by_role("link", name="Harbour Bay", exact=True).click()
    expect(page.get_by_text("Revision in progress.")).to_be_visible()
    page.get_by_role("link", name=re.compile("Significant learning")).first.click()
    editor = page.locator("[data-rich-text-editor]")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(CORRECTED_TEXT)
    page.get_by_label("Yes, I have completed this section").check()
    page.get_by_role("button", name="Save and return to the report").click()
    page.get_by_role("link", name="Check and send for sign-off").first.click()
    page.get_by_role("button", name="Send for local sign-off").click()
    expect(page.get_by_text("The report has been sent to the local area")).to_be_visible()
    sign_out(page)

    # Meanwhile the public reads the published edition, unchanged.
    read_from_home(public, live, "Harbour Bay")
    expect(public.get_by_text(PUBLISHED_TEXT)).to_be_visible()
    expect(public.get_by_text(CORRECTED_TEXT)).to_have_count(0)

    # The local lead signs the revision off, from "My reports".
    sign_in_from_home(page, live, cast.local_lead.email)
    page.get_by_role("link", name="Review and sign off").click()
    page.get_by_role("link", name="Sign off", exact=True).first.click()
    page.get_by_label("Your full name").fill("Lou Local")
    page.get_by_label("Your role").fill("Partnership manager")
    page.get_by_label(re.compile("Yes: once the TCE project lead has countersigned it")).check()
    page.get_by_label("I have checked that this report does not identify any child").check()
    page.get_by_role("button", name="Sign off the report").click()
    expect(page.get_by_text("You signed off the Project Learning Report")).to_be_visible()
    sign_out(page)

    # The public still reads the first edition: signed, but not yet published.
    public.reload()
    expect(public.get_by_text(PUBLISHED_TEXT)).to_be_visible()

    # The TCE lead countersigns and publishes it with a note of what changed.
    sign_in_from_home(page, live, cast.tce_lead.email)
    page.get_by_role("link", name="Countersign").click()
    page.get_by_label("Your full name").fill("Tess Lead")
    page.get_by_label("Your role").fill("TCE project lead")
    page.get_by_role("button", name="Countersign the report").click()
    page.get_by_role("link", name="Publish on the microsite").first.click()
    expect(page.get_by_text("This publishes a new edition")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Publish on the microsite").click()
    expect(page.get_by_text("Say what changed since the last edition").first).to_be_visible()
    page.get_by_label("What changed since the last edition").fill(
        "Corrected a quotation in the significant learning."
    )
    page.get_by_role("button", name="Publish on the microsite").click()
    expect(page.get_by_text("published on the microsite as edition 2")).to_be_visible()

    # The public now reads edition 2, with its change note, and finds edition 1 at its own page.
    read_from_home(public, live, "Harbour Bay")
    expect(public.get_by_text(CORRECTED_TEXT)).to_be_visible()
    expect(public.get_by_text(PUBLISHED_TEXT)).to_have_count(0)
    expect(public.locator(".change-note")).to_contain_text(
        "Corrected a quotation in the significant learning."
    )
    axe_check(public)
    public.get_by_role("link", name=re.compile(r"^Edition 1, published")).click()
    expect(public.get_by_role("heading", name="This is an earlier edition")).to_be_visible()
    expect(public.get_by_text(PUBLISHED_TEXT)).to_be_visible()
    expect(public.get_by_text(CORRECTED_TEXT)).to_have_count(0)
    assert public.url.endswith(f"/reports/{cast.report.slug}/editions/1/")
    axe_check(public)
    public.get_by_role("link", name=re.compile("Read the current edition")).click()
    expect(public.get_by_text(CORRECTED_TEXT)).to_be_visible()

    transitions = list(cast.report.events.values_list("transition", flat=True))
    assert transitions[-5:] == [
        Transition.REVISE,
        Transition.SUBMIT,
        Transition.SIGN_OFF,
        Transition.COUNTERSIGN,
        Transition.PUBLISH,
    ]


def test_a_consent_no_becomes_yes_and_the_report_is_then_published(live, page, browser, axe_check):
    cast = make_cast("Quiet Harbour", status=Status.NOT_FOR_PUBLICATION, consent=False)

    # Not on the microsite.
    public = browser.new_page()
    public.goto(live.url + "/")
    expect(public.get_by_role("link", name="Quiet Harbour", exact=True)).to_have_count(0)

    # The local lead agrees, from "My reports".
    sign_in_from_home(page, live, cast.local_lead.email)
    page.get_by_role("link", name="Agree to publication").click()
    axe_check(page)
    page.get_by_role("button", name="Agree to publication and sign").click()
    expect(page.get_by_text("Tick the box to agree to publication").first).to_be_visible()
    page.get_by_label(re.compile("The local area agrees to share")).check()
    page.get_by_label("Your full name").fill("Lou Local")
    page.get_by_label("Your role").fill("Partnership manager")
    page.get_by_role("button", name="Agree to publication and sign").click()
    expect(page.get_by_text("You agreed to publication.")).to_be_visible()
    sign_out(page)

    # The TCE lead publishes it, from "My reports".
    sign_in_from_home(page, live, cast.tce_lead.email)
    page.get_by_role("link", name="Publish on the microsite").click()
    page.get_by_role("button", name="Publish on the microsite").click()
    expect(page.get_by_text("The report is published on the microsite.")).to_be_visible()

    read_from_home(public, live, "Quiet Harbour")
    expect(public.locator(".signoff-consent")).to_contain_text("Yes, agreed by the local area")
    cast.report.refresh_from_db()
    assert cast.report.status == Status.PUBLISHED
    assert list(cast.report.events.values_list("transition", flat=True))[-2:] == [
        Transition.GIVE_CONSENT,
        Transition.PUBLISH,
    ]


def test_an_addendum_is_written_by_the_local_area_and_published_when_the_tce_lead_signs(
    live, page, browser, axe_check
):
    cast = make_cast("Bright Harbour", status=Status.PUBLISHED)
    news = "Six months on, the panel meets every fortnight and young people sit on it."

    # The local lead writes and signs it, from "My reports".
    sign_in_from_home(page, live, cast.local_lead.email)
    page.get_by_role("link", name="Add an addendum").click()
    axe_check(page)
    page.get_by_label("Title of the addendum").fill("Six months on")
    editor = page.locator("[data-rich-text-editor]")
    editor.click()
    page.keyboard.type(news)
    page.get_by_label("Your full name").fill("Lou Local")
    page.get_by_label("Your role").fill("Partnership manager")
    page.get_by_role("button", name="Sign and send the addendum").click()
    expect(page.get_by_text("You signed the addendum “Six months on”")).to_be_visible()
    sign_out(page)

    # Not public until the TCE project lead signs it too, from "My reports".
    public = browser.new_page()
    read_from_home(public, live, "Bright Harbour")
    expect(public.get_by_text(news)).to_have_count(0)
    sign_in_from_home(page, live, cast.tce_lead.email)
    page.get_by_role("link", name="Sign the addendum “Six months on”").click()
    expect(page.get_by_text(news)).to_be_visible()
    axe_check(page)
    page.get_by_label("Your full name").fill("Tess Lead")
    page.get_by_label("Your role").fill("TCE project lead")
    page.get_by_role("button", name="Sign and publish the addendum").click()
    expect(page.get_by_text("is published under the report")).to_be_visible()

    read_from_home(public, live, "Bright Harbour")
    addenda = public.get_by_role("region", name="Addenda: since the report was published")
    expect(addenda.get_by_role("heading", name="Six months on")).to_be_visible()
    expect(addenda.get_by_text(news)).to_be_visible()
    axe_check(public)
    cast.report.refresh_from_db()
    assert cast.report.published_edition.number == 1
    assert cast.report.status == Status.PUBLISHED
