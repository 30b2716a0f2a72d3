"""From any page's footer: the accessibility statement, and a request for a report in another
format, sent and confirmed, at desktop and phone widths, with axe-core on each page."""

import pytest
from django.core import mail
from playwright.sync_api import expect

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_visitor_asks_for_a_report_in_large_print_from_the_footer(
    live_demo, page, axe_check, viewport, settings
):
    settings.PROGRAMME_EMAIL = "inbox@example.org"
    page.set_viewport_size(viewport)
    page.goto(live_demo.url + "/")
    footer = page.get_by_role("contentinfo")
    footer.get_by_role("link", name="Accessibility statement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accessibility statement")
    axe_check(page, f"statement at {viewport['width']}px")

    page.get_by_role("link", name="request another format").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Request a report in another format")
    # Sent with a mistake first: the form says what to correct and keeps what was typed.
    page.get_by_label("Your name").fill("Sam Reader")
    page.get_by_label("Your e-mail address").fill("sam@")
    page.get_by_label("Which report or page do you need?").fill("East Sussex")
    page.get_by_label("Large print").check()
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_text("Enter a valid email address.")).to_be_visible()
    axe_check(page, f"form with an error at {viewport['width']}px")
    expect(page.get_by_label("Your name")).to_have_value("Sam Reader")
    assert mail.outbox == []

    page.get_by_label("Your e-mail address").fill("sam@example.org")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your request has been sent")
    expect(
        page.get_by_text("We will reply to sam@example.org within 10 working days.")
    ).to_be_visible()
    axe_check(page, f"confirmation at {viewport['width']}px")
    [message] = mail.outbox
    assert message.to == ["inbox@example.org"]
    assert "Format: Large print" in message.body
