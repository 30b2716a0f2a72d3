"""Background work: rendering and storing PDFs, through Django's tasks API (django-tasks).

With the immediate back end (the default) a task runs as soon as it is queued, in the same
process; with ``TASKS_BACKEND=database`` it waits in the database for ``manage.py db_worker``.

Stored files go through Django's storage API (``default_storage``: the local file system unless
``STORAGES`` says otherwise). Each file's name carries the fingerprint of what it was rendered
from, so a new render never overwrites a file someone may be downloading.
"""

import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from . import pdf
from .models import Compendium, LearningReport, ReportPdf

logger = logging.getLogger(__name__)

# A render queued longer ago than this is assumed lost (e.g. a worker died) and is queued again.
QUEUE_TIMEOUT = timedelta(minutes=10)
# A compendium still not ready after this long is built again when someone asks for it.
COMPENDIUM_TIMEOUT = timedelta(minutes=30)
MAX_COMPENDIUM_REPORTS = 200


# -- Report PDFs ----------------------------------------------------------------------------------


def stored_pdf_if_current(report, source: pdf.PdfSource) -> ReportPdf | None:
    """The stored PDF of ``report`` if it was rendered from ``source``; None if missing or stale.

    Whether the file itself is still in storage is left to whoever opens it (a download opens
    it anyway; a render checks).
    """
    stored = ReportPdf.objects.filter(report=report).first()
    if stored is None or not stored.is_rendered or stored.fingerprint != source.fingerprint:
        return None
    return stored


def queue_report_pdf(report_id: int) -> bool:
    """Queue a render of a published report's PDF, unless one is already waiting.

    Returns whether a render was queued. Safe to call from many requests at once: one of them
    claims the queue slot (a conditional UPDATE), the others find it taken.
    """
    ReportPdf.objects.get_or_create(report_id=report_id)
    now = timezone.now()
    claimed = (
        ReportPdf.objects.filter(report_id=report_id)
        .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=now - QUEUE_TIMEOUT))
        .update(queued_at=now)
    )
    if not claimed:
        return False
    try:
        render_report_pdf.enqueue(report_id)
    except Exception:
        ReportPdf.objects.filter(report_id=report_id).update(queued_at=None)
        raise
    return True


def refresh_report_pdf(report_id: int) -> None:
    """After a report, its text or its sign-off changed: queue its PDF if it is public, drop the
    stored one if it is not (withdrawn, or never published)."""
    report = LearningReport.objects.filter(pk=report_id).first()
    if report is None:
        return
    if report.is_public:
        current = pdf.for_pdf(LearningReport.objects.filter(pk=report_id)).get()
        if stored_pdf_if_current(current, pdf.report_source(current)) is None:
            queue_report_pdf(report_id)
    elif ReportPdf.objects.filter(report_id=report_id).exists():
        discard_report_pdf(report_id)


def discard_report_pdf(report_id: int) -> None:
    """Forget a report's stored PDF; its file goes too (see ``pdf_signals``)."""
    ReportPdf.objects.filter(report_id=report_id).delete()


@task()
def render_report_pdf(report_id: int) -> str:
    """Render a published report's PDF and store it, unless the stored one is current."""
    # Changes made from now on queue another render.
    ReportPdf.objects.filter(report_id=report_id).update(queued_at=None)
    report = pdf.for_pdf(LearningReport.objects.published()).filter(pk=report_id).first()
    if report is None:
        discard_report_pdf(report_id)
        return "not public"
    source = pdf.report_source(report)
    stored = stored_pdf_if_current(report, source)
    if stored is not None and stored.file.storage.exists(stored.file.name):
        return "current"
    started = time.perf_counter()
    try:
        rendered = pdf.render(source)
        seconds = time.perf_counter() - started
        _store_report_pdf(report, source, rendered, seconds)
    except Exception:
        # Hold the queue slot: requests do not retry a failing render before QUEUE_TIMEOUT.
        logger.exception("Could not render the PDF of %s", report.slug)
        ReportPdf.objects.filter(report_id=report_id).update(queued_at=timezone.now())
        raise
    logger.info("Rendered the PDF of %s: %d pages in %.2f s", report.slug, rendered.pages, seconds)
    return "rendered"


