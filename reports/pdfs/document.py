"""Report PDFs: the report's HTML, through WeasyPrint, as a tagged (PDF/UA-1) document.

Rendering only: nothing here writes to the database or to storage (see ``storage.py`` and
``tasks.py``). The PDF shares ``reports/_report_body.html`` with the web page; footnotes stay
inline for WeasyPrint's ``float: footnote``, and link addresses that the text does not show are
added as footnotes, so the printed page keeps them.

A ``PdfSource`` is the complete input of a render (HTML, stylesheets, the mark on every page).
Its ``fingerprint`` is what a stored PDF remembers: if the fingerprint of the edition as it is now
differs, the stored file is out of date, whatever the reason (layout, a renamed region).

Published PDFs (``edition_source``) and compendiums show published editions; only the PDF of a
report not published (``report_source``: a draft, marked on every page) shows the working copy.
A published edition's PDF ends with its completion record (``completion_record``).
"""

import hashlib
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db.models import Prefetch
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.text import slugify

from partnerships.models import programme_year_label, with_agencies

from ..models import Edition, LearningReport, Signature, Status
from ..rendering import build_document
from ..richtext import LINK_STARTS, to_text
from ..template_sections import SECTIONS_BY_KEY
from ..workflow import SIGNED_STATES
from . import seal

# Bump when the rendering changes in a way the HTML and CSS do not show (e.g. WeasyPrint options),
# so stored PDFs are rendered again.
RENDER_VERSION = "1"
STYLESHEET = "css/pdf.css"
PDF_VARIANT = "pdf/ua-1"
PROGRAMME = "Tackling Child Exploitation Support Programme"

DRAFT_MARK = "DRAFT: not signed off"
MARKS = {
    Status.SIGNED_OFF: "Signed off, not yet published",
    Status.COUNTERSIGNED: "Signed off, not yet published",
    Status.NOT_FOR_PUBLICATION: "Signed off: not for publication",
    Status.WITHDRAWN: "Withdrawn from the microsite",
}


def for_pdf(queryset):
    """Everything the PDF of a report's working copy shows, in a fixed number of queries however
    many reports."""
    return queryset.select_related("bsp", "bsp__partnership", "bsp__region").prefetch_related(
        "sections",
        Prefetch("signatures", queryset=Signature.objects.order_by("recorded_at")),
        with_agencies("bsp__partnership__"),
        "bsp__methodologies",
    )


def published_for_pdf(queryset):
    """Everything the PDF of published reports shows (their published editions), in a fixed
    number of queries however many reports."""
    return queryset.select_related(
        "bsp__partnership",
        "bsp__region",
        "published_edition__local_signature",
        "published_edition__tce_signature",
    ).prefetch_related("published_edition__sections")


def editions_for_pdf(queryset=None):
    """Editions with what their PDF shows."""
    queryset = Edition.objects.all() if queryset is None else queryset
    return queryset.select_related(
        "report__bsp__partnership", "report__bsp__region", "local_signature", "tce_signature"
    ).prefetch_related("sections")


def mark_for(report) -> str:
    """The words on every page of a report's working copy that is not what was published."""
    if report.status == Status.PUBLISHED:
        return ""  # not under revision: the working copy is the published edition
    if report.status not in SIGNED_STATES and report.status != Status.WITHDRAWN:
        return DRAFT_MARK
    return MARKS.get(report.status, DRAFT_MARK)


def filename_for(report, edition=None) -> str:
    if edition is not None and not edition.is_current:
        return f"tce-learning-report-{report.slug}-edition-{edition.number}.pdf"
    return f"tce-learning-report-{report.slug}.pdf"


def report_title(content) -> str:
    """``content``: a report's working copy or an edition."""
    return f"Project Learning Report: {content.title}"


# -- Links: the printed page shows where they go -------------------------------------------------

_FOOTNOTE = re.compile(r'(<span class="footnote">.*?</span>)', re.DOTALL)
_LINK = re.compile(r'<a href="([^"]*)"[^>]*>(.*?)</a>', re.DOTALL)


