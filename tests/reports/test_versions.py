"""The one optimistic-lock check every save uses (reports/versions.py)."""

import pytest

from reports.versions import VersionMoved, check_based_on


def test_a_save_based_on_the_stored_version_goes_on():
    assert check_based_on(stored=3, based_on=3) is True
    assert check_based_on(stored=3, based_on=3, nothing_to_save=True) is True


def test_a_save_based_on_another_version_that_changes_nothing_has_nothing_to_do():
    assert check_based_on(stored=4, based_on=3, nothing_to_save=True) is False


def test_a_save_based_on_another_version_is_refused():
    with pytest.raises(VersionMoved) as refused:
        check_based_on(stored=4, based_on=3)
    assert refused.value.stored == 4
    with pytest.raises(VersionMoved):
        check_based_on(stored=1, based_on=None)
