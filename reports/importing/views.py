"""Import in the authoring screens (programme admins and TCE project leads): upload a file, check
what the portal found in it (which text goes to which section, the details table), then create
the draft.

The uploaded file waits in the private storage (``PendingImport``) between the two steps, and is
read again for the check: nothing of it is written to a report until the person accepts.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render

from .. import access
from ..models import PendingImport
from . import mapping, readers, services
from .document import ImportRefused
from .forms import ReviewForm, UploadForm


def _importer(request):
    if not access.can_import(request.user):
        raise PermissionDenied("Only programme admins and TCE project leads import reports.")


@login_required
def upload(request):
    _importer(request)
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            readers.read(data, upload.name)  # refused here, before anything is kept
        except ImportRefused as refused:
            form.add_error("file", str(refused))
        else:
            pending = PendingImport.keep(
                data, name=upload.name, bsp=form.cleaned_data["bsp"], user=request.user
            )
            return redirect("reports:import-review", pk=pending.pk)
    return render(request, "reports/importing/upload.html", {"form": form})


@login_required
def review(request, pk):
    _importer(request)
    pending = get_object_or_404(
        PendingImport.objects.select_related("bsp"), pk=pk, uploaded_by=request.user
    )
    data = pending.read()
    try:
        document = readers.read(data, pending.original_name)
    except ImportRefused as refused:  # the limits changed since the upload
        messages.error(request, str(refused))
        return redirect("reports:import")
    proposal = mapping.propose(document)
    form = ReviewForm(request.POST or None, proposal=proposal)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                report = services.import_draft(
                    form.corrected(),
                    actor=request.user,
                    bsp=pending.bsp,
                    original_name=pending.original_name,
                    original=data,
                )
                pending.discard()
        except ImportRefused as refused:  # e.g. the BSP got a report meanwhile
            form.add_error(None, str(refused))
            return render(
                request,
                "reports/importing/review.html",
                {"pending": pending, "proposal": proposal, "document": document, "form": form},
            )
        messages.success(
            request,
            f"The draft of {report.title} has been made from {pending.original_name}. "
            "Check each section, then send it for sign-off as usual.",
        )
        return redirect("reports:report-overview", slug=report.slug)
    return render(
        request,
        "reports/importing/review.html",
        {"pending": pending, "proposal": proposal, "document": document, "form": form},
    )
