"""The portal's stored PDFs: each published edition's file (``ReportPdf``), each report's draft
PDF (``DraftPdf``, in the private storage) and the compendiums (``Compendium``), whether they are
current, and their records.

Files go through Django's storage API (``default_storage``: the local file system unless
``STORAGES`` says otherwise). Each file's name carries the fingerprint of what it was rendered
from, so a new render never overwrites a file someone may be downloading. Rendering happens in
``tasks.py``; a stored file is deleted with its record (``receivers.py``).
"""

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Role, User

from ..models import Compendium, DraftPdf, LearningReport, ReportPdf
from . import document

logger = logging.getLogger(__name__)

# A render queued longer ago than this is assumed lost (e.g. a worker died) and is queued again.
QUEUE_TIMEOUT = timedelta(minutes=10)
# A compendium still not ready after this long is built again when someone asks for it.
COMPENDIUM_TIMEOUT = timedelta(minutes=30)
MAX_COMPENDIUM_REPORTS = 200


# -- Report PDFs ----------------------------------------------------------------------------------


def stored_pdf_if_current(edition, source: document.PdfSource) -> ReportPdf | None:
    """The stored PDF of ``edition`` if it was rendered from ``source``; None if missing or stale.

    Whether the file itself is still in storage is left to whoever opens it (a download opens
    it anyway; a render checks).
    """
    stored = ReportPdf.objects.filter(edition=edition).first()
    if stored is None or not stored.is_rendered or stored.fingerprint != source.fingerprint:
        return None
    return stored


def _store(model, lookup: dict, name: str, source, rendered, seconds, **fields):
    """Keep ``rendered`` (of ``source``) as the file of ``model``'s row found by ``lookup``
    (made if missing), under ``name``, with ``fields`` set too; the file of an earlier source is
    deleted once replaced."""
    with transaction.atomic():
        stored, _ = model.objects.select_for_update().get_or_create(**lookup)
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
        for field, value in fields.items():
            setattr(stored, field, value)
        stored.save()
    if old_name and old_name != name:
        storage.delete(old_name)
    return stored


def _count_failure(model, lookup: dict, source, error: Exception):
    """Count a failed render of ``source`` on ``model``'s row found by ``lookup`` and hold its
    queue slot until ``QUEUE_TIMEOUT`` (the next request after that tries again). Another source
    starts again at zero."""
    with transaction.atomic():
        stored, _ = model.objects.select_for_update().get_or_create(**lookup)
        if stored.failed_fingerprint != source.fingerprint:
            stored.failed_fingerprint, stored.failures = source.fingerprint, 0
        stored.failures += 1
        stored.last_error = f"{type(error).__name__}: {error}"[:2000]
        stored.queued_at = timezone.now()
        stored.save(update_fields=["failed_fingerprint", "failures", "last_error", "queued_at"])
    return stored


def store_report_pdf(edition, source, rendered, seconds) -> ReportPdf | None:
    """Store the PDF rendered (and perhaps sealed: see ``tasks``) of a published ``edition``.
    None, and nothing stored, if the report left the microsite while it was rendering (a
    take-down deletes its files: this one must not come back)."""
    stem = f"tce-learning-report-{edition.report.slug}-edition-{edition.number}"
    name = f"reports/pdf/{stem}-{source.fingerprint[:12]}.pdf"
    lookup = {"edition": edition, "defaults": {"report_id": edition.report_id}}
    sha256 = hashlib.sha256(rendered.content).hexdigest()
    with transaction.atomic():
        # Locked until stored: a take-down waits for this, or this sees it.
        public = (
            LearningReport.objects.published()
            .select_for_update()
            .filter(pk=edition.report_id)
            .values_list("pk", flat=True)
            .first()
        )
        if public is None:
            logger.info("Not storing the PDF of edition %s: no longer published", edition.pk)
            return None
        return _store(ReportPdf, lookup, name, source, rendered, seconds, sha256=sha256)


def record_render_failure(edition, source, error: Exception) -> ReportPdf:
    """Count a failed render of an edition's ``source``. At ``ReportPdf.MAX_RENDER_ATTEMPTS`` for
    the same source, stop trying and tell the programme admins, once."""
    lookup = {"edition": edition, "defaults": {"report_id": edition.report_id}}
    stored = _count_failure(ReportPdf, lookup, source, error)
    if stored.failures == ReportPdf.MAX_RENDER_ATTEMPTS:
        transaction.on_commit(lambda: _tell_admins(edition, stored))
    return stored


