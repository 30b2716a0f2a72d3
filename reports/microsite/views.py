"""The public microsite: home, search and listing, a report, regions, partnerships, learning by
section. Everything reads ``LearningReport.objects.published()`` and, for what a report says, its
published edition (``published_edition``), never the working copy. A withdrawn report's own URLs
(its editions included) show its withdrawal notice and nothing else."""

import csv
import json
import re
from contextlib import nullcontext
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Sum
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.safestring import mark_safe

from partnerships.models import BespokeSupportProject, Partnership, Region, with_agencies

from .. import search
from ..models import EditionSection, LearningReport
from ..pdfs import storage
from ..pdfs.storage import MAX_COMPENDIUM_REPORTS
from ..removed import removal_notice
from ..rendering import Footnote, build_document, number_footnotes
from . import figures, opendata, summary
from .caching import public_page, wants_partial
from .figures import programme_figures
from .filters import ReportFilter, SectionChoiceForm, Sort

PAGE_SIZE = 20
# Learning by section shows each report's whole section (a few hundred words each): ten a page.
LEARNING_PAGE_SIZE = 10


def _home_figures() -> dict:
    register = BespokeSupportProject.objects.all()
    figures = register.aggregate(
        bsp_count=Count("pk"),
        region_count=Count("region", distinct=True),
        local_authority_count=Sum("number_of_local_authorities"),
    )
    figures["local_authority_count"] = figures["local_authority_count"] or 0
    figures["published_count"] = LearningReport.objects.published().count()
    return figures


@public_page
def home(request):
    return render(
        request,
        "home.html",
        {
            "latest_reports": LearningReport.objects.published().newest(6),
            **summary.remembered("home", _home_figures),
        },
    )


def _search_context(request, filterset):
    facets = filterset.facets()
    return {
        "filter": filterset,
        "form": filterset.form,
        "facets": facets,
        "active_options": filterset.active_options(facets),
        "search_terms": filterset.search_terms,
        "sort_order": filterset.sort_order,
        "chosen_sort": filterset.chosen_sort,
        "sort_choices": filterset.sort_options(),
        "partial": wants_partial(request),
    }


def _searching(request):
    """Around a page's queries: through the search index when the visitor searched."""
    return search.through_the_index() if request.GET.get("q", "").strip() else nullcontext()


@public_page
def report_list(request):
    with _searching(request):
        return _report_list(request)


def _report_list(request):
    filterset = ReportFilter(request.GET, queryset=LearningReport.objects.published())
    context = _search_context(request, filterset)
    page = filterset.page(request.GET.get("page"), PAGE_SIZE)  # its reports' cards
    query = request.GET.copy()
    query.pop("page", None)
    context.update(
        page=page,
        reports=page.object_list,
        query_without_page=query.urlencode(),
        compendium_size_ok=0 < page.paginator.count <= MAX_COMPENDIUM_REPORTS,
        too_many_to_rank=filterset.too_many_to_rank,
        rank_limit=search.RANK_LIMIT,
    )
    template = "reports/report_list.html"
    return render(
        request, f"{template}#search-area" if wants_partial(request) else template, context
    )


def _withdrawn(request, slug):
    withdrawn = get_object_or_404(
        LearningReport.objects.withdrawn().select_related("bsp__region", "published_edition"),
        slug=slug,
    )
    if withdrawn.is_taken_down:
        return removal_notice(request, withdrawn)  # 410 Gone
    return render(request, "reports/report_withdrawn.html", {"report": withdrawn})


def _edition_page(request, report, number=None):
    """The page of ``report`` (read ``for_page``, with its current edition) at its edition
    ``number`` (its current one by default), and that edition's sections; the page lists every
    edition (``LearningReport.editions_newest_first``)."""
    editions = report.editions_newest_first()
    edition = next(
        (
            e
            for e in editions
            if (e.number == number if number is not None else e == report.published_edition)
        ),
        None,
    )
    if edition is None:
        raise Http404("No such edition of this report.")
    # Its sections in their own order only: the models' default orders ("edition", then the
    # edition's "report", then the report's "title") would join two tables to sort one's rows.
    edition.__dict__["sections_by_key"] = {
        section.key: section
        for section in EditionSection.objects.filter(edition=edition).order_by("key")
    }
    related = LearningReport.objects.published().related_to(report).newest(3)
    return render(
        request,
        "reports/report_detail.html",
        {
            "report": report,
            "edition": edition,
            "current_edition": report.published_edition,
            "editions": editions,
            "document": build_document(edition),
            "addenda": (
                report.addenda.filter(published_at__isnull=False).order_by("written_at", "pk")
                if report.has_published_addenda
                else []
            ),
            "related_reports": related,
        },
    )


