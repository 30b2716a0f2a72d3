"""Background work on PDFs, through Django's tasks API (django-tasks): rendering a published
report's PDF, rendering a draft's PDF and building a compendium, and queueing them.

With the immediate back end (the default) a task runs as soon as it is queued, in the same
process; with ``TASKS_BACKEND=database`` it waits in the database for ``manage.py db_worker``.
"""

import logging
import time
from dataclasses import replace
from functools import partial

from django.core.files.base import ContentFile
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from ..models import Compendium, DraftPdf, Edition, LearningReport, ReportPdf
from . import document, seal, storage

logger = logging.getLogger(__name__)


# -- Report PDFs ----------------------------------------------------------------------------------


def queue_edition_pdf(edition_id: int, fingerprint: str = "") -> bool:
    """Queue a render of a published edition's PDF, unless one is already waiting, or rendering
    the source ``fingerprint`` has failed ``ReportPdf.MAX_RENDER_ATTEMPTS`` times.

    Returns whether a render was queued. Safe to call from many requests at once: one of them
    claims the queue slot (a conditional UPDATE), the others find it taken.
    """
    report_id = Edition.objects.filter(pk=edition_id).values_list("report_id", flat=True).first()
    if report_id is None:
        return False
    ReportPdf.objects.get_or_create(edition_id=edition_id, defaults={"report_id": report_id})
    row = ReportPdf.objects.filter(edition_id=edition_id)
    return _claim_and_queue(row, fingerprint, lambda: render_edition_pdf.enqueue(edition_id))


def _claim_and_queue(row, fingerprint: str, enqueue) -> bool:
    """Claim the queue slot of a stored PDF's ``row`` (a one-row queryset) with a conditional
    UPDATE, unless a render is waiting already or ``fingerprint`` has failed too often; if
    claimed, ``enqueue()`` the render (and free the slot again should that fail)."""
    now = timezone.now()
    slot = row.filter(Q(queued_at__isnull=True) | Q(queued_at__lt=now - storage.QUEUE_TIMEOUT))
    if fingerprint:
        slot = slot.exclude(
            failed_fingerprint=fingerprint, failures__gte=row.model.MAX_RENDER_ATTEMPTS
        )
    if not slot.update(queued_at=now):
        return False
    try:
        enqueue()
    except Exception:
        row.update(queued_at=None)
        raise
    return True


def refresh_report_pdf(report_id: int) -> None:
    """After a report was published, or something its PDF shows changed: queue its current
    edition's PDF if the report is public, drop its stored PDFs if it is not (withdrawn)."""
    report = LearningReport.objects.filter(pk=report_id).first()
    if report is None:
        return
    if report.is_public:
        edition = document.editions_for_pdf().get(pk=report.published_edition_id)
        source = document.edition_source(edition)
        if storage.stored_pdf_if_current(edition, source) is None:
            queue_edition_pdf(edition.pk, source.fingerprint)
    elif ReportPdf.objects.filter(report_id=report_id).exists():
        storage.discard_report_pdf(report_id)


REFRESH_BATCH = 100


@task()
def refresh_report_pdfs(report_ids: list[int]) -> int:
    """``refresh_report_pdf`` for many reports (a renamed region names hundreds): in the
    background, never in the request that renamed it. Returns how many were looked at."""
    for report_id in report_ids:
        refresh_report_pdf(report_id)
    return len(report_ids)


def queue_refresh_of(report_ids) -> None:
    """Queue ``refresh_report_pdfs`` in batches of ``REFRESH_BATCH`` reports."""
    report_ids = list(report_ids)
    for start in range(0, len(report_ids), REFRESH_BATCH):
        refresh_report_pdfs.enqueue(report_ids[start : start + REFRESH_BATCH])


