"""Take-down, in Chromium: from the home page a programme admin signs in, opens the published
report from "My reports" and takes it down because it contains sensitive personal data; the
report's address then says only that it was removed."""

import re

from playwright.sync_api import expect

from reports.models import Status, Transition
from tests.factories import PASSWORD, make_cast

PRIVATE = "The second case study names a pupil and her school."
TEXT = "Estuary Vale learned that the panel must meet weekly."


def test_a_programme_admin_takes_down_a_report_and_its_address_says_it_was_removed(
    live, page, browser, axe_check
):
    cast = make_cast(
        "Estuary Vale", sections={"significant_learning": f"<p>{TEXT}</p>"}, status=Status.PUBLISHED
    )

    # A member of the public reads it from the home page and keeps it open.
    public = browser.new_page()
    public.goto(live.url + "/")
    public.get_by_role("link", name="Estuary Vale", exact=True).first.click()
    expect(public.get_by_role("heading", level=1)).to_have_text(
        "Project Learning Report: Estuary Vale"
    )
    expect(public.get_by_text(TEXT)).to_be_visible()
    address = public.url

    # The programme admin signs in from the home page and opens it from "My reports".
    page.goto(live.url + "/")
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("E-mail address").fill(cast.admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My reports")
    page.get_by_role("link", name="Estuary Vale", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Estuary Vale")

    page.get_by_role("link", name="Take down now: contains sensitive personal data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Take down now: contains sensitive personal data"
    )
    expect(page.get_by_text("What happens when you take it down")).to_be_visible()
    axe_check(page, "the take-down page")
    # Without a confirmation, nothing happens: the page says what is missing.
    page.get_by_label("Why are you taking it down?").fill(PRIVATE)
    page.get_by_role("button", name="Take down now").click()
    expect(
        page.get_by_role("link", name="Tick the box to confirm that you want to take it down now")
    ).to_be_visible()
    axe_check(page, "the take-down page with its errors")
    page.get_by_label(re.compile("I understand that the report leaves the microsite")).check()
    page.get_by_role("button", name="Take down now").click()
    expect(page.get_by_text("The report is taken down")).to_be_visible()

    # The reader who had it open reloads the page: its address now says it was removed.
    visitor = public
    response = visitor.reload()
    assert response.status == 410 and visitor.url == address
    expect(
        visitor.get_by_role("heading", name=re.compile("This report was removed"))
    ).to_be_visible()
    expect(
        visitor.get_by_text("It was removed because it contained sensitive personal data.")
    ).to_be_visible()
    expect(visitor.get_by_text(TEXT)).to_have_count(0)
    expect(visitor.get_by_text(PRIVATE)).to_have_count(0)
    axe_check(visitor, "the removal notice")
    # And it is no longer on the home page.
    visitor.get_by_role("link", name="Home").first.click()
    expect(visitor.get_by_role("link", name="Estuary Vale", exact=True)).to_have_count(0)

    event = cast.report.events.latest_of(Transition.TAKE_DOWN)
    assert (event.actor, event.comment) == (cast.admin, PRIVATE)