@public_page
def report_detail(request, slug):
    """The report as its current published edition says it."""
    report = LearningReport.objects.published().for_page().filter(slug=slug).first()
    if report is None:
        return _withdrawn(request, slug)
    return _edition_page(request, report)


@public_page
def edition_detail(request, slug, number):
    """One edition of a published report, current or earlier, at its own stable address."""
    report = LearningReport.objects.published().for_page().filter(slug=slug).first()
    if report is None:
        return _withdrawn(request, slug)
    return _edition_page(request, report, number)


# A region's or partnership's page shows its newest reports and a page of its BSPs, whatever
# their number: the rest are a search (reports) or the next page (BSPs) away.
NEWEST_REPORTS = 6
BSPS_PER_PAGE = 20
# What a row of the BSP table shows (reports/_bsp_table.html).
BSP_ROW_FIELDS = (
    "local_area",
    "partnership__name",
    "partnership__slug",
    "bsp_type",
    "programme_year",
    "number_of_local_authorities",
    "focus_as_stated",
)


def _place_context(request, key, bsps, reports):
    """The place's figures (stored under ``key`` until the next change: ``summary``), its newest
    published reports and a page of its BSPs."""

    def place_figures():
        figures = bsps.aggregate(
            bsp_count=Count("pk"), local_authority_count=Sum("number_of_local_authorities")
        )
        figures["local_authority_count"] = figures["local_authority_count"] or 0
        figures["report_count"] = reports.count()
        return figures

    figures = summary.remembered(key, place_figures)
    listed = (
        bsps.select_related("partnership")
        .only(*BSP_ROW_FIELDS)
        .order_by("-programme_year", "local_area")
    )
    paginator = Paginator(listed, BSPS_PER_PAGE)
    paginator.count = figures["bsp_count"]  # known: not counted again
    query = request.GET.copy()
    query.pop("page", None)
    return {
        **figures,
        "bsp_page": paginator.get_page(request.GET.get("page")),
        "query_without_page": query.urlencode(),
        "reports": reports.newest(NEWEST_REPORTS),
    }


@public_page
def region_detail(request, slug):
    region = get_object_or_404(Region, slug=slug)
    return render(
        request,
        "reports/region_detail.html",
        {
            "region": region,
            **_place_context(
                request,
                f"region:{region.pk}",
                BespokeSupportProject.objects.filter(region=region),
                LearningReport.objects.published().filter(bsp__region=region),
            ),
        },
    )


@public_page
def partnership_detail(request, slug):
    partnership = get_object_or_404(
        Partnership.objects.select_related("region").prefetch_related(
            "local_authorities", with_agencies()
        ),
        slug=slug,
    )
    return render(
        request,
        "reports/partnership_detail.html",
        {
            "partnership": partnership,
            **_place_context(
                request,
                f"partnership:{partnership.pk}",
                BespokeSupportProject.objects.filter(partnership=partnership),
                LearningReport.objects.published().filter(bsp__partnership=partnership),
            ),
        },
    )


_ANCHOR = re.compile(r'(id="|href="#)(footnote-(?:ref-)?\d+)"')


@dataclass
class LearningExtract:
    """One report's text of the chosen section, its footnotes anchored under the report's slug,
    with what its heading and its line about the BSP say, worked out once (a template looking
    each up through the section, edition, report and BSP took a third of the page's making)."""

    slug: str
    title: str  # the published edition's
    about: str  # its BSP's facts_line: "South West · Extra-familial BSP · 2021-22"
    url: str  # the whole report's address
    html: str
    footnotes: list[Footnote]

    @property
    def anchor_prefix(self):
        return f"{self.slug}-"


# What an extract shows of its section, edition, report and BSP (reports/learning.html): never
# the report's search columns (its whole text again, and its search vector).
EXTRACT_FIELDS = (
    "key",
    "body",
    "edition__number",
    "edition__title",
    "edition__report__slug",
    "edition__report__bsp__region__name",
    "edition__report__bsp__bsp_type",
    "edition__report__bsp__programme_year",
)