@task()
def render_edition_pdf(edition_id: int) -> str:
    """Render a published edition's PDF and store it, unless the stored one is current."""
    # Changes made from now on queue another render.
    ReportPdf.objects.filter(edition_id=edition_id).update(queued_at=None)
    edition = (
        document.editions_for_pdf()
        .filter(pk=edition_id, report__in=LearningReport.objects.published())
        .first()
    )
    if edition is None:
        ReportPdf.objects.filter(edition_id=edition_id).delete()
        return "not public"
    source = document.edition_source(edition)
    return _render_unless_current(
        source,
        storage.stored_pdf_if_current(edition, source),
        store=partial(_seal_and_store, edition),
        count_failure=partial(storage.record_render_failure, edition),
        what=f"the PDF of {edition}",
    )


def _seal_and_store(edition, source, rendered, seconds):
    """Store a published edition's PDF, sealed when a key and certificate are configured (drafts
    and compendiums never are: they are not the programme's published record)."""
    if seal.is_configured():
        rendered = replace(rendered, content=seal.seal(rendered.content))
    return storage.store_report_pdf(edition, source, rendered, seconds)


def _render_unless_current(source, stored, *, store, count_failure, what: str) -> str:
    """Render ``source`` and ``store(source, rendered, seconds)`` it, unless ``stored`` (the
    stored PDF, if current) is there with its file. A failure is counted, with the queue slot
    held (``count_failure(source, error)``): requests retry it after QUEUE_TIMEOUT, a bounded
    number of times."""
    if stored is not None and stored.file.storage.exists(stored.file.name):
        return "current"
    started = time.perf_counter()
    try:
        rendered = document.render(source)
        seconds = time.perf_counter() - started
        store(source, rendered, seconds)
    except Exception as error:
        logger.exception("Could not render %s", what)
        count_failure(source, error)
        raise
    logger.info("Rendered %s: %d pages in %.2f s", what, rendered.pages, seconds)
    return "rendered"


# -- Draft PDFs -----------------------------------------------------------------------------------


def queue_draft_pdf(report_id: int, fingerprint: str = "") -> bool:
    """Queue a render of a report's working copy as a draft PDF, unless one is already waiting,
    or rendering the source ``fingerprint`` has failed ``DraftPdf.MAX_RENDER_ATTEMPTS`` times.

    Returns whether a render was queued. As ``queue_edition_pdf``: of many requests at once (a
    double click), the one whose conditional UPDATE claims the queue slot queues the render.
    """
    if not LearningReport.objects.filter(pk=report_id).exists():
        return False
    DraftPdf.objects.get_or_create(report_id=report_id)
    row = DraftPdf.objects.filter(report_id=report_id)
    return _claim_and_queue(row, fingerprint, lambda: render_draft_pdf.enqueue(report_id))


@task()
def render_draft_pdf(report_id: int) -> str:
    """Render a report's working copy as a draft PDF (marked on every page) and store it,
    replacing the PDF of an earlier working copy; unless the stored one is current."""
    # Changes made from now on queue another render.
    DraftPdf.objects.filter(report_id=report_id).update(queued_at=None)
    report = document.for_pdf(LearningReport.objects.filter(pk=report_id)).first()
    if report is None:
        return "gone"
    if storage.draft_words(report) > storage.DRAFT_PDF_MAX_WORDS:
        return "too long"  # grown since it was queued: the view says so, and queues nothing
    source = document.report_source(report)
    return _render_unless_current(
        source,
        storage.stored_draft_if_current(report, source),
        store=partial(storage.store_draft_pdf, report),
        count_failure=partial(storage.record_draft_failure, report),
        what=f"the draft PDF of {report.slug}",
    )


# -- Compendiums ----------------------------------------------------------------------------------


class _Progress:
    """Writes a compendium's progress as it is built: gathering the reports (to 10%), laying
    out the pages (to 90%, against the pages expected), writing the PDF."""

    def __init__(self, compendium_id, expected_pages):
        self.compendium_id = compendium_id
        self.expected_pages = max(expected_pages, 1)
        self.saved = (-1, "")

    def save(self, percent, stage):
        percent = max(0, min(int(percent), 99))
        if percent - self.saved[0] < 3 and stage == self.saved[1]:
            return
        if percent < self.saved[0]:
            percent = self.saved[0]
        self.saved = (percent, stage)
        Compendium.objects.filter(pk=self.compendium_id).update(progress=percent, stage=stage)

    def report(self, done, total):
        self.save(10 * done / total, f"Gathering the reports ({done} of {total})")

    def render(self, step, page):
        if step == "layout":
            share = min(page / self.expected_pages, 1)
            self.save(10 + 80 * share, f"Laying out the pages (page {page})")
        else:
            self.save(92, "Writing the PDF")


