"""Every page behind the sign-in passes axe-core, at a desktop's width and at a phone's: the
pages of the journeys are checked there as they are used; here each is checked as it first
opens, for the people who use it."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.browser.test_microsite import DESKTOP, PHONE

DRAFT = "torbay-2021-22"  # the `draft` fixture: a complete draft by the demo partner

PAGES = {
    "admin@example.org": [
        ("My reports", "reports:dashboard", {}),
        ("start a report", "reports:report-create", {}),
        ("invite someone", "accounts:invite", {}),
        ("your account", "accounts:account", {}),
        ("change your password", "accounts:password-change", {}),
        ("report overview", "reports:report-overview", {"slug": DRAFT}),
        ("BSP details", "reports:details-edit", {"slug": DRAFT}),
        ("section editor", "reports:section-edit", {"slug": DRAFT, "key": "reasons"}),
        ("section history", "reports:section-history", {"slug": DRAFT, "key": "reasons"}),
        ("report history", "reports:report-history", {"slug": DRAFT}),
        ("preview", "reports:report-preview", {"slug": DRAFT}),
        ("check and send", "reports:report-send", {"slug": DRAFT}),
        ("review of a published report", "reports:report-review", {"slug": "east-sussex"}),
        ("audit log", "reports:report-audit", {"slug": "east-sussex"}),
        ("withdraw", "reports:report-withdraw", {"slug": "east-sussex"}),
    ],
    "lead@example.org": [
        ("send a sign-off link", "reports:report-send-signoff-link", {"slug": "torbay"}),
    ],
    "local@example.org": [
        ("review for sign-off", "reports:report-review", {"slug": "torbay"}),
        ("sign off", "reports:report-sign", {"slug": "torbay"}),
    ],
}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_signed_in_page_is_accessible(draft, live_demo, page, axe_check, viewport):
    page.set_viewport_size(viewport)
    for email, pages in PAGES.items():
        page.context.clear_cookies()
        sign_in(page, live_demo.url, email)
        expect(page.get_by_role("heading", level=1)).to_have_text("My reports")
        for name, url_name, kwargs in pages:
            url = live_demo.url + reverse(url_name, kwargs=kwargs)
            response = page.goto(url)
            assert response.status == 200, (name, response.status)
            assert page.url == url, f"{name} redirected to {page.url}"
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            axe_check(page, f"{name} ({email}) at {viewport['width']}px")