def _extract(section) -> LearningExtract:
    footnotes: list[Footnote] = []
    html = number_footnotes(section.body, footnotes)
    report = section.edition.report
    if footnotes:
        prefix = f"{report.slug}-"
        html = _ANCHOR.sub(lambda m: f'{m.group(1)}{prefix}{m.group(2)}"', html)
    # The body was sanitised on save; only our own anchors were added.
    safe = mark_safe(html)  # noqa: S308
    return LearningExtract(
        slug=report.slug,
        title=section.edition.title,
        about=report.bsp.facts_line,
        url=report.get_absolute_url(),
        html=safe,
        footnotes=footnotes,
    )


def _learning_count_key(section_key: str) -> str:
    """The stored figure of how many published reports have text in that section."""
    return f"learning:{section_key}"


def _learning_selection(request):
    """(section form, section key, filterset, the matching published reports whose current
    edition has text in that section, in the order chosen)."""
    section_form = SectionChoiceForm(request.GET or None)
    key = (
        section_form.cleaned_data["section"]
        if section_form.is_valid()
        else SectionChoiceForm.base_fields["section"].initial
    )
    filterset = ReportFilter(
        request.GET,
        queryset=LearningReport.objects.published(),
        figures=[_learning_count_key(key)],
    )
    order = (
        ["title", "pk"] if filterset.sort_order == Sort.TITLE else ["-published_at", "title", "pk"]
    )
    # Each published report's current edition: what it says, never its working copy. Empty
    # sections are stored empty (the sanitiser drops empty paragraphs). The reports are walked
    # in order (an index) and each one's section looked up, so a page reads its own rows only.
    with_text = EditionSection.objects.filter(
        edition=OuterRef("published_edition"), key=key
    ).exclude(body="")
    reports = filterset.qs.filter(Exists(with_text)).order_by(*order)
    return section_form, key, filterset, reports


@public_page
def learning(request):
    with _searching(request):
        return _learning(request)


def _learning(request):
    section_form, key, filterset, reports = _learning_selection(request)
    context = _search_context(request, filterset)
    # A page of the reports' current editions, in order; then those 20 editions' sections with
    # their reports, BSPs, regions and partnerships.
    paginator = Paginator(reports.values_list("published_edition", flat=True), LEARNING_PAGE_SIZE)
    if filterset.unfiltered:  # how many reports have text in this section: a stored figure
        paginator.count = summary.remembered(
            _learning_count_key(key), reports.count, found=filterset.stored_figures
        )
    page = paginator.get_page(request.GET.get("page"))
    editions = list(page.object_list)
    shown = {
        section.edition_id: section
        for section in EditionSection.objects.filter(edition__in=editions, key=key)
        .select_related("edition__report__bsp__region")
        .only(*EXTRACT_FIELDS)
        .order_by()  # in the page's order, below
    }
    page.object_list = [shown[edition] for edition in editions]
    query = request.GET.copy()
    query.pop("page", None)
    heading = dict(SectionChoiceForm.base_fields["section"].choices)[key]
    context.update(
        section_form=section_form,
        section_key=key,
        section_heading=heading,
        page=page,
        extracts=[_extract(section) for section in page.object_list],
        query_without_page=query.urlencode(),
        compendium_size_ok=0 < page.paginator.count <= MAX_COMPENDIUM_REPORTS,
        max_compendium=MAX_COMPENDIUM_REPORTS,
    )
    template = "reports/learning.html"
    partial = f"{template}#learning-area"
    return render(request, partial if wants_partial(request) else template, context)


def _compendium_request_page(request, reports, *, section_key=""):
    """The page that offers to prepare one PDF of ``reports`` (the compendiums' own page, with a
    form that sends the selection in its body, never in an address)."""
    reports = list(reports)
    if not reports:
        raise Http404("No published report matches.")
    if len(reports) > MAX_COMPENDIUM_REPORTS:
        raise Http404("Too many reports for one PDF.")
    context = storage.request_page_context(reports, programme_year=None, section_key=section_key)
    return render(request, "reports/compendium_request.html", context)


def learning_pdf(request):
    """The section chosen on learning by section, from every matching report, as one PDF: the
    selection is named by the learning page's own filters (a short address), not by a list."""
    with _searching(request):
        return _learning_pdf(request)


