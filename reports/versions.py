"""Optimistic locking: a save goes through only over the version it was based on.

The authoring pages (sections, the details), and the admin's forms for sections, reports and BSPs
all ask the same question: is the stored version still the one the person started from? When it
is not, nothing is saved and the person is told, never silently overwritten.
"""

from django import forms


def refuse_stale_version(obj, version_field: str, submitted, message: str) -> None:
    """Lock ``obj``'s row and raise a form error unless its stored ``version_field`` is still
    ``submitted``. The admin's view runs in one transaction: the lock holds until it has saved."""
    stored = (
        type(obj)
        ._default_manager.select_for_update()
        .values_list(version_field, flat=True)
        .get(pk=obj.pk)
    )
    if submitted != stored:
        raise forms.ValidationError(message, code="stale")