def _expected_pages(reports, section_key: str = "") -> int:
    """Pages a compendium will have, from the reports' stored PDFs or their length."""
    words_per_page = 450
    if section_key:
        words = sum(
            report.published_edition.sections_by_key[section_key].word_count for report in reports
        )
        # The cover, the contents, and each report's heading (about a sixth of a page).
        return 2 + len(reports) // 6 + words // words_per_page
    editions = [report.published_edition_id for report in reports]
    stored = dict(
        ReportPdf.objects.filter(edition__in=editions, pages__gt=0).values_list(
            "edition_id", "pages"
        )
    )
    total = 2  # the cover and the contents
    for report in reports:
        if report.published_edition_id in stored:
            total += stored[report.published_edition_id]
        else:
            sections = report.published_edition.sections.all()
            words = sum(section.word_count for section in sections)
            total += 2 + words // words_per_page
    return total


@task()
def build_compendium(compendium_id: str) -> str:
    """Build a compendium's PDF, writing its progress as it goes."""
    compendium = Compendium.objects.filter(pk=compendium_id).first()
    if compendium is None:
        return "gone"  # pruned while it waited
    if compendium.is_ready:
        return "ready"
    Compendium.objects.filter(pk=compendium.pk).update(
        state=Compendium.State.BUILDING,
        started_at=timezone.now(),
        progress=1,
        stage="Gathering the reports",
    )
    try:
        section_key = compendium.section_key
        reports = list(
            storage.compendium_reports(slugs=compendium.report_slugs, section_key=section_key)
        )
        progress = _Progress(compendium.pk, _expected_pages(reports, section_key))
        source = document.compendium_source(
            reports,
            programme_year=compendium.programme_year,
            section_key=section_key,
            volume=compendium.volume,
            on_report=progress.report,
        )
        if source.fingerprint != compendium.fingerprint:
            _finish(compendium, Compendium.State.FAILED, "The reports changed before it was ready")
            return "changed"
        # What it is made from, for the cheap check of whether it is current.
        compendium.made_from = storage.compendium_made_from(reports)
        rendered = document.render(source, progress=progress.render)
        stem = document.compendium_filename(
            compendium.programme_year,
            compendium.fingerprint,
            compendium.section_key,
            compendium.volume,
        )
        name = f"reports/compendiums/{stem.removesuffix('.pdf')}-{compendium.fingerprint[:12]}.pdf"
        if not Compendium.objects.filter(pk=compendium.pk).exists():
            return "gone"  # deleted while it was built (a take-down of one of its reports)
        name = compendium.file.storage.save(name, ContentFile(rendered.content))
        compendium.file.name = name
        compendium.size = len(rendered.content)
        compendium.pages = rendered.pages
        _finish(compendium, Compendium.State.READY, "Ready")
        logger.info("Built compendium %s: %d pages", compendium.pk, rendered.pages)
        storage.prune_compendiums()
        return "ready"
    except Exception:
        logger.exception("Could not build compendium %s", compendium.pk)
        _finish(compendium, Compendium.State.FAILED, "Something went wrong while preparing it")
        raise


def _finish(compendium, state, stage):
    compendium.state = state
    compendium.stage = stage
    compendium.progress = 100 if state == Compendium.State.READY else compendium.progress
    compendium.finished_at = timezone.now()
    Compendium.objects.filter(pk=compendium.pk).update(
        state=state,
        stage=stage,
        progress=compendium.progress,
        finished_at=compendium.finished_at,
        file=compendium.file.name or "",
        size=compendium.size,
        pages=compendium.pages,
        made_from=compendium.made_from,
    )