def _learning_pdf(request):
    _form, key, _filterset, reports = _learning_selection(request)
    slugs = list(reports.values_list("slug", flat=True)[: MAX_COMPENDIUM_REPORTS + 1])
    if len(slugs) > MAX_COMPENDIUM_REPORTS:
        raise Http404("Too many reports for one PDF.")
    if request.GET.get("whole"):  # the same reports in full
        key = ""
    reports = storage.compendium_reports(slugs=slugs, section_key=key) if slugs else []
    return _compendium_request_page(request, _in_order(reports, slugs), section_key=key)


def report_list_pdf(request):
    """The result of a search, as one PDF, named by the search's own filters."""
    with _searching(request):
        return _report_list_pdf(request)


def _report_list_pdf(request):
    filterset = ReportFilter(request.GET, queryset=LearningReport.objects.published())
    slugs = list(filterset.ordered().values_list("slug", flat=True)[: MAX_COMPENDIUM_REPORTS + 1])
    if len(slugs) > MAX_COMPENDIUM_REPORTS:
        raise Http404("Too many reports for one PDF.")
    reports = storage.compendium_reports(slugs=slugs) if slugs else []
    return _compendium_request_page(request, _in_order(reports, slugs))


def _in_order(reports, slugs):
    place = {slug: index for index, slug in enumerate(slugs)}
    return sorted(reports, key=lambda report: place[report.slug])


def robots_txt(request):
    lines = [
        "User-agent: *",
        f"Disallow: {reverse('admin:index')}",
        f"Disallow: {reverse('accounts:login')}",
        f"Disallow: {reverse('reports:dashboard')}",
        f"Sitemap: {request.build_absolute_uri(reverse('reports:sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


# -- The programme in figures: charts and the annual report's appendix ---------------------------


@public_page
def programme(request):
    return render(request, "reports/programme.html", programme_figures())


APPENDIX_ROWS = 100


@public_page
def programme_year(request, year):
    """The annual report's appendix table for one programme year, 100 rows a page, with the
    year's totals."""
    summary = next((y for y in figures.year_summaries() if y.year == year), None)
    if summary is None:
        raise Http404("The programme ran no BSP that year.")
    page = Paginator(figures.appendix_rows(year), APPENDIX_ROWS).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/programme_year.html",
        {"year": summary, "page": page, "query_without_page": ""},
    )


# -- Open data: the documentation page and the CSV and JSON downloads (published reports only) --

# Spreadsheet programs run a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


class _Line:
    """csv.writer writes a row to this and gets the line back."""

    def write(self, value):
        return value


def _csv_lines(header, rows):
    writer = csv.writer(_Line())
    yield "\ufeff"  # so that spreadsheet programs read the file as UTF-8
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([_cell(value) for value in row])


def _csv_response(filename, header, rows):
    """The rows as a CSV download, streamed as they are read (the file is never whole in memory)."""
    response = StreamingHttpResponse(
        _csv_lines(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@public_page
def data_index(request):
    return render(
        request,
        "reports/data.html",
        {
            "report_fields": opendata.REPORT_FIELDS,
            "section_columns": opendata.SECTION_COLUMNS,
            "bsp_fields": opendata.BSP_FIELDS,
        },
    )


@public_page
def reports_csv(request):
    header = [name for name, _ in opendata.REPORT_FIELDS + opendata.SECTION_COLUMNS]
    return _csv_response(
        "tce-learning-reports.csv", header, opendata.report_rows(request.build_absolute_uri)
    )


def _json_lines(build_url):
    count = LearningReport.objects.published().count()
    source = json.dumps("Project Learning Reports published by the TCE Support Programme")
    yield f'{{\n  "source": {source},\n  "count": {count},\n  "reports": ['
    for index, report in enumerate(opendata.published_reports()):
        record = json.dumps(opendata.report_record(report, build_url), ensure_ascii=False, indent=2)
        yield ("," if index else "") + "\n    " + record.replace("\n", "\n    ")
    yield "\n  ]\n}\n"


@public_page
def reports_json(request):
    """The published reports as one JSON document, streamed report by report."""
    return StreamingHttpResponse(
        _json_lines(request.build_absolute_uri), content_type="application/json"
    )


@public_page
def bsps_csv(request):
    header = [name for name, _ in opendata.BSP_FIELDS]
    return _csv_response(
        "tce-bsp-register.csv", header, opendata.bsp_rows(request.build_absolute_uri)
    )
