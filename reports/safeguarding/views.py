"""Dismissing a finding of the safeguarding check: the author says why a passage does not
identify anyone. The reason is recorded, shown to the reviewer and in the audit log."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.keeping_text import login_required

from .. import access
from ..models import LearningReport
from ..template_sections import SECTIONS_BY_KEY
from ..workflow import TransitionNotAllowed
from . import findings
from .forms import DismissFindingForm


def _back_url(report, part: str, back: str, anchor: str = "findings") -> str:
    if (
        back == "section"
        and part in SECTIONS_BY_KEY
        and not SECTIONS_BY_KEY[part].written_by_local_area
    ):
        url = reverse("reports:section-edit", kwargs={"slug": report.slug, "key": part})
    else:
        url = reverse("reports:report-send", kwargs={"slug": report.slug})
    return f"{url}#{anchor}"


@require_POST
@login_required
def dismiss(request, slug):
    report = access.get_report_or_404(
        request.user, LearningReport.objects.select_related("bsp"), slug=slug
    )
    if not findings.can_dismiss(request.user, report):
        raise PermissionDenied(
            "Only the report's authors can dismiss a finding, while they can change the report."
        )
    form = DismissFindingForm(request.POST)
    if not form.is_valid():
        part = form.data.get("part", "")
        text = form.data.get("text", "")
        back = form.data.get("back", "section")
        if "reason" in form.errors and form.cleaned_data.get("part"):
            messages.error(
                request, f"Say why “{text}” does not identify anyone: nothing was dismissed."
            )
        else:
            messages.error(
                request, "The finding could not be dismissed: reload the page and try again."
            )
        return redirect(_back_url(report, part, back))
    data = form.cleaned_data
    back_url = _back_url(report, data["part"], data["back"])
    try:
        findings.dismiss(
            report=report,
            actor=request.user,
            part=data["part"],
            kind=data["kind"],
            text=data["text"],
            reason=data["reason"],
        )
    except findings.AlreadyDismissed as already:
        messages.info(request, str(already))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except TransitionNotAllowed as refused:
        raise PermissionDenied(str(refused)) from None
    else:
        messages.success(
            request,
            f"You dismissed “{data['text']}”. The local area's reviewer sees your reason.",
        )
    return redirect(back_url)
