"""Browser tests: pytest-django's live server driven by Debian's Chromium through Playwright."""

import faulthandler
import os
import re
import shutil
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from partnerships.reference_data import load_reference_data

# Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures and by
# the live server's request threads are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
# A browser test still running after this long writes every thread's stack to HANG_DUMPS, a
# minute before pytest-timeout ends it: under xdist its own dump is lost with the worker it
# kills. .ci/run prints these files when the tests fail.
STUCK_AFTER_SECONDS = 240
HANG_DUMPS = Path(__file__).resolve().parents[2] / "var" / "hang-dumps"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    # Browser tests (marked `browser` by tests/conftest.py, before `-m` selects) flush the
    # database (live server, transactional). pytest-django runs them after the other database
    # tests, but pytest's grouping of tests by Playwright's session-scoped parameters can move
    # them forward again: put them last (a stable sort), after everything.
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(autouse=True)
def stacks_if_stuck(request):
    HANG_DUMPS.mkdir(parents=True, exist_ok=True)
    path = HANG_DUMPS / (re.sub(r"[^\w.-]+", "_", request.node.nodeid) + ".txt")
    with path.open("w") as dump:
        dump.write(f"{request.node.nodeid}: still running after {STUCK_AFTER_SECONDS} s\n")
        dump.flush()
        faulthandler.dump_traceback_later(STUCK_AFTER_SECONDS, file=dump)
        try:
            yield
        finally:
            faulthandler.cancel_dump_traceback_later()
    path.unlink()  # it finished


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which(CHROMIUM):
        pytest.fail(f"Browser tests need Debian's Chromium at {CHROMIUM}: apt-get install chromium")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def live(live_server, django_db_serialized_rollback):
    """The live server with the reference data present (transactional tests flush tables)."""
    from django.apps import apps

    load_reference_data(apps)
    return live_server


@pytest.fixture
def live_demo(live):
    from reports.demo import seed_demo

    seed_demo()
    return live


def torbay_draft(title, *, programme_year, sections=None):
    """Another report of Torbay's partnership, a complete draft by the demo partner, around the
    demo's people (tests/factories.make_cast): with ``sections`` (key: HTML) or the factory's."""
    from reports.models import LearningReport
    from tests.factories import BespokeSupportProjectFactory, demo_people, make_cast

    torbay = LearningReport.objects.get(slug="torbay")
    return make_cast(
        title,
        bsp=BespokeSupportProjectFactory(
            partnership=torbay.bsp.partnership,
            region=torbay.bsp.region,
            local_area="Torbay",
            programme_year=programme_year,
            delivery_mode="digital",
            methodology_as_stated="Cultural Change Project",
        ),
        **({"sections": sections} if sections is not None else {}),
        **demo_people(),
    ).report


@pytest.fixture
def draft(live_demo):
    """A second Torbay report, a complete draft by the demo partner (a copy of Torbay's text)."""
    from reports.models import LearningReport

    torbay = LearningReport.objects.get(slug="torbay")
    sections = {s.key: s.body for s in torbay.sections.exclude(key="local_reflections")}
    return torbay_draft("Torbay (2021-22)", programme_year=2021, sections=sections)


_axe = Axe()


def assert_accessible(page, context=""):
    """Run axe-core in the page; fail with its report on any violation.

    Callers first wait for something on the page they expect (its heading): a click on a link
    only starts the navigation, and axe run mid-navigation finds no document.
    """
    page.wait_for_load_state("load")
    results = _axe.run(page)
    assert results.violations_count == 0, (
        f"axe-core found {results.violations_count} violation(s) on {context or page.url}:\n"
        f"{results.generate_report()}"
    )


@pytest.fixture
def axe_check():
    return assert_accessible


def open_menu(page):
    """On a narrow screen the main menu is behind its button: open it, as a person would."""
    toggle = page.get_by_role("navigation", name="Main").get_by_role(
        "button", name="Show or hide the menu"
    )
    page.wait_for_load_state()  # Bootstrap's (deferred) script is what opens the menu
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
        # Wait for the menu to have opened (Bootstrap's script may still be loading, and the
        # menu slides open): a click on a link that is still moving can miss it.
        expect(toggle).to_have_attribute("aria-expanded", "true")
        expect(page.locator("#main-nav.show")).to_be_visible()
        expect(page.locator("#main-nav.collapsing")).to_have_count(0)


def go_to_sign_in(page, base_url):
    """The sign-in page, from the home page through the "Sign in" link of the menu."""
    page.goto(base_url + "/")
    open_menu(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


def sign_in(page, base_url, email, password="demo"):
    """Signed out, from the home page: the sign-in page, its form filled in and sent."""
    go_to_sign_in(page, base_url)
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def go_to_my_reports(page):
    """Go to "My reports" through the main menu, from any page of a signed-in person."""
    open_menu(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My reports")


def open_my_report(page, title):
    """On "My reports", the report's title: it leads where its viewer acts (the review page for
    those who sign, countersign, publish or withdraw; the overview for those who write)."""
    page.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def go_to_admin_sign_in(page, base_url, email="admin@example.org"):
    """The admin's own sign-in page, as staff meet it: signed in on the site, "Admin" in the
    menu; their session ends; the next click in the admin leads to its sign-in page."""
    sign_in(page, base_url, email)
    open_menu(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()
    page.context.clear_cookies()  # the session ends (idle, or signed out in another tab)
    page.get_by_role("link", name="Learning reports").first.click()
    expect(page.get_by_label("E-mail address")).to_be_visible()


def caret_to_the_end(page, editor):
    """Control+End in the editor, then wait until ProseMirror itself has the caret there: it
    reads the browser's selection a moment later, and a key pressed before that acts where the
    caret was (Enter at the top, Backspace at the start doing nothing). A key pressed while the
    editor is still taking focus can go nowhere (seen once in CI), so, as a person would, press
    it again if the caret has not moved."""
    at_the_end = (
        "(el) => { const s = el.editor.state;"
        " return s.selection.empty && s.selection.to === s.doc.content.size - 1 }"
    )
    for _attempt in range(5):
        editor.focus()
        page.keyboard.press("Control+End")
        try:
            page.wait_for_function(at_the_end, arg=editor.element_handle(), timeout=3_000)
            return
        except PlaywrightTimeoutError:
            continue
    raise AssertionError("The caret never reached the end of the editor")
