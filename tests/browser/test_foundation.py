"""The browser harness on the first pages: the home page and the admin's sign-in."""

from playwright.sync_api import expect

from tests.browser.conftest import go_to_admin_sign_in, sign_in


def test_home_page_is_accessible(live_demo, page, axe_check):
    page.goto(live_demo.url + "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("What local partnerships learned")
    axe_check(page)


def test_published_report_is_accessible(live_demo, page, axe_check):
    page.goto(live_demo.url + "/")
    page.get_by_role("link", name="East Sussex", exact=True).click()  # among the latest reports
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Project Learning Report: East Sussex"
    )
    axe_check(page)


def test_admin_sign_in_is_accessible_and_works(live_demo, page, axe_check):
    go_to_admin_sign_in(page, live_demo.url)
    axe_check(page)
    page.get_by_label("E-mail address").fill("admin@example.org")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").click()
    # On to the page that was asked for when the session had ended.
    expect(page.get_by_role("heading", name="Learning reports administration")).to_be_visible()


def test_skip_link_is_the_first_thing_a_keyboard_reaches(live_demo, page):
    page.goto(live_demo.url + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()


def test_sign_in_with_email_and_wrong_password(live_demo, page, axe_check):
    sign_in(page, live_demo.url, "partner@example.org", password="wrong")
    expect(page.get_by_role("alert")).to_contain_text("Enter a correct e-mail address and password")
    axe_check(page)
    sign_in(page, live_demo.url, "partner@example.org")
    expect(page.get_by_role("heading", level=1)).to_have_text("My reports")
