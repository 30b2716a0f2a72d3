"""Open data: the published reports with their BSP details and section texts, and the register.

Rows are built from ``LearningReport.objects.published()`` in a fixed number of queries (reports
with their BSP, partnership, region and current edition; themes; methodologies; the editions'
sections), whatever their number, and streamed: reports and sections are read through two
cursors in the same order and merged, so memory does not grow with the corpus either. What a
report says (title, details table, sections, sign-off) is its current published edition's, never
the working copy's.
"""

from collections import defaultdict
from itertools import groupby

from partnerships.models import BespokeSupportProject, Methodology, Theme

from .. import details, richtext
from ..models import SEARCH_COLUMNS, EditionSection, LearningReport, Signature
from ..template_sections import SECTIONS

REPORT_FIELDS = [
    ("slug", "The report's identifier in its address"),
    ("title", "The report's title, usually the local area"),
    ("url", "The report's page on this site"),
    ("published_at", "When it was first published (ISO 8601, UTC)"),
    ("edition", "The number of the published edition these columns give (1 for the first)"),
    ("edition_published_at", "When this edition was published (ISO 8601, UTC)"),
    ("change_note", "What changed since the edition before (empty for the first)"),
    ("partnership", "The local safeguarding partnership"),
    ("local_area", "The local area as the programme's register writes it"),
    ("region", "The region, as the programme names it"),
    ("region_ons_code", "The region's ONS code"),
    ("programme_year", "The programme year, e.g. 2020-21"),
    ("bsp_type", "Standard, Complex or Regional"),
    ("bsp_size", "The BSP's size as the report states it"),
    ("focus", "The focus as the register writes it (empty when not known)"),
    ("themes", "The focus themes, separated by semicolons"),
    ("methodologies", "The methodologies, separated by semicolons"),
    ("delivery_mode", "Digital, Face to face or Mixed (empty when not recorded)"),
    ("commenced", "The month the BSP commenced (YYYY-MM)"),
    ("number_of_local_authorities", "How many local authorities the BSP covered"),
    (
        "core_partner_agencies",
        "The core partner agencies involved, as the report words them, or the partnership's "
        "list separated by semicolons",
    ),
    ("signed_off_by", "Who signed the report off for the local area"),
    ("signed_off_by_role", "Their role"),
    ("signed_off_on", "When the local area signed it off (YYYY-MM-DD)"),
    ("countersigned_by", "The TCE project lead who countersigned it"),
    ("countersigned_by_role", "Their role"),
    ("countersigned_on", "When it was countersigned (YYYY-MM-DD)"),
]
SECTION_COLUMNS = [(f"section_{spec.key}", spec.heading) for spec in SECTIONS]

BSP_FIELDS = [
    ("programme_year", "The programme year, e.g. 2020-21"),
    ("bsp_type", "Standard, Complex or Regional"),
    ("region", "The region, as the programme names it"),
    ("region_ons_code", "The region's ONS code"),
    ("local_area", "The local area as the register writes it"),
    ("partnership", "The local safeguarding partnership"),
    ("number_of_local_authorities", "How many local authorities the BSP covered"),
    ("focus", "The focus as the register writes it (empty when not known)"),
    ("themes", "The focus themes, separated by semicolons"),
    ("methodologies", "The methodologies, separated by semicolons"),
    ("delivery_mode", "Digital, Face to face or Mixed (empty when not recorded)"),
    ("commenced", "The month the BSP commenced (YYYY-MM)"),
    ("report_url", "The published report's page, when there is one"),
]


def _names_by_bsp(model, bsps) -> dict[int, list[str]]:
    """{BSP id: names} of a BSP's themes or methodologies, for ``bsps`` (a queryset), in one
    query."""
    through = (
        BespokeSupportProject.themes.through
        if model is Theme
        else (BespokeSupportProject.methodologies.through)
    )
    field = "theme" if model is Theme else "methodology"
    names = defaultdict(list)
    rows = (
        through.objects.filter(bespokesupportproject__in=bsps)
        .order_by("bespokesupportproject_id", f"{field}__name")
        .values_list("bespokesupportproject_id", f"{field}__name")
    )
    for bsp_id, name in rows:
        names[bsp_id].append(name)
    return names


def _bsp_details(bsp, themes=None, methodologies=None) -> dict:
    """The register's columns of ``bsp``; ``themes`` and ``methodologies`` (lists of names) when
    read in bulk, else from the BSP (prefetched)."""
    if themes is None:
        themes = [theme.name for theme in bsp.themes.all()]
    if methodologies is None:
        methodologies = [m.name for m in bsp.methodologies.all()]
    return {
        "partnership": bsp.partnership.name,
        "local_area": bsp.local_area,
        "region": bsp.region.name,
        "region_ons_code": bsp.region.ons_code,
        "programme_year": bsp.programme_year_label,
        "bsp_type": bsp.get_bsp_type_display(),
        "focus": bsp.focus_as_stated,
        "themes": "; ".join(themes),
        "methodologies": "; ".join(methodologies),
        "delivery_mode": bsp.get_delivery_mode_display() if bsp.delivery_mode else "",
        "commenced": bsp.commenced.strftime("%Y-%m") if bsp.commenced else "",
        "number_of_local_authorities": bsp.number_of_local_authorities,
    }


