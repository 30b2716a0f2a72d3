"""A forgotten password in Chromium: from the sign-in page to the e-mailed link, a new password,
and signing in with it; every page of the journey passes axe-core."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts import services
from tests.browser.conftest import go_to_admin_sign_in, go_to_sign_in, sign_in
from tests.factories import UserFactory

NEW_PASSWORD = "a long enough passphrase 42"


@pytest.fixture
def robin(live, settings):
    # The e-mail's links are built on SITE_URL: here, the live server.
    settings.SITE_URL = live.url
    return UserFactory(email="robin@example.org", full_name="Robin Reset")


def emailed_link(live):
    (message,) = mail.outbox
    return re.search(re.escape(live.url) + r"/\S+", message.body).group(0)


def test_a_forgotten_password_is_reset_by_email(live, robin, page, axe_check):
    go_to_sign_in(page, live.url)
    page.get_by_role("link", name="Forgotten your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")
    axe_check(page, "reset: ask for a link")

    page.get_by_role("button", name="Send me a link").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Enter your e-mail address.")
    expect(summary).to_be_focused()
    axe_check(page, "reset: ask for a link, with a problem")

    page.get_by_label("E-mail address").fill("robin@example.org")
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    axe_check(page, "reset: check your e-mail")

    link = emailed_link(live)
    page.goto(link)  # the link from the e-mail
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    assert page.url.endswith("/set-password/")  # the token is out of the address bar
    axe_check(page, "reset: choose a new password")

    page.get_by_label(re.compile(r"^\s*New password")).fill("short")
    page.get_by_label("Confirm the new password").fill("short")
    page.get_by_role("button", name="Change my password").click()
    expect(page.get_by_role("alert")).to_contain_text("This password is too short")
    axe_check(page, "reset: choose a new password, with a problem")

    page.get_by_label(re.compile(r"^\s*New password")).fill(NEW_PASSWORD)
    page.get_by_label("Confirm the new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change my password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password has been changed")
    axe_check(page, "reset: complete")

    page.get_by_role("main").get_by_role("link", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.get_by_label("E-mail address").fill("robin@example.org")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My reports")
    page.get_by_role("button", name=re.compile("Sign out")).click()
    sign_in(page, live.url, "robin@example.org", "correct horse battery staple")
    expect(page.get_by_role("alert")).to_contain_text("Enter a correct e-mail address")

    # The link was spent by the new password.
    page.goto(link)  # the link from the e-mail, once more
    expect(page.get_by_role("heading", level=1)).to_have_text("This link does not work")
    axe_check(page, "reset: the link does not work")
    page.get_by_role("link", name="Ask for a new link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")


def test_the_admin_sign_in_offers_the_reset_page(live_demo, page, axe_check):
    go_to_admin_sign_in(page, live_demo.url)
    axe_check(page, "admin sign-in with its reset link")
    page.get_by_role("link", name="Forgotten your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")


def test_wrong_passwords_pause_signing_in_and_point_to_a_reset(live, robin, page, axe_check):
    go_to_sign_in(page, live.url)
    for attempt in range(1, 6):
        page.get_by_label("E-mail address").fill("robin@example.org")
        page.get_by_label("Password").fill(f"wrong guess {attempt}")
        page.get_by_role("button", name="Sign in").click()
        if attempt < 5:
            expect(page.get_by_role("alert")).to_contain_text(
                "Enter a correct e-mail address and password."
            )
    expect(page.get_by_role("heading", level=1)).to_have_text("Too many attempts to sign in")
    expect(page).to_have_title(re.compile("Too many attempts to sign in"))
    axe_check(page, "the sign-in pause page")
    page.get_by_role("link", name="choose a new one").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")


def test_too_many_requests_from_one_client_get_a_clear_page(live, robin, page, axe_check):
    # The live server runs in this process: its cache holds this client's count.
    for _ in range(services.PASSWORD_RESET_REQUESTS_PER_CLIENT_PER_HOUR):
        assert services.allow_password_reset_request("127.0.0.1")
    go_to_sign_in(page, live.url)
    page.get_by_role("link", name="Forgotten your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")
    page.get_by_label("E-mail address").fill("robin@example.org")
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Too many requests for a new password"
    )
    axe_check(page, "reset: too many requests")
    assert mail.outbox == []