def _store_report_pdf(report, source, rendered, seconds) -> ReportPdf:
    stem = pdf.filename_for(report).removesuffix(".pdf")
    name = f"reports/pdf/{stem}-{source.fingerprint[:12]}.pdf"
    with transaction.atomic():
        stored, _ = ReportPdf.objects.select_for_update().get_or_create(report=report)
        storage = stored.file.storage
        old_name = stored.file.name
        if old_name != name or not storage.exists(name):
            name = storage.save(name, ContentFile(rendered.content))
        stored.file.name = name
        stored.fingerprint = source.fingerprint
        stored.size = len(rendered.content)
        stored.pages = rendered.pages
        stored.rendered_at = timezone.now()
        stored.render_seconds = seconds
        stored.save()
    if old_name and old_name != name:
        storage.delete(old_name)
    return stored


# -- Compendiums ----------------------------------------------------------------------------------


def compendium_reports(*, programme_year: int | None = None, slugs=None, section_key: str = ""):
    """The published reports of a programme year, or the published ones among ``slugs``; with
    ``section_key``, only those with something in that section (as learning by section shows)."""
    reports = LearningReport.objects.published().order_by("title", "pk")
    if programme_year is not None:
        reports = reports.filter(bsp__programme_year=programme_year)
    if slugs is not None:
        reports = reports.filter(slug__in=list(slugs)[:MAX_COMPENDIUM_REPORTS])
    reports = pdf.for_pdf(reports)
    if section_key:
        # "Has content" is read from the text (an empty paragraph is empty), so in Python.
        return [report for report in reports if pdf.has_section(report, section_key)]
    return reports


class CompendiumsBusy(Exception):
    """``settings.COMPENDIUMS_AT_ONCE`` compendiums are waiting or being built already."""


@dataclass
class CompendiumRequest:
    compendium: Compendium
    needs_building: bool


@transaction.atomic
def request_compendium(
    *, reports, programme_year: int | None, section_key: str = ""
) -> CompendiumRequest:
    """Find or create the compendium of ``reports`` as they are now (or of their section
    ``section_key``).

    The same reports (and section) with the same content give the same compendium, built once.
    Returns it and whether it needs (re)building; the caller queues ``build_compendium`` (after
    its response). Raises ``CompendiumsBusy``, creating nothing, when a build is needed and
    ``settings.COMPENDIUMS_AT_ONCE`` others are waiting or being built.
    """
    reports = list(reports)
    if not reports:
        raise ValueError("A compendium needs at least one published report.")
    source = pdf.compendium_source(reports, programme_year=programme_year, section_key=section_key)
    compendium, created = Compendium.objects.select_for_update().get_or_create(
        fingerprint=source.fingerprint,
        defaults={
            "title": source.title,
            "programme_year": programme_year,
            "section_key": section_key,
            "report_slugs": [r.slug for r in reports],
        },
    )
    now = timezone.now()
    stuck = not compendium.is_finished and compendium.created_at < now - COMPENDIUM_TIMEOUT
    missing = compendium.state == Compendium.State.READY and not compendium.file
    if created:
        _refuse_if_busy(compendium, now)
        return CompendiumRequest(compendium, needs_building=True)
    if compendium.state == Compendium.State.FAILED or stuck or missing:
        _refuse_if_busy(compendium, now)
        compendium.state = Compendium.State.QUEUED
        compendium.progress = 0
        compendium.stage = ""
        compendium.created_at = now
        compendium.save()
        return CompendiumRequest(compendium, needs_building=True)
    return CompendiumRequest(compendium, needs_building=False)


