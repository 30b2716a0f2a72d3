"""Form fields shared by the apps."""

from django import forms
from django.core.exceptions import ValidationError

# The largest id a database integer column holds (SQLite and PostgreSQL's bigint).
MAX_ID = 2**63 - 1


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, refusing ids the database cannot hold (SQLite raises OverflowError on
    ``pk__in`` with one, where a single lookup is guarded) with the field's own message."""

    def _check_values(self, value):
        for pk in value:
            text = str(pk).strip()
            if text.lstrip("-").isdigit() and not 0 < int(text) <= MAX_ID:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)