def _same_address(text: str, href: str) -> bool:
    def bare(url):
        return re.sub(r"^(https?://|mailto:)", "", url.strip()).rstrip("/").lower()

    return bare(text) == bare(href.replace("&amp;", "&"))


def show_link_addresses(html: str) -> str:
    """Give every link whose text is not its address a printed address.

    In running text the address becomes a footnote; inside a footnote it follows the link text.
    Links to places in the document itself (``#...``) need no address. A relative link (from text
    stored before the sanitiser refused them) becomes its text: WeasyPrint would make it a
    ``file:`` link to the server's disk.
    """

    def in_text(match):
        href, text = match.group(1), match.group(2)
        if not href.strip().lower().startswith(LINK_STARTS):
            return text  # stored before links had to be absolute: never a path on the server
        if href.startswith("#") or _same_address(to_text(text), href):
            return match.group(0)
        note = f'<span class="footnote link-address"><a href="{href}">{href}</a></span>'
        return f"{match.group(0)}{note}"

    def in_footnote(match):
        href, text = match.group(1), match.group(2)
        if not href.strip().lower().startswith(LINK_STARTS):
            return text
        if href.startswith("#") or _same_address(to_text(text), href):
            return match.group(0)
        return f'{match.group(0)} (<a href="{href}">{href}</a>)'

    parts = _FOOTNOTE.split(html)
    return "".join(
        _LINK.sub(in_footnote, part) if index % 2 else _LINK.sub(in_text, part)
        for index, part in enumerate(parts)
    )


def pdf_document(content):
    """The body of a report's working copy or of an edition, as ``build_document`` gives it, with
    footnotes inline and addresses shown."""
    document = build_document(content, inline_footnotes=True)
    for group in document.groups:
        for section in [group.opening, *group.sections] if group.opening else group.sections:
            section.html = mark_safe(show_link_addresses(section.html))  # noqa: S308 - sanitised
    return document


# -- Sources --------------------------------------------------------------------------------------


@dataclass
class PdfSource:
    """Everything a render needs; the same source always gives the same PDF."""

    html: str
    title: str
    mark: str = ""
    section_key: str = ""  # a compendium of one section of each report

    @property
    def fingerprint(self) -> str:
        digest = hashlib.sha256()
        parts = [RENDER_VERSION, self.mark, self.html, _stylesheet_text()]
        if self.section_key:
            # Only when set, so that whole reports keep the fingerprints they were stored with.
            parts.append(f"section:{self.section_key}")
        for part in parts:
            digest.update(part.encode())
            digest.update(b"\x00")
        return digest.hexdigest()


# The templates of a compendium's HTML. With RENDER_VERSION, the stylesheet and the site's
# address, they are what can change a compendium's pages while no report in it changes (see
# ``compendium_layout``).
COMPENDIUM_TEMPLATES = (
    "reports/pdf/base.html",
    "reports/pdf/compendium.html",
    "reports/pdf/_compendium_report.html",
    "reports/pdf/_compendium_section.html",
    "reports/_report_body.html",
    "reports/_details_table.html",
    "reports/_signoff_block.html",
)


def compendium_layout() -> str:
    """A digest of how a compendium is laid out, whatever its reports: the render settings, the
    stylesheet, the templates and the site's address (in a section compendium's links). The
    Python that builds the HTML is covered by ``RENDER_VERSION``: bump it when that changes."""
    digest = hashlib.sha256()
    sources = [get_template(name).template.source for name in COMPENDIUM_TEMPLATES]
    for part in [RENDER_VERSION, _stylesheet_text(), settings.SITE_URL, *sources]:
        digest.update(part.encode())
        digest.update(b"\x00")
    return digest.hexdigest()


@cache
def _stylesheet_path() -> Path:
    found = finders.find(STYLESHEET)
    if not found:
        raise FileNotFoundError(f"The PDF stylesheet {STYLESHEET} is not among the static files.")
    return Path(found)


