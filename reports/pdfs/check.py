""" "Check a PDF": anyone may upload a PDF and learn whether it is a sealed edition of a published
report, and which (``seal.verify``, then the file's SHA-256 against the stored PDFs').

Nothing about the upload is stored: it is read, checked and forgotten. One client may check
``CHECKS_PER_CLIENT_PER_HOUR`` files an hour, since each check costs the server a validation.
"""

import hashlib
from dataclasses import dataclass

from axes.helpers import get_client_ip_address
from django import forms
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from accounts.services import within_hourly_allowance

from ..form_layout import submit_helper
from ..models import LearningReport, ReportPdf
from . import seal

MAX_BYTES = 20 * 1024 * 1024
CHECKS_PER_CLIENT_PER_HOUR = 30


class CheckForm(forms.Form):
    file = forms.FileField(
        label="The PDF to check",
        help_text="A PDF downloaded from this site, or sent to you as one. At most 20 MB.",
        error_messages={
            "required": "Choose the PDF to check.",
            "empty": "The file you chose is empty: choose a PDF.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper("Check the PDF")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError("The file is larger than 20 MB: no PDF of ours is.")
        content = upload.read()
        # A PDF's header is within its first kilobyte.
        if b"%PDF-" not in content[:1024]:
            raise forms.ValidationError("The file is not a PDF: choose a PDF file.")
        return content


@dataclass(frozen=True)
class Answer:
    """What the page says of an uploaded PDF. ``kind``: "edition" (sealed, unchanged, and one
    of the stored editions' files), "sealed" (sealed and unchanged, but not a file stored now),
    "changed" (sealed, but changed since) or "not-sealed"."""

    kind: str
    check: seal.SealCheck
    stored: ReportPdf | None = None


def check_pdf(content: bytes) -> Answer:
    check = seal.verify(content)
    if not check.sealed:
        return Answer("not-sealed", check)
    if not check.intact:
        return Answer("changed", check)
    stored = (
        ReportPdf.objects.filter(
            sha256=hashlib.sha256(content).hexdigest(),
            report__in=LearningReport.objects.published(),
        )
        .select_related("edition", "report")
        .first()
    )
    return Answer("edition" if stored else "sealed", check, stored)


@require_http_methods(["GET", "POST"])
def check(request):
    """The form; posted, the answer on the same page (nothing to redirect to: nothing is kept)."""
    form = CheckForm(request.POST, request.FILES) if request.method == "POST" else CheckForm()
    context = {"form": form, "configured": seal.is_configured(), "max_mb": MAX_BYTES // 2**20}
    if request.method == "POST" and form.is_valid():
        client = get_client_ip_address(request) or "unknown"
        if not within_hourly_allowance(f"pdf-checks:{client}", CHECKS_PER_CLIENT_PER_HOUR):
            context["too_many"] = CHECKS_PER_CLIENT_PER_HOUR
            response = render(request, "reports/pdf_check.html", context, status=429)
            response["Retry-After"] = "3600"
            return response
        context["answer"] = check_pdf(form.cleaned_data["file"])
        context["form"] = CheckForm()  # ready for the next file
    return render(request, "reports/pdf_check.html", context)
