"""Import in the authoring screens (programme admins and TCE project leads): upload a file, check
what the portal found in it (which text goes to which section, the details table), then create
the draft.

The upload is checked at once (type, size, archive): a refused file is never kept. Otherwise it
waits in the private storage (``PendingImport``) and is read in the background
(``tasks.read_pending_import``); the check page shows the reading's progress, polled with htmx,
then what was found. Nothing of it is written to a report until the person accepts.
"""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from tce_portal.after_response import TemplateResponseThen

from .. import access
from ..models import PendingImport
from . import mapping, safety, services, tasks
from .document import ImportedDocument, ImportRefused
from .forms import ReviewForm, UploadForm

POLL_SECONDS = 2


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
            safety.check(data)  # type, size, archive: refused here, before anything is kept
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
    if pending.state != PendingImport.State.READ or request.htmx:
        return _reading(request, pending)
    data = pending.read()
    document = ImportedDocument.from_dict(pending.reading)
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


def _reading(request, pending):
    """While the file is read: its progress (htmx asks again every ``POLL_SECONDS``; once it is
    read, the whole page is loaded again to show what was found); a refusal, with its reason."""
    if pending.state == PendingImport.State.REFUSED:
        refusal = pending.refusal
        pending.discard()
        return render(
            request,
            "reports/importing/refused.html",
            {"original_name": pending.original_name, "refusal": refusal},
            status=422,
        )
    if request.htmx and pending.state == PendingImport.State.READ:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    context = {"pending": pending, "poll_seconds": POLL_SECONDS}
    template = "reports/importing/reading.html"
    return TemplateResponseThen(
        request,
        f"{template}#progress" if request.htmx else template,
        context,
        status=202,
        then=partial(tasks.queue_reading, pending.pk),
    )
