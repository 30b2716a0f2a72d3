import pytest

from tests.factories import make_cast


@pytest.fixture
def cast(db):
    """Here the report is written: the BSP's details and every required section are filled in,
    ready to send for the local area's sign-off (tests/factories.make_cast)."""
    return make_cast()


@pytest.fixture
def report(cast):
    return cast.report
