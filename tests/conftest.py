import pytest

from partnerships.models import Region
from reports.demo import seed_demo
from tests.factories import authoring_cast


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
    """A draft report and a user in every relation to it (tests/factories.authoring_cast)."""
    return authoring_cast()
