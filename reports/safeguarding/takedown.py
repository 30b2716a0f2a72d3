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
Re-opening it for revision (``Transition.REOPEN``) works as after any withdrawal. Its page is
``signoff.views.take_down``, beside withdraw and re-open, through the same steps.
"""

from dataclasses import dataclass

from django.db import transaction

from .. import workflow
from ..models import Compendium, DraftPdf, ReportEvent, ReportPdf, Transition

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
