from pathlib import Path

import pytest
from django.core.cache import caches
from django.db import connection

from partnerships.models import Region
from reports.demo import seed_demo
from tests.factories import make_cast

BROWSER_TESTS = Path(__file__).parent / "browser"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Mark the tests under tests/browser/ before `-m` selects, so that `-m browser` and
    `-m "not browser"` choose by it (tests/browser/conftest.py then puts them last)."""
    for item in items:
        if BROWSER_TESTS in item.path.parents:
            item.add_marker(pytest.mark.browser)


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://…")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with empty caches: cached pages never leak from one test to another
    (nor this process's own copies of them, ``microsite-local``)."""
    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()


@pytest.fixture
def regions(db):
    """The reference data of the data migrations (present in every test database)."""
    return {region.name: region for region in Region.objects.all()}


@pytest.fixture
def demo(db):
    """The demo data of `manage.py seed_demo`: register, two reports, a user per role."""
    seed_demo()


@pytest.fixture
def cast(db):
    """A report just started by a programme admin (every section empty and not started) and one
    person in each relation to it (tests/factories.make_cast)."""
    return make_cast(complete=False)