def _refuse_if_busy(compendium, now) -> None:
    in_progress = (
        Compendium.objects.filter(
            state__in=[Compendium.State.QUEUED, Compendium.State.BUILDING],
            created_at__gte=now - COMPENDIUM_TIMEOUT,
        )
        .exclude(pk=compendium.pk)
        .count()
    )
    if in_progress >= settings.COMPENDIUMS_AT_ONCE:
        raise CompendiumsBusy  # leaving the atomic block rolls back a compendium just created


def compendium_is_current(compendium: Compendium) -> bool:
    """Whether the reports of ``compendium`` are still published and unchanged."""
    reports = list(
        compendium_reports(slugs=compendium.report_slugs, section_key=compendium.section_key)
    )
    if [r.slug for r in reports] != compendium.report_slugs:
        return False
    source = pdf.compendium_source(
        reports, programme_year=compendium.programme_year, section_key=compendium.section_key
    )
    return source.fingerprint == compendium.fingerprint


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
        words = sum(report.sections_by_key[section_key].word_count for report in reports)
        # The cover, the contents, and each report's heading (about a sixth of a page).
        return 2 + len(reports) // 6 + words // words_per_page
    stored = dict(
        ReportPdf.objects.filter(report__in=reports, pages__gt=0).values_list("report_id", "pages")
    )
    total = 2  # the cover and the contents
    for report in reports:
        if report.pk in stored:
            total += stored[report.pk]
        else:
            words = sum(section.word_count for section in report.sections.all())
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
        reports = list(compendium_reports(slugs=compendium.report_slugs, section_key=section_key))
        progress = _Progress(compendium.pk, _expected_pages(reports, section_key))
        source = pdf.compendium_source(
            reports,
            programme_year=compendium.programme_year,
            section_key=section_key,
            on_report=progress.report,
        )
        if source.fingerprint != compendium.fingerprint:
            _finish(compendium, Compendium.State.FAILED, "The reports changed before it was ready")
            return "changed"
        rendered = pdf.render(source, progress=progress.render)
        stem = pdf.compendium_filename(
            compendium.programme_year, compendium.fingerprint, compendium.section_key
        )
        name = f"reports/compendiums/{stem.removesuffix('.pdf')}-{compendium.fingerprint[:12]}.pdf"
        name = compendium.file.storage.save(name, ContentFile(rendered.content))
        compendium.file.name = name
        compendium.size = len(rendered.content)
        compendium.pages = rendered.pages
        _finish(compendium, Compendium.State.READY, "Ready")
        logger.info("Built compendium %s: %d pages", compendium.pk, rendered.pages)
        prune_compendiums()
        return "ready"
    except Exception:
        logger.exception("Could not build compendium %s", compendium.pk)
        _finish(compendium, Compendium.State.FAILED, "Something went wrong while preparing it")
        raise


def prune_compendiums(*, now=None) -> int:
    """Delete compendiums nobody needs: those a newer one of the same reports replaced a day
    ago, those that failed a day ago, and search results not asked for in 30 days (they are
    built again if asked for). Their files go too (see ``pdf_signals``). Returns how many."""
    now = now or timezone.now()
    day_ago, month_ago = now - timedelta(days=1), now - timedelta(days=30)
    doomed = set(
        Compendium.objects.filter(
            Q(state=Compendium.State.FAILED, created_at__lt=day_ago)
            | Q(programme_year__isnull=True, created_at__lt=month_ago)
        ).values_list("pk", flat=True)
    )
    newest = {}
    for pk, year, slugs, section, created in Compendium.objects.filter(
        state=Compendium.State.READY
    ).values_list("pk", "programme_year", "report_slugs", "section_key", "created_at"):
        key = ("year", year, section) if year is not None else ("reports", tuple(slugs), section)
        newest.setdefault(key, []).append((created, pk))
    for versions in newest.values():
        versions.sort(reverse=True)
        doomed.update(pk for created, pk in versions[1:] if created < day_ago)
    deleted = 0
    for compendium in Compendium.objects.filter(pk__in=doomed):
        compendium.delete()
        deleted += 1
    return deleted


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
    )
