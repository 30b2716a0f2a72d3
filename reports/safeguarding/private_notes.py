"""Notes for the programme team: a private note on any section of a report, for its programme
admins, TCE project lead and delivery partners (``access.can_see_private_notes``).

Notes are plain text, shown escaped. Nothing public reads ``PrivateNote``: not the microsite, a
PDF, search, a feed, the sitemap or open data; the local area never sees them either.
"""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.keeping_text import login_required

from .. import access
from ..form_layout import submit_helper
from ..models import LearningReport, PrivateNote
from ..template_sections import SECTION_CHOICES, SECTIONS

NOTE_MAX_CHARS = 5000


@transaction.atomic
def add_private_note(*, report, author, section_key: str, body: str) -> PrivateNote:
    """A note on one section of ``report`` by one of the programme's people on it."""
    if not access.can_see_private_notes(author, report):
        raise PermissionDenied("Only the programme team of this report can write its notes.")
    note = PrivateNote(report=report, section_key=section_key, author=author, body=body.strip())
    note.full_clean()
    note.save()
    return note


class PrivateNoteForm(forms.Form):
    section_key = forms.ChoiceField(
        label="Section",
        choices=[("", "Choose a section"), *SECTION_CHOICES],
        error_messages={
            "required": "Choose the section the note is about",
            "invalid_choice": "Choose a section of the report",
        },
    )
    body = forms.CharField(
        label="Note",
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4, "data-keep-text": ""}),
        help_text=(
            "Plain text. Seen only by the programme admins, the report's TCE project lead and its "
            "delivery partners: never by the local area or the public."
        ),
        error_messages={
            "required": "Enter your note",
            "max_length": f"Keep the note to {NOTE_MAX_CHARS:,} characters or fewer",
        },
    )

    def __init__(self, *args, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper("Add note", action=action)


@dataclass
class SectionNotes:
    heading: str
    notes: list


def notes_by_section(report) -> list[SectionNotes]:
    """The report's notes in the order of the template's sections, oldest first in each."""
    by_key: dict[str, list] = {}
    for note in report.private_notes.select_related("author").order_by("created_at", "pk"):
        by_key.setdefault(note.section_key, []).append(note)
    return [SectionNotes(spec.heading, by_key[spec.key]) for spec in SECTIONS if spec.key in by_key]


@login_required
def notes_page(request, slug):
    report = access.get_report_or_404(
        request.user, LearningReport.objects.select_related("bsp"), slug=slug
    )
    if not access.can_see_private_notes(request.user, report):
        raise Http404("No such page.")  # the local area is not told the notes exist
    action = reverse("reports:report-private-notes", kwargs={"slug": report.slug})
    form = PrivateNoteForm(request.POST if request.method == "POST" else None, action=action)
    if request.method == "POST" and form.is_valid():
        add_private_note(
            report=report,
            author=request.user,
            section_key=form.cleaned_data["section_key"],
            body=form.cleaned_data["body"],
        )
        messages.success(request, "Your note is added. Only the programme team can see it.")
        return redirect(action)
    return render(
        request,
        "reports/safeguarding/private_notes.html",
        {"report": report, "form": form, "sections": notes_by_section(report)},
        status=400 if form.errors else 200,
    )
