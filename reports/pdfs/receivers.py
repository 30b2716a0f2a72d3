"""Keep published editions' PDFs in step: render in the background when a report is published or
anything its PDF shows changes; drop the stored PDFs when the report stops being public.

An edition's text, details table and signatures never change, so the working copy's sections,
signatures and title do not concern its PDF. What can change is what the PDF's cover takes from
the register (the BSP's type, region and year) and the layout (``document.RENDER_VERSION``, the
stylesheet, which the fingerprint covers).

On ``editions.edition_published`` and on the domain event (``workflow.report_transitioned``): the
report's PDF is refreshed (queued when it is public, dropped when it is not).

On model signals, because changes made in the admin or the shell must be caught too:
- ``BespokeSupportProject`` saved or its methodologies changed: that report's PDF is refreshed;
- ``Partnership``, ``Region``, ``Agency``, ``Methodology`` renamed, or a partnership's list of
  agencies changed (``PartnershipAgency``): every published PDF that names them is refreshed;
- ``ReportPdf``, ``DraftPdf`` or ``Compendium`` deleted: its stored file is deleted.

Receivers only queue, once the transaction has committed (``transaction.on_commit``): a rolled
back change queues nothing, and the render sees the committed data. The download view checks the
stored file's fingerprint as well, so a change these receivers do not see (a raw SQL update,
say) still never serves a stale file.
"""

from functools import partial

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from partnerships.models import (
    Agency,
    BespokeSupportProject,
    Methodology,
    Partnership,
    PartnershipAgency,
    Region,
)

from .. import editions, workflow
from ..models import Compendium, DraftPdf, LearningReport, ReportPdf
from .tasks import queue_refresh_of, refresh_report_pdf


def _refresh_after_commit(report_id):
    transaction.on_commit(partial(refresh_report_pdf, report_id))


@receiver(editions.edition_published, dispatch_uid="pdf_of_new_edition")
def edition_published(sender, edition, **kwargs):
    """A new edition (published, or recorded by the demo data): its PDF, once committed."""
    _refresh_after_commit(edition.report_id)


@receiver(workflow.report_transitioned, dispatch_uid="pdf_after_transition")
def transitioned(sender, event, **kwargs):
    """Published, withdrawn, sign-off voided...: already after the commit."""
    refresh_report_pdf(event.report_id)


@receiver(post_save, sender=BespokeSupportProject, dispatch_uid="pdf_bsp_saved")
def bsp_saved(sender, instance, raw=False, **kwargs):
    """The details table shows the BSP's fields."""
    if raw:
        return
    report_id = LearningReport.objects.filter(bsp=instance).values_list("pk", flat=True).first()
    if report_id is not None:
        _refresh_after_commit(report_id)


@receiver(
    m2m_changed, sender=BespokeSupportProject.methodologies.through, dispatch_uid="pdf_bsp_methods"
)
def bsp_methodologies_changed(sender, instance, action, reverse=False, pk_set=None, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse:  # methodology.bsps.add(...): the BSPs are in pk_set (None after a clear)
        reports = LearningReport.objects.filter(bsp__methodologies=instance)
        if pk_set:
            reports = LearningReport.objects.filter(bsp__in=pk_set)
    else:
        reports = LearningReport.objects.filter(bsp=instance)
    _refresh_all_after_commit(reports)


# What the details table shows of the BSP's partnership, region, agencies and methodologies.
_SHOWN_THROUGH = {
    Partnership: "bsp__partnership",
    Region: "bsp__region",
    Agency: "bsp__partnership__core_partner_agencies",
    Methodology: "bsp__methodologies",
}


def _refresh_all_after_commit(reports):
    """Only published reports have a stored PDF to keep in step (see ``refresh_report_pdf``).
    They may be many (every report of a renamed region): checked in the background, in
    batches, once the change is committed."""
    report_ids = list(reports.published().values_list("pk", flat=True).distinct())
    if report_ids:
        transaction.on_commit(partial(queue_refresh_of, report_ids))


@receiver(post_save, sender=Partnership, dispatch_uid="pdf_partnership_saved")
@receiver(post_save, sender=Region, dispatch_uid="pdf_region_saved")
@receiver(post_save, sender=Agency, dispatch_uid="pdf_agency_saved")
@receiver(post_save, sender=Methodology, dispatch_uid="pdf_methodology_saved")
def shown_name_changed(sender, instance, raw=False, **kwargs):
    """A renamed partnership, region, agency or methodology: every PDF that names it."""
    if not raw:
        lookup = _SHOWN_THROUGH[sender]
        _refresh_all_after_commit(LearningReport.objects.filter(**{lookup: instance}))


@receiver(post_save, sender=PartnershipAgency, dispatch_uid="pdf_agency_listed")
@receiver(post_delete, sender=PartnershipAgency, dispatch_uid="pdf_agency_unlisted")
def partnership_agencies_changed(sender, instance, raw=False, **kwargs):
    """An agency added to, removed from or moved in a partnership's list of core partners."""
    if not raw:
        reports = LearningReport.objects.filter(bsp__partnership_id=instance.partnership_id)
        _refresh_all_after_commit(reports)


@receiver(post_delete, sender=ReportPdf, dispatch_uid="pdf_file_deleted")
@receiver(post_delete, sender=DraftPdf, dispatch_uid="draft_pdf_file_deleted")
@receiver(post_delete, sender=Compendium, dispatch_uid="compendium_file_deleted")
def delete_stored_file(sender, instance, **kwargs):
    """A stored PDF goes with its record (once the deletion has committed)."""
    if instance.file:
        storage, name = instance.file.storage, instance.file.name
        transaction.on_commit(partial(storage.delete, name))