ORDER = ("-published_at", "title", "pk")
CHUNK = 500


def published_reports():
    """The published reports, newest first, each with its current edition's sections
    (``report.published_edition.sections_by_key``) and its BSP's themes and methodologies
    (``report.theme_names``, ``report.methodology_names``): streamed, in a fixed number of
    queries."""
    published = LearningReport.objects.published()
    reports = (
        published.select_related(
            "bsp__partnership",
            "bsp__region",
            "published_edition__local_signature",
            "published_edition__tce_signature",
        )
        .defer(*SEARCH_COLUMNS)  # each report's whole text again, and its search vector
        .order_by(*ORDER)
    )
    bsps = published.values("bsp")
    themes = _names_by_bsp(Theme, bsps)
    methodologies = _names_by_bsp(Methodology, bsps)
    # In the same order as the reports, so the two streams can be merged as they are read.
    sections = (
        EditionSection.objects.filter(edition__in=published.values("published_edition"))
        .order_by(
            "-edition__report__published_at",
            "edition__report__title",
            "edition__report__pk",
            "key",
        )
        .iterator(chunk_size=CHUNK)
    )
    by_edition = groupby(sections, key=lambda section: section.edition_id)
    pending = next(by_edition, None)
    for report in reports.iterator(chunk_size=CHUNK):
        edition = report.published_edition
        own = []
        if pending is not None and pending[0] == edition.pk:
            own = list(pending[1])
            pending = next(by_edition, None)
        edition.__dict__["sections_by_key"] = {section.key: section for section in own}
        report.theme_names = themes.get(report.bsp_id, [])
        report.methodology_names = methodologies.get(report.bsp_id, [])
        yield report


def _signoff(edition) -> dict:
    """The sign-off block's people and dates (only what the published report itself shows)."""
    signed = edition.current_signatures
    local, lead = signed.get(Signature.Kind.LOCAL_AREA), signed.get(Signature.Kind.TCE_LEAD)
    return {
        "signed_off_by": local.name if local else "",
        "signed_off_by_role": local.role if local else "",
        "signed_off_on": local.signed_on.isoformat() if local else "",
        "countersigned_by": lead.name if lead else "",
        "countersigned_by_role": lead.role if lead else "",
        "countersigned_on": lead.signed_on.isoformat() if lead else "",
    }


def report_record(report, build_url) -> dict:
    """One published report as a flat record; ``sections`` maps keys to heading, text and HTML."""
    bsp = report.bsp
    edition = report.published_edition
    table = edition.details_rows
    record = {
        "slug": report.slug,
        "title": edition.title,
        "url": build_url(report.get_absolute_url()),
        "published_at": report.published_at.isoformat() if report.published_at else "",
        "edition": edition.number,
        "edition_published_at": edition.published_at.isoformat(),
        "change_note": edition.change_note,
        "bsp_size": details.value(table, details.SIZE),
        **_bsp_details(
            bsp,
            getattr(report, "theme_names", None),
            getattr(report, "methodology_names", None),
        ),
        "core_partner_agencies": details.value(table, details.AGENCIES),
        **_signoff(edition),
    }
    record["sections"] = [
        {
            "key": section.key,
            "heading": section.heading,
            "text": richtext.to_text(section.body),
            "html": section.body,
        }
        for section in edition.shown_sections(with_openings=True)
    ]
    return record


def report_rows(build_url):
    """Published reports as CSV rows: the details, then one column per section (plain text)."""
    for report in published_reports():
        record = report_record(report, build_url)
        texts = {f"section_{s['key']}": s["text"] for s in record.pop("sections")}
        yield [record.get(name, "") for name, _ in REPORT_FIELDS] + [
            texts.get(name, "") for name, _ in SECTION_COLUMNS
        ]


def bsp_rows(build_url):
    """The register, one row per BSP; a report's address only when the report is published."""
    published = dict(LearningReport.objects.published().values_list("bsp_id", "slug"))
    everyone = BespokeSupportProject.objects.all()
    themes = _names_by_bsp(Theme, everyone)
    methodologies = _names_by_bsp(Methodology, everyone)
    register = everyone.select_related("partnership", "region").order_by("-programme_year", "pk")
    for bsp in register.iterator(chunk_size=CHUNK):
        details = _bsp_details(bsp, themes.get(bsp.pk, []), methodologies.get(bsp.pk, []))
        slug = published.get(bsp.pk)
        details["report_url"] = (
            build_url(LearningReport(slug=slug).get_absolute_url()) if slug else ""
        )
        yield [details[name] for name, _ in BSP_FIELDS]
