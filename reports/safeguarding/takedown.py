"""Take-down: a published report that contains sensitive personal data leaves every public surface
at once, and the files made of it are deleted.

A programme admin gives a private reason (kept in the audit log with who and when). The report is
withdrawn (``Transition.TAKE_DOWN``), so ``LearningReport.objects.published()`` no longer has it:
the listings, search, learning by section, the feed, the sitemap and open data drop it. Its
address, each edition's address and each PDF's address then answer 410 Gone with a notice that
says only that it was removed because it contained sensitive personal data. The stored PDFs of
every edition, its draft PDF and every compendium that holds it are deleted (their files go once
the deletion has committed: ``reports.pdfs.receivers``), and the public pages' cache is emptied
(``reports.microsite.receivers``, after every transition). The notice is ``reports.removed``.
Re-opening it for revision (``Transition.REOPEN``) works as after any withdrawal.
"""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.keeping_text import login_required

from .. import access, workflow
from ..form_layout import submit_helper
from ..models import Compendium, DraftPdf, LearningReport, ReportEvent, ReportPdf, Transition

# -- The service ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TakenDown:
    event: ReportEvent
    pdfs: int  # stored PDFs deleted: the editions' and the draft's
    compendiums: int


@transaction.atomic
def take_down(*, report, actor, reason: str) -> TakenDown:
    """Take ``report`` off every public surface now and delete the files made of it. Only a
    programme admin, while the report is public; ``reason`` (private) goes in the audit log.
    Raises ``workflow.TransitionNotAllowed`` (``AlreadyDone`` for a second press)."""
    event = workflow.apply(report=report, name=Transition.TAKE_DOWN, actor=actor, comment=reason)
    pdfs = _delete(ReportPdf.objects.filter(edition__report=report))
    pdfs += _delete(DraftPdf.objects.filter(report=report))
    compendiums = _delete(Compendium.objects.filter(pk__in=_compendiums_holding(report)))
    return TakenDown(event=event, pdfs=pdfs, compendiums=compendiums)


def _delete(queryset) -> int:
    """Delete the rows one by one, so that each one's file goes after the commit
    (``reports.pdfs.receivers.delete_stored_file``)."""
    deleted = 0
    for row in queryset:
        row.delete()
        deleted += 1
    return deleted


def _compendiums_holding(report) -> list:
    """Every compendium with any edition of ``report`` in it, or asked for with it (queued,
    being built, or stored before ``made_from`` was recorded). Read in Python: a JSON list's
    "contains" is not a lookup SQLite has, and compendiums are few (they are pruned)."""
    editions = set(report.editions.values_list("pk", flat=True))
    return [
        pk
        for pk, slugs, made_from in Compendium.objects.values_list(
            "pk", "report_slugs", "made_from"
        )
        if report.slug in (slugs or []) or editions & set((made_from or {}).get("editions") or [])
    ]


# -- The page -------------------------------------------------------------------------------------


class TakeDownForm(forms.Form):
    reason = forms.CharField(
        label="Why are you taking it down?",
        widget=forms.Textarea(attrs={"rows": 4, "data-keep-text": ""}),
        help_text=(
            "Private: kept in the report's audit log with your name and the time. Say what the "
            "sensitive data is and where, without copying it here."
        ),
        error_messages={"required": "Enter why you are taking the report down"},
    )
    confirm = forms.BooleanField(
        label=(
            "I understand that the report leaves the microsite at once and that its PDFs and the "
            "compendiums that hold it are deleted"
        ),
        error_messages={"required": "Tick the box to confirm that you want to take it down now"},
    )

    def __init__(self, *args, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper("Take down now", action=action, css_class="btn btn-danger")


def _review(report):
    return reverse("reports:report-review", kwargs={"slug": report.slug})


@login_required
def take_down_page(request, slug):
    """The programme admin's page: the warning, the private reason and the confirmation."""
    report = access.get_report_or_404(
        request.user, LearningReport.objects.select_related("bsp", "published_edition"), slug=slug
    )
    if request.method == "POST":
        done = workflow.already_done(report, Transition.TAKE_DOWN, request.user)
        if done is not None:  # a second press, the Back button, another tab
            messages.info(request, str(workflow.AlreadyDone(done)))
            return redirect(_review(report))
    if not workflow.can(request.user, report, Transition.TAKE_DOWN):
        messages.error(
            request,
            "Only a programme admin can take a report down."
            if report.is_public
            else "This report is not on the microsite: there is nothing to take down.",
        )
        return redirect(_review(report))
    action = reverse("reports:report-take-down", kwargs={"slug": report.slug})
    form = TakeDownForm(request.POST if request.method == "POST" else None, action=action)
    if request.method == "POST" and form.is_valid():
        try:
            result = take_down(
                report=report, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except workflow.AlreadyDone as error:
            messages.info(request, str(error))
        except workflow.TransitionNotAllowed as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                "The report is taken down: it is no longer on the microsite and its address says "
                f"it was removed. Deleted: {result.pdfs} stored PDF(s) and "
                f"{result.compendiums} compendium(s).",
            )
        return redirect(_review(report))
    return render(
        request,
        "reports/safeguarding/take_down.html",
        {"report": report, "form": form},
        status=400 if form.errors else 200,
    )
