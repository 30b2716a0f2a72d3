"""Two-step sign-in in Chromium, from the home page: set up from "Your account", asked for at
the next sign-in."""

from base64 import b32decode

from django_otp.oath import totp
from playwright.sync_api import expect

from tests.browser.test_editions import sign_in_from_home, sign_out
from tests.factories import PASSWORD, make_cast


def test_two_step_sign_in_is_set_up_from_your_account_and_asked_for_next_time(
    live, page, axe_check, settings
):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    cast = make_cast("Two Step Bay")
    sign_in_from_home(page, live, cast.partner.email)
    page.get_by_role("link", name="Your account").click()
    page.get_by_role("link", name="Set up two-step sign-in").click()
    axe_check(page)
    key_text = "".join(page.locator(".two-step-key").inner_text().split())
    key = b32decode(key_text + "=" * (-len(key_text) % 8))
    page.get_by_label("The 6-digit code from your authenticator app").fill(
        f"{totp(key, digits=6):06d}"
    )
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_text("Two-step sign-in is on")).to_be_visible()
    sign_out(page)

    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("E-mail address").fill(cast.partner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Enter the code from your authenticator app"
    )
    axe_check(page)
    page.get_by_label("The 6-digit code from your authenticator app").fill(
        f"{totp(key, digits=6, drift=1):06d}"  # the next code: each is good once
    )
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My reports")
