"""Optimistic locking: a save goes through only over the version it was based on.

The authoring pages (a section, the title and BSP details), the local area's reflections, and the
admin's forms for sections, reports and BSPs all ask the same question, here: is the stored
version still the one the person started from? When it is not, nothing is saved and the person
is told (a conflict page, a form error), never silently overwritten. Each caller has already
locked the row it checks (``SELECT ... FOR UPDATE``), so the answer holds until it has saved.
"""

from django import forms


class VersionMoved(Exception):
    """Someone saved since: the stored version is not the one the change was based on."""

    def __init__(self, stored: int):
        super().__init__(f"The stored version is {stored}.")
        self.stored = stored


def check_based_on(*, stored: int, based_on: int | None, nothing_to_save: bool = False) -> bool:
    """Whether to go on saving over version ``stored`` a change based on version ``based_on``.

    The same version: True. Another version, but what would be saved is what is stored already
    (the same words reached the same place): False, there is nothing to do. Another version and
    a different change: raises ``VersionMoved``.
    """
    if based_on == stored:
        return True
    if nothing_to_save:
        return False
    raise VersionMoved(stored)


def refuse_stale_version(obj, version_field: str, submitted, message: str) -> None:
    """For the admin's forms: lock ``obj``'s row and raise a form error unless its stored
    ``version_field`` is still ``submitted``. The admin's view runs in one transaction: the lock
    holds until it has saved."""
    stored = (
        type(obj)
        ._default_manager.select_for_update()
        .values_list(version_field, flat=True)
        .get(pk=obj.pk)
    )
    try:
        check_based_on(stored=stored, based_on=submitted)
    except VersionMoved:
        raise forms.ValidationError(message, code="stale") from None