def _stylesheet_text() -> str:
    return _stylesheet_path().read_text(encoding="utf-8")


def _description(report) -> str:
    bsp = report.bsp
    return (
        f"{PROGRAMME}: Project Learning Report of the {bsp.get_bsp_type_display()} Bespoke "
        f"Support Project with {bsp.partnership.name} ({bsp.region}, {bsp.programme_year_label})."
    )


@dataclass(frozen=True)
class CompletionRecord:
    """The last page of a published edition's PDF: who signed it and countersigned it, how and
    when (UTC), the SHA-256 of what each signed, then the edition itself (its number, when it was
    published, its SHA-256 and stable address) and how to check the file.

    It is part of the PDF's HTML, so the fingerprint of a stored PDF covers all of it: the
    site's address, and whether the file is sealed (``sealed`` changes what the page says), make
    a stored PDF out of date when they change."""

    edition: Edition
    local_signature: Signature
    tce_signature: Signature
    url: str  # the edition's stable address
    check_url: str  # "Check a PDF"
    sealed: bool

    @property
    def signatures(self) -> list[tuple[str, Signature, bool]]:
        """(heading, signature, whether the safeguarding check was the signatory's to confirm)."""
        return [
            ("Signed by the local area", self.local_signature, True),
            ("Countersigned by the TCE project lead", self.tce_signature, False),
        ]


def completion_record(edition) -> CompletionRecord:
    return CompletionRecord(
        edition=edition,
        local_signature=edition.local_signature,
        tce_signature=edition.tce_signature,
        url=settings.SITE_URL + edition.get_absolute_url(),
        check_url=settings.SITE_URL + reverse("reports:pdf-check"),
        # What the render task will do with the file (``tasks._seal_and_store``).
        sealed=seal.is_configured(),
    )


def _source(report, content, *, mark="", edition=None) -> PdfSource:
    # The current edition's PDF ends with the report's published addenda, as its page does.
    addenda = (
        report.addenda.filter(published_at__isnull=False)
        if edition is not None and edition.is_current
        else []
    )
    # Only a published edition has a completion record: a draft's PDF is not signed (or not yet
    # published), and a compendium (``compendium_source``) is not the record of any one edition.
    completion = completion_record(edition) if edition is not None else None
    html = render_to_string(
        "reports/pdf/report.html",
        {
            "report": report,
            "edition": edition,
            "addenda": addenda,
            "completion": completion,
            "name": content.title,
            "document": pdf_document(content),
            "title": report_title(content),
            "description": _description(report),
            "mark": mark,
            "programme": PROGRAMME,
        },
    )
    return PdfSource(html=html, title=report_title(content), mark=mark)


def report_source(report) -> PdfSource:
    """The PDF of a report's working copy, marked as not published. ``report`` should come
    through ``for_pdf()``."""
    return _source(report, report, mark=mark_for(report))


def edition_source(edition) -> PdfSource:
    """The PDF of a published edition. ``edition`` should come through ``editions_for_pdf()``."""
    return _source(edition.report, edition, edition=edition)


_ID = re.compile(r'\b(id|aria-labelledby)="([^"]+)"')
_LOCAL_HREF = re.compile(r'href="#([^"]+)"')


def _prefix_ids(html: str, prefix: str) -> str:
    """Make a report body's ids unique inside a compendium of many reports."""
    html = _ID.sub(lambda m: f'{m.group(1)}="{prefix}{m.group(2)}"', html)
    return _LOCAL_HREF.sub(lambda m: f'href="#{prefix}{m.group(1)}"', html)


@dataclass
class CompendiumEntry:
    report: LearningReport
    anchor: str
    body: str


def section_heading(section_key: str) -> str:
    return SECTIONS_BY_KEY[section_key].heading


