"""Report PDFs, drafts' PDFs and compendiums: downloads, the "being prepared" page and the
progress page.

A request never renders a PDF. It serves the stored file when it is current; otherwise it
answers "being prepared" (503 with Retry-After) and queues the render once its response has been
sent (``tce_portal.after_response``), so that even the immediate task back end of development
does the work after the visitor has their answer, not during it.
"""

import logging
from datetime import timedelta
from functools import partial

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.views.decorators.http import require_http_methods

from partnerships.models import programme_year_label
from tce_portal.after_response import RedirectThen, TemplateResponseThen

from .. import access
from ..models import Compendium, DraftPdf, LearningReport, ReportPdf, Status
from ..removed import removal_notice
from ..signoff import links as signoff_links
from ..template_sections import SECTION_KEYS
from . import document, storage, tasks

logger = logging.getLogger(__name__)

PUBLIC_MAX_AGE = timedelta(minutes=5)
DRAFT_PDF_MAX_WORDS = storage.DRAFT_PDF_MAX_WORDS
RETRY_AFTER_SECONDS = 10
BUSY_RETRY_AFTER_SECONDS = 60  # when too many compendiums are being prepared already
POLL_SECONDS = 2  # how often the "being prepared" and progress pages ask again (htmx)


# -- Report PDFs ----------------------------------------------------------------------------------


def report_pdf(request, slug, number=None):
    """A published report's PDF (its current edition's, or edition ``number``'s): the stored
    file, or "being prepared" while it is rendered."""
    report = LearningReport.objects.published().filter(slug=slug).first()
    if report is None:
        removed = LearningReport.objects.taken_down().filter(slug=slug).first()
        if removed is None:
            raise Http404("No such published report.")
        return removal_notice(request, removed)  # 410 Gone, not its PDF
    editions = document.editions_for_pdf(report.editions.all())
    if number is None:
        edition = editions.get(pk=report.published_edition_id)
    else:
        edition = get_object_or_404(editions, number=number)
    source = document.edition_source(edition)
    stored = storage.stored_pdf_if_current(edition, source)
    if stored is not None and not request.htmx:
        etag = f'"{stored.fingerprint}"'
        last_modified = stored.rendered_at.timestamp()
        not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if not_modified is not None:
            return _public_cache(not_modified)
        try:
            file = stored.file.open("rb")
        except FileNotFoundError:
            logger.warning("The stored PDF of %s is missing: rendering it again", report.slug)
            stored = None
        else:
            response = FileResponse(
                file,
                as_attachment=True,
                filename=document.filename_for(report, edition),
                content_type="application/pdf",
            )
            response["Content-Length"] = str(stored.size)
            response["ETag"] = etag
            response["Last-Modified"] = http_date(last_modified)
            return _public_cache(response)
    record = ReportPdf.objects.filter(edition=edition).first()
    given_up = record is not None and record.given_up_on(source.fingerprint)
    if given_up:
        # Not "being prepared" for ever: say it cannot be made, and how to read the report.
        # htmx's polling of the "being prepared" page gets the message, and stops (286).
        response = TemplateResponse(
            request,
            "reports/pdf_failed.html#status" if request.htmx else "reports/pdf_failed.html",
            {"report": report, "edition": edition},
            status=286 if request.htmx else 503,
        )
        patch_cache_control(response, no_store=True)
        return response
    response = _preparing(
        request,
        "reports/pdf_preparing.html",
        {"report": report, "edition": edition, "pdf_url": request.path},
        ready=stored is not None,
        then=partial(tasks.queue_edition_pdf, edition.pk, source.fingerprint),
    )
    patch_cache_control(response, no_store=True)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _preparing(request, template: str, context: dict, *, ready: bool, then):
    """The "being prepared" answer for a PDF rendered in the background: to htmx's polling, the
    page's ``#status`` partial, 286 (stop polling) once ``ready``; otherwise the whole page, 503
    with ``Retry-After``. Unless the PDF is ready, ``then()`` (which queues its render) runs once
    this answer has been sent, so that even the immediate task back end renders after it, not
    during it. The caller sets the caching headers."""
    context = {
        **context,
        "ready": ready,
        "retry_after": RETRY_AFTER_SECONDS,
        "poll_seconds": POLL_SECONDS,
    }
    then = None if ready else then
    if request.htmx:
        return TemplateResponseThen(
            request, f"{template}#status", context, status=286 if ready else 200, then=then
        )
    response = TemplateResponseThen(request, template, context, status=503, then=then)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _public_cache(response):
    patch_cache_control(response, public=True, max_age=int(PUBLIC_MAX_AGE.total_seconds()))
    # The same URL answers htmx's polling with a fragment: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def report_pdf_draft(request, slug):
    """Any report its reader may see, as a PDF marked if it is not published: the stored PDF of
    the working copy as it is now, or "being prepared" while it is rendered in the background.

    Only signed-in programme members, and a local lead holding a sign-off link for this report
    (the PDF of what they are asked to sign), get here. A published report's PDF is the public
    one. The file is in the private storage: served here, to those readers only, never cached.
    """
    reader = request.user if request.user.is_authenticated else None
    if reader is None:
        link = signoff_links.granted_link(request, slug)
        if link is None:
            return redirect_to_login(request.get_full_path())
        reader = link.recipient
    report = access.get_report_or_404(
        reader, queryset=document.for_pdf(LearningReport.objects.all()), slug=slug
    )
    if report.is_public and report.status == Status.PUBLISHED:
        # Not under revision: its working copy is the published edition.
        return redirect("reports:report-pdf", slug=report.slug)
    words = storage.draft_words(report)
    if words > DRAFT_PDF_MAX_WORDS:
        # Not hundreds of pages, even in the background: say why, and where to read it instead.
        response = TemplateResponse(
            request,
            "reports/pdf_draft_too_long.html",
            {"report": report, "words": words, "limit": DRAFT_PDF_MAX_WORDS},
            status=413,
        )
        patch_cache_control(response, private=True, no_store=True)
        return response
    source = document.report_source(report)
    stored = storage.stored_draft_if_current(report, source)
    if stored is not None and not request.htmx:
        try:
            file = stored.file.open("rb")
        except FileNotFoundError:
            logger.warning("The stored draft PDF of %s is missing: rendering it again", slug)
            stored = None
        else:
            stem = document.filename_for(report).removesuffix(".pdf")
            response = FileResponse(
                file,
                as_attachment=True,
                filename=f"{stem}-draft.pdf",
                content_type="application/pdf",
            )
            response["Content-Length"] = str(stored.size)
            patch_cache_control(response, private=True, no_store=True)
            return response
    record = DraftPdf.objects.filter(report=report).first()
    context = {"report": report, "pdf_url": request.path, "poll_seconds": POLL_SECONDS}
    if record is not None and record.given_up_on(source.fingerprint):
        # Not "being prepared" for ever; htmx's polling gets the message, and stops (286).
        response = TemplateResponse(
            request,
            "reports/pdf_draft_failed.html#status"
            if request.htmx
            else "reports/pdf_draft_failed.html",
            context,
            status=286 if request.htmx else 503,
        )
    else:
        response = _preparing(
            request,
            "reports/pdf_draft_preparing.html",
            context,
            ready=stored is not None,
            then=partial(tasks.queue_draft_pdf, report.pk, source.fingerprint),
        )
    patch_cache_control(response, private=True, no_store=True)
    patch_vary_headers(response, ["HX-Request"])
    return response


