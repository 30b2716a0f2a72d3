"""Browser tests: pytest-django's live server driven by Debian's Chromium through Playwright."""

import os
import shutil

import pytest
from axe_playwright_python.sync_playwright import Axe

from partnerships.reference_data import load_reference_data

# Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures and by
# the live server's request threads are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    # Browser tests (marked `browser` by tests/conftest.py, before `-m` selects) flush the
    # database (live server, transactional). pytest-django runs them after the other database
    # tests, but pytest's grouping of tests by Playwright's session-scoped parameters can move
    # them forward again: put them last (a stable sort), after everything.
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


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


@pytest.fixture
def draft(live_demo):
    """A second Torbay report, a complete draft by the demo partner (a copy of Torbay's text),
    around the demo's people (tests/factories.make_cast)."""
    from reports.models import LearningReport
    from tests.factories import BespokeSupportProjectFactory, demo_people, make_cast

    torbay = LearningReport.objects.get(slug="torbay")
    return make_cast(
        "Torbay (2021-22)",
        bsp=BespokeSupportProjectFactory(
            partnership=torbay.bsp.partnership,
            region=torbay.bsp.region,
            local_area="Torbay",
            programme_year=2021,
            delivery_mode="digital",
            methodology_as_stated="Cultural Change Project",
        ),
        sections={
            section.key: section.body
            for section in torbay.sections.exclude(key="local_reflections")
        },
        **demo_people(),
    ).report


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


def sign_in(page, base_url, email, password="demo"):
    from django.urls import reverse

    page.goto(base_url + reverse("accounts:login"))
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