def compendium_title(
    programme_year: int | None, section_key: str = "", count: int = 0, volume: int | None = None
) -> str:
    if section_key:
        areas = f"{count} area{'' if count == 1 else 's'}"
        return f"{section_heading(section_key)}: what {areas} learned"
    if programme_year is None:
        return "Project Learning Reports: a selection"
    title = f"Project Learning Reports {programme_year_label(programme_year)}"
    return f"{title}, volume {volume}" if volume else title


def has_section(report, section_key: str) -> bool:
    """Whether ``report``'s published edition has something in that section (as learning by
    section shows it)."""
    section = report.published_edition.sections_by_key.get(section_key)
    return section is not None and section.has_content


def _report_entry(report) -> str:
    edition = report.published_edition
    return render_to_string(
        "reports/pdf/_compendium_report.html",
        {"report": report, "document": pdf_document(edition), "title": report_title(edition)},
    )


def _section_entry(report, section_key: str) -> str:
    """One report's section: a heading naming the report (with its public address), then the
    section's text, its footnotes left inline as in the report's own PDF."""
    section = report.published_edition.sections_by_key[section_key]
    return render_to_string(
        "reports/pdf/_compendium_section.html",
        {
            "report": report,
            "section_key": section_key,
            "html": mark_safe(show_link_addresses(section.body)),  # noqa: S308 - sanitised
            "public_url": settings.SITE_URL + report.get_absolute_url(),
        },
    )


def compendium_source(
    reports,
    *,
    programme_year: int | None,
    section_key: str = "",
    volume: int | None = None,
    on_report: Callable[[int, int], None] | None = None,
) -> PdfSource:
    """All ``reports`` in one PDF: a cover, contents with page numbers, then each report; or,
    with ``section_key``, just that section of each report (every report must have it)."""
    reports = list(reports)
    entries = []
    for index, report in enumerate(reports, start=1):
        anchor = f"report-{report.slug}"
        body = _section_entry(report, section_key) if section_key else _report_entry(report)
        entries.append(CompendiumEntry(report, anchor, mark_safe(_prefix_ids(body, f"{anchor}-"))))  # noqa: S308
        if on_report:
            on_report(index, len(reports))
    title = compendium_title(programme_year, section_key, len(entries), volume)
    latest = max((r.published_at for r in reports if r.published_at), default=None)
    if section_key:
        description = (
            f"{PROGRAMME}: the section “{section_heading(section_key)}” of {len(entries)} "
            "Project Learning Reports in one document."
        )
    else:
        description = f"{PROGRAMME}: {len(entries)} Project Learning Reports in one document."
    html = render_to_string(
        "reports/pdf/compendium.html",
        {
            "title": title,
            "entries": entries,
            "programme": PROGRAMME,
            "programme_year": programme_year,
            "section_heading": section_heading(section_key) if section_key else "",
            "latest_published": latest,
            "description": description,
        },
    )
    return PdfSource(html=html, title=title, section_key=section_key)


# -- Rendering ------------------------------------------------------------------------------------


@dataclass
class RenderedPdf:
    content: bytes
    pages: int


def _allowed_roots() -> list[Path]:
    roots = [Path(d).resolve() for d in settings.STATICFILES_DIRS]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT).resolve())
    return roots


class _PageProgress(logging.Handler):
    """Turns WeasyPrint's progress log ("Creating layout - Page 7") into a callback, for this
    thread's render only."""

    _PAGE = re.compile(r"Creating layout - Page (\d+)")

    def __init__(self, callback):
        super().__init__(level=logging.INFO)
        self.callback = callback
        self.thread = threading.get_ident()

    def handle(self, record):
        # Every thread's WeasyPrint records pass through this handler while it is attached. Those
        # of other threads are dropped before the handler's lock is taken: the callback writes to
        # the database, and a render in another thread must never wait on this lock while this
        # thread waits on that render's row lock (a deadlock neither side could see).
        if record.thread != self.thread:
            return False
        self.emit(record)  # only this thread gets here: no lock needed
        return True

    def emit(self, record):
        message = record.getMessage()
        if match := self._PAGE.search(message):
            self.callback("layout", int(match.group(1)))