# -- Compendiums ----------------------------------------------------------------------------------


class CompendiumSelectionForm(forms.Form):
    """Which published reports go in a compendium: a programme year, or a list of reports (as the
    microsite's search passes them: ``?reports=a&reports=b`` or ``?reports=a,b``); and,
    optionally, one section of the report template to take from each (``&section=key``, as
    learning by section passes it)."""

    year = forms.IntegerField(required=False, min_value=2019, max_value=2100)
    volume = forms.IntegerField(required=False, min_value=1, max_value=10_000)
    reports = forms.CharField(required=False)
    section = forms.CharField(required=False)

    def __init__(self, data, *args, **kwargs):
        data = data.copy()
        slugs = [s.strip() for value in data.getlist("reports") for s in value.split(",")]
        data.setlist("reports", [",".join(s for s in slugs if s)])
        super().__init__(data, *args, **kwargs)

    def clean_reports(self):
        value = self.cleaned_data["reports"]
        slugs = [s for s in value.split(",") if s]
        if len(slugs) > storage.MAX_COMPENDIUM_REPORTS:
            raise forms.ValidationError(
                f"Choose at most {storage.MAX_COMPENDIUM_REPORTS} reports for one PDF."
            )
        return slugs

    def clean_section(self):
        key = self.cleaned_data["section"].strip()
        if key and key not in SECTION_KEYS:
            raise forms.ValidationError("Choose a section of the report template.")
        return key

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("year") is None and not cleaned.get("reports"):
            raise forms.ValidationError("Choose a programme year or some reports.")
        return cleaned

    @property
    def has_selection(self):
        return any(self.data.get(name) for name in ("year", "reports"))

    def selection(self):
        """(programme year, volume, section key, reports). A programme year of more than
        ``Compendium.VOLUME_SIZE`` reports comes in volumes: volume 1 unless another is asked
        for; a volume past the last is no selection (404)."""
        year = self.cleaned_data.get("year")
        slugs = self.cleaned_data.get("reports") or None
        section_key = self.cleaned_data.get("section", "")
        volume = None
        if year is not None and not slugs and not section_key:
            volumes = storage.volumes_of(year)
            if volumes > 1:
                volume = self.cleaned_data.get("volume") or 1
                if volume > volumes:
                    raise Http404("No such volume.")
        reports = storage.compendium_reports(
            programme_year=year, slugs=slugs, section_key=section_key, volume=volume
        )
        return year, volume, section_key, reports