def _tell_admins(edition, stored) -> None:
    admins = User.objects.filter(role=Role.PROGRAMME_ADMIN, is_active=True).values_list(
        "email", flat=True
    )
    if not admins:
        return
    body = (
        f"The PDF of “{edition.title}” (edition {edition.number}) could not be made: "
        f"{stored.failures} attempts failed, and the portal has stopped trying. Readers of "
        f"{settings.SITE_URL}{edition.report.get_absolute_url()} are told it is not available.\n\n"
        f"The last error: {stored.last_error}\n\n"
        "Once the cause is put right, delete this PDF's record in the admin (Report PDFs) and "
        "the next download renders it again."
    )
    try:
        send_mail(
            subject=f"The PDF of “{edition.title}” could not be made",
            message=body,
            from_email=None,
            recipient_list=list(admins),
        )
    except Exception:
        logger.exception("Could not tell the admins that the PDF of %s failed", edition)


def discard_report_pdf(report_id: int) -> None:
    """Forget the stored PDFs of a report's editions; their files go too (see ``receivers``)."""
    ReportPdf.objects.filter(report_id=report_id).delete()


# -- Draft PDFs -----------------------------------------------------------------------------------

# A draft's PDF bounds its length, before anything is queued (a 2.2 MB section once made a
# 506-page PDF that took 72 s to render; the longest real report has about 4,000 words).
DRAFT_PDF_MAX_WORDS = 30_000


def draft_words(report) -> int:
    """The words of a report's working copy. ``report`` should come through ``for_pdf()``."""
    return sum(section.word_count for section in report.sections.all())


def stored_draft_if_current(report, source: document.PdfSource) -> DraftPdf | None:
    """The stored draft PDF of ``report`` if it was rendered from ``source`` (the working copy
    as it is now); None if missing or stale."""
    stored = DraftPdf.objects.filter(report=report).first()
    if stored is None or not stored.is_rendered or stored.fingerprint != source.fingerprint:
        return None
    return stored


def store_draft_pdf(report, source, rendered, seconds) -> DraftPdf:
    """Store the PDF rendered of ``report``'s working copy, replacing (and deleting) the file
    of an earlier working copy."""
    name = f"drafts/tce-learning-report-{report.slug}-draft-{source.fingerprint[:12]}.pdf"
    return _store(DraftPdf, {"report": report}, name, source, rendered, seconds)


def record_draft_failure(report, source, error: Exception) -> DraftPdf:
    """Count a failed render of a working copy's ``source`` and hold the queue slot until
    ``QUEUE_TIMEOUT``; at ``DraftPdf.MAX_RENDER_ATTEMPTS`` for the same source, readers are told
    it cannot be made. A changed working copy (another source) starts again at zero."""
    return _count_failure(DraftPdf, {"report": report}, source, error)


# -- Compendiums ----------------------------------------------------------------------------------


