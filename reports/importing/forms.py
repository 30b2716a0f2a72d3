"""The forms of an import in the authoring screens: the upload, then the check of what the
document holds (which text goes to which section, the details table's fields)."""

from django import forms
from django.conf import settings
from django.db.models import Q

from accounts.models import Role
from partnerships.models import BespokeSupportProject

from ..form_layout import submit_helper
from ..template_sections import SECTIONS

SECTION_CHOICES = [(spec.key, spec.heading) for spec in SECTIONS]


def bsps_to_import_for(user):
    """BSPs without a learning report that ``user`` may start one for by importing: any, for a
    programme admin; those they lead, for a TCE project lead."""
    bsps = BespokeSupportProject.objects.filter(learning_report__isnull=True)
    if user.role != Role.PROGRAMME_ADMIN:
        bsps = bsps.filter(Q(tce_lead=user))
    return bsps.select_related("region").order_by("-programme_year", "local_area")


class UploadForm(forms.Form):
    file = forms.FileField(
        label="The report's file",
        help_text="A Word file (.docx), a PDF, or plain text. At most 20 MB.",
        error_messages={"required": "Choose the file to import."},
    )
    bsp = forms.ModelChoiceField(
        label="BSP",
        queryset=BespokeSupportProject.objects.none(),
        empty_label="Select a BSP",
        error_messages={"required": "Select the BSP the report is about."},
        help_text="Only BSPs that have no learning report yet are listed.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bsp"].queryset = bsps_to_import_for(user)
        self.fields["file"].help_text = (
            "A Word file (.docx), a PDF, or plain text. At most "
            f"{getattr(settings, 'IMPORT_MAX_BYTES', 20 * 1024 * 1024) // (1024 * 1024)} MB."
        )
        self.helper = submit_helper("Read the file")


class ReviewForm(forms.Form):
    """One choice per piece of text the document holds (which section it goes to) and one value
    per field of the details table, with a tick for those the import could not match."""

    def __init__(self, *args, proposal, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposal = proposal
        self.pieces = list(proposal.sections)  # the keys the import proposed, in its order
        for index, key in enumerate(self.pieces):
            self.fields[f"piece_{index}"] = forms.ChoiceField(
                label="Goes to", choices=SECTION_CHOICES, initial=key
            )
        for index, field in enumerate(proposal.details):
            self.fields[f"detail_{index}"] = forms.CharField(
                label=field.label, initial=field.value, required=False, max_length=1000
            )
            if field.needs_confirming:
                self.fields[f"confirm_{index}"] = forms.BooleanField(
                    label="I have checked this value",
                    required=True,
                    error_messages={
                        "required": f"Check “{field.label}”: the import could not match it to "
                        "the register. Correct it if needed, then tick the box."
                    },
                )

    def pieces_and_fields(self):
        """(key proposed, its heading in the document, its HTML, its bound choice) per piece."""
        return [
            (
                key,
                self.proposal.headings.get(key, ""),
                self.proposal.sections[key],
                self[f"piece_{i}"],
            )
            for i, key in enumerate(self.pieces)
        ]

    def details_and_fields(self):
        return [
            (
                field,
                self[f"detail_{i}"],
                self[f"confirm_{i}"] if field.needs_confirming else None,
            )
            for i, field in enumerate(self.proposal.details)
        ]

    def corrected(self):
        """The proposal as the person corrected it: each piece in the section chosen (pieces
        sent to one section are joined, in the document's order), each detail as typed."""
        proposal = self.proposal
        sections: dict[str, list[str]] = {}
        headings: dict[str, str] = {}
        for index, key in enumerate(self.pieces):
            chosen = self.cleaned_data[f"piece_{index}"]
            sections.setdefault(chosen, []).append(proposal.sections[key])
            headings.setdefault(chosen, proposal.headings.get(key, ""))
        for index, field in enumerate(proposal.details):
            typed = self.cleaned_data[f"detail_{index}"].strip()
            if typed != field.value:
                field.value, field.matched = typed, None
            field.needs_confirming = False
        proposal.sections = {key: "\n".join(parts) for key, parts in sections.items()}
        proposal.headings = headings
        return proposal