@require_http_methods(["GET", "POST"])
def compendium(request):
    """Choose reports for one PDF (GET), and ask for it to be prepared (POST)."""
    data = request.POST if request.method == "POST" else request.GET
    form = CompendiumSelectionForm(data)
    if not form.has_selection:
        years = (
            LearningReport.objects.published()
            .values("bsp__programme_year")
            .annotate(count=Count("pk"))
            .order_by("-bsp__programme_year")
        )
        context = {
            "years": [
                {
                    "year": row["bsp__programme_year"],
                    "label": programme_year_label(row["bsp__programme_year"]),
                    "count": row["count"],
                    "volumes": range(1, -(-row["count"] // Compendium.VOLUME_SIZE) + 1)
                    if row["count"] > Compendium.VOLUME_SIZE
                    else [],
                }
                for row in years
            ],
            "volume_size": Compendium.VOLUME_SIZE,
        }
        if request.method == "POST":
            # Sent with nothing chosen (a hand-made or truncated request): say so.
            form.is_valid()
            context["form"] = form
            return TemplateResponse(request, "reports/compendium_choose.html", context, status=400)
        return TemplateResponse(request, "reports/compendium_choose.html", context)
    if not form.is_valid():
        raise Http404("No such selection of reports, or no such section.")
    year, volume, section_key, reports = form.selection()
    reports = list(reports)
    if not reports:
        raise Http404("None of those reports is published (with that section).")
    busy = False
    if request.method == "POST":
        try:
            asked = storage.request_compendium(
                reports=reports, programme_year=year, section_key=section_key, volume=volume
            )
        except storage.CompendiumsBusy:
            busy = True
    if request.method == "POST" and not busy:
        compendium = asked.compendium
        then = None
        if asked.needs_building:
            then = partial(tasks.build_compendium.enqueue, str(compendium.pk))
        return RedirectThen(compendium.get_absolute_url(), then=then)
    context = {
        **storage.request_page_context(
            reports, programme_year=year, section_key=section_key, volume=volume
        ),
        "busy": busy,
    }
    response = TemplateResponse(
        request, "reports/compendium_request.html", context, status=503 if busy else 200
    )
    if busy:
        response["Retry-After"] = str(BUSY_RETRY_AFTER_SECONDS)
        patch_cache_control(response, no_store=True)
    return response


def compendium_detail(request, pk):
    """The progress of a compendium, then its download. htmx polls the same URL for the status
    partial and stops when the compendium is finished."""
    compendium = get_object_or_404(Compendium, pk=pk)
    current = compendium.is_ready and storage.compendium_is_current(compendium)
    context = {
        "compendium": compendium,
        "current": current,
        "outdated": compendium.is_ready and not current,
        "poll_seconds": POLL_SECONDS,
        "selection": _selection_query(compendium),
    }
    if request.htmx:
        status = 286 if compendium.is_finished else 200
        response = TemplateResponse(
            request, "reports/compendium_detail.html#status", context, status=status
        )
    else:
        response = TemplateResponse(request, "reports/compendium_detail.html", context)
    patch_cache_control(response, no_store=True)
    return response


def _selection_query(compendium):
    if compendium.programme_year is not None:
        query = {"year": compendium.programme_year}
        if compendium.volume:
            query["volume"] = compendium.volume
    else:
        query = {"reports": ",".join(compendium.report_slugs)}
    if compendium.section_key:
        query["section"] = compendium.section_key
    return query


def compendium_pdf(request, pk):
    compendium = get_object_or_404(Compendium, pk=pk)
    if not (compendium.is_ready and storage.compendium_is_current(compendium)):
        return redirect(compendium)
    try:
        file = compendium.file.open("rb")
    except FileNotFoundError:
        return redirect(compendium)
    response = FileResponse(
        file,
        as_attachment=True,
        filename=document.compendium_filename(
            compendium.programme_year,
            compendium.fingerprint,
            compendium.section_key,
            compendium.volume,
        ),
        content_type="application/pdf",
    )
    response["Content-Length"] = str(compendium.size)
    # The reports in it may change or be withdrawn: browsers check again before reusing it.
    patch_cache_control(response, private=True, no_cache=True)
    return response