def volumes_of(programme_year: int) -> int:
    """How many volumes the compendium of a programme year has (one when it is small)."""
    count = LearningReport.objects.published().filter(bsp__programme_year=programme_year).count()
    return max(1, -(-count // Compendium.VOLUME_SIZE))


def compendium_reports(
    *,
    programme_year: int | None = None,
    slugs=None,
    section_key: str = "",
    volume: int | None = None,
):
    """The published reports of a programme year (``volume`` n: its n-th ``VOLUME_SIZE`` by
    title), or the published ones among ``slugs``; with ``section_key``, only those with
    something in that section (as learning by section shows)."""
    reports = LearningReport.objects.published().order_by("title", "pk")
    if programme_year is not None:
        reports = reports.filter(bsp__programme_year=programme_year)
        if volume is not None:
            size = Compendium.VOLUME_SIZE
            reports = reports[(volume - 1) * size : volume * size]
    if slugs is not None:
        reports = reports.filter(slug__in=list(slugs)[:MAX_COMPENDIUM_REPORTS])
    reports = document.published_for_pdf(reports)
    if section_key:
        # "Has content" is read from the text (an empty paragraph is empty), so in Python.
        return [report for report in reports if document.has_section(report, section_key)]
    return reports


def request_page_context(
    reports, *, programme_year: int | None, section_key: str = "", volume: int | None = None
) -> dict:
    """What the page that offers to prepare a compendium of ``reports`` shows
    (``reports/compendium_request.html``): its title, the reports, the form's hidden selection,
    and the compendium already made of them, if any."""
    source = document.compendium_source(
        reports, programme_year=programme_year, section_key=section_key, volume=volume
    )
    return {
        "title": source.title,
        "reports": reports,
        "year": programme_year,
        "volume": volume,
        "volume_size": Compendium.VOLUME_SIZE,
        "section_key": section_key,
        "section_heading": document.section_heading(section_key) if section_key else "",
        "slugs": ",".join(r.slug for r in reports) if programme_year is None else "",
        "existing": Compendium.objects.filter(fingerprint=source.fingerprint).first(),
    }


class CompendiumsBusy(Exception):
    """``settings.COMPENDIUMS_AT_ONCE`` compendiums are waiting or being built already."""


@dataclass
class CompendiumRequest:
    compendium: Compendium
    needs_building: bool


@transaction.atomic
def request_compendium(
    *, reports, programme_year: int | None, section_key: str = "", volume: int | None = None
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
    source = document.compendium_source(
        reports, programme_year=programme_year, section_key=section_key, volume=volume
    )
    compendium, created = Compendium.objects.select_for_update().get_or_create(
        fingerprint=source.fingerprint,
        defaults={
            "title": source.title,
            "programme_year": programme_year,
            "volume": volume,
            "section_key": section_key,
            "report_slugs": [r.slug for r in reports],
            "made_from": compendium_made_from(reports),
        },
    )
    if not created:
        # The same content as now (the fingerprint says so), perhaps from other editions (a
        # republication that changed nothing shown) or recorded before ``made_from`` was.
        made_from = compendium_made_from(reports)
        if compendium.made_from != made_from:
            compendium.made_from = made_from
            compendium.save(update_fields=["made_from"])
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


# What a compendium shows of each report besides its published edition (which never changes):
# the report's address (anchors, links), its first publication (the cover's "as published up
# to"), and from the register the BSP's type, year and region (headings and contents).
_SHOWN_FIELDS = (
    "slug",
    "published_edition_id",
    "published_at",
    "bsp__bsp_type",
    "bsp__programme_year",
    "bsp__region__name",
)


def _shown_row(report) -> tuple:
    bsp = report.bsp
    return (
        report.slug,
        report.published_edition_id,
        report.published_at,
        bsp.bsp_type,
        bsp.programme_year,
        bsp.region.name,
    )


def _shown_digest(rows) -> str:
    payload = json.dumps([list(row) for row in rows], default=str, separators=(",", ":"))
    return hashlib.sha256(f"{document.compendium_layout()}\x00{payload}".encode()).hexdigest()


def compendium_made_from(reports) -> dict:
    """What a compendium of ``reports`` (in its order) is made from: their published editions'
    ids, and a digest of everything else its pages show that can change without a new edition
    (``_SHOWN_FIELDS``, and the layout: ``document.compendium_layout``)."""
    rows = [_shown_row(report) for report in reports]
    return {"editions": [row[1] for row in rows], "shown": _shown_digest(rows)}


def compendium_is_current(compendium: Compendium) -> bool:
    """Whether the reports of ``compendium`` are still published and unchanged: one query
    against what it was made from (``compendium_made_from``), no HTML built."""
    made_from = compendium.made_from
    if not (made_from and made_from.get("editions") is not None and made_from.get("shown")):
        return _rebuilt_source_matches(compendium)  # made before its sources were recorded
    slugs = compendium.report_slugs
    rows = {
        row[0]: row
        for row in LearningReport.objects.published()
        .filter(slug__in=slugs)
        .values_list(*_SHOWN_FIELDS)
    }
    if len(rows) != len(slugs):
        return False  # one was withdrawn
    rows = [rows[slug] for slug in slugs]
    return [row[1] for row in rows] == made_from["editions"] and _shown_digest(rows) == made_from[
        "shown"
    ]


def _rebuilt_source_matches(compendium: Compendium) -> bool:
    """The slow check: build the compendium's source again and compare its fingerprint."""
    reports = list(
        compendium_reports(slugs=compendium.report_slugs, section_key=compendium.section_key)
    )
    if [r.slug for r in reports] != compendium.report_slugs:
        return False
    source = document.compendium_source(
        reports,
        programme_year=compendium.programme_year,
        section_key=compendium.section_key,
        volume=compendium.volume,
    )
    return source.fingerprint == compendium.fingerprint


def prune_compendiums(*, now=None) -> int:
    """Delete compendiums nobody needs: those a newer one of the same reports replaced a day
    ago, those that failed a day ago, and search results not asked for in 30 days (they are
    built again if asked for). Their files go too (see ``receivers``). Returns how many."""
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