class RenderProblem(Exception):
    """WeasyPrint logged an error while rendering (a missing alt text or language, an attachment
    it could not load): the PDF would not be what it claims to be, so it is not kept."""


class _Errors(logging.Handler):
    """Collects the error records WeasyPrint logs (it logs, it does not raise) during this
    thread's render. Other threads' records are dropped before the handler's lock is taken."""

    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def handle(self, record):
        if record.thread != self.thread or record.levelno < self.level:
            return False
        self.messages.append(record.getMessage())
        return True

    def emit(self, record):  # pragma: no cover - handle() does the work
        pass


def render(source: PdfSource, *, progress: Callable[[str, int], None] | None = None) -> RenderedPdf:
    """Render ``source`` to PDF bytes: tagged PDF/UA-1, the project's font embedded.

    ``progress(step, page)`` is called as WeasyPrint lays out each page ("layout", n) and before
    it writes the PDF ("pdf", 0).
    """
    # Imported here: WeasyPrint takes a while to import and only renders need it.
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    roots = _allowed_roots()

    class StaticOnlyFetcher(URLFetcher):
        """Fetch our own static files and nothing else: no network, no other files."""

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme != "file":
                raise ValueError(f"PDFs load only the portal's static files, not {url}")
            path = Path(url2pathname(parts.path)).resolve()
            if not any(path.is_relative_to(root) for root in roots):
                raise ValueError(f"PDFs load only the portal's static files, not {url}")
            return super().fetch(url, headers)

    fetcher = StaticOnlyFetcher(allowed_protocols={"file"})
    fonts = FontConfiguration()
    stylesheets = [
        weasyprint.CSS(filename=str(_stylesheet_path()), font_config=fonts, url_fetcher=fetcher)
    ]
    if source.mark:
        stylesheets.append(weasyprint.CSS(string=_mark_css(source.mark), font_config=fonts))
    handler = _PageProgress(progress) if progress is not None else None
    progress_logger = logging.getLogger("weasyprint.progress")
    old_level = progress_logger.level
    if handler is not None:
        progress_logger.addHandler(handler)
        if not progress_logger.isEnabledFor(logging.INFO):
            progress_logger.setLevel(logging.INFO)
    errors = _Errors()
    weasyprint_logger = logging.getLogger("weasyprint")
    weasyprint_logger.addHandler(errors)
    try:
        html = weasyprint.HTML(
            string=source.html, base_url=str(_stylesheet_path().parent), url_fetcher=fetcher
        )
        document = html.render(stylesheets=stylesheets, font_config=fonts, pdf_variant=PDF_VARIANT)
        if progress is not None:
            progress("pdf", 0)
        content = document.write_pdf(pdf_variant=PDF_VARIANT)
    finally:
        weasyprint_logger.removeHandler(errors)
        if handler is not None:
            progress_logger.removeHandler(handler)
            progress_logger.setLevel(old_level)
    if errors.messages:
        raise RenderProblem("; ".join(errors.messages))
    return RenderedPdf(content=content, pages=len(document.pages))


def _mark_css(mark: str) -> str:
    quoted = mark.replace("\\", "\\\\").replace('"', '\\"')
    return f'@page {{ @top-right {{ content: "{quoted}"; }} }}'


def compendium_filename(
    programme_year: int | None, fingerprint: str, section_key: str = "", volume: int | None = None
) -> str:
    if section_key:
        stem = f"tce-learning-{slugify(section_key)}"
        if programme_year is None:
            return f"{stem}-selection-{fingerprint[:8]}.pdf"
        return f"{stem}-{slugify(programme_year_label(programme_year))}.pdf"
    if programme_year is None:
        return f"tce-learning-reports-selection-{fingerprint[:8]}.pdf"
    stem = f"tce-learning-reports-{slugify(programme_year_label(programme_year))}"
    return f"{stem}-volume-{volume}.pdf" if volume else f"{stem}.pdf"
