"""Turns a report into what its web page and its PDF show: ordered, grouped sections and footnotes.

Both share `reports/_report_body.html`; the page numbers footnotes and lists them at the end, the
PDF leaves them inline for WeasyPrint to float to the foot of the page.
"""

import re
from dataclasses import dataclass, field

from django.utils.safestring import SafeString, mark_safe

from .template_sections import (
    JOINING_THE_DOTS,
    JOINING_THE_DOTS_INTRO,
    KEY_ISSUES_SUBHEADING,
    SECTIONS,
)

_FOOTNOTE = re.compile(r'<span class="footnote">(.*?)</span>', re.DOTALL)
# Under the heading of the local area's own section, until it signs the report off.
LOCAL_AREA_PENDING = "The local area writes its reflections here when it signs off the report."


@dataclass
class RenderedSection:
    key: str
    heading: str
    html: SafeString
    subheading: str = ""
    pending: str = ""  # said instead of the text that someone has yet to write
    opens_group: bool = False  # shown without its heading, at the start of its group


@dataclass
class SectionGroup:
    """A top-level block of the report: one section, or "Joining the dots" with its three."""

    heading: str
    intro: str = ""  # the programme's description of the group, the same in every report
    opening: RenderedSection | None = None  # the authors' own words after it, if any
    sections: list[RenderedSection] = field(default_factory=list)

    @property
    def is_group(self):
        return bool(self.intro)


@dataclass
class Footnote:
    number: int
    html: SafeString

    @property
    def anchor(self):
        return f"footnote-{self.number}"

    @property
    def ref_anchor(self):
        return f"footnote-ref-{self.number}"


@dataclass
class ReportDocument:
    groups: list[SectionGroup]
    footnotes: list[Footnote]
    # What was rendered: a report's working copy or a published edition. Both give the details
    # table (``details_rows``) and the sign-off block (``consent_to_publish``,
    # ``current_signatures``).
    source: object = None


def number_footnotes(html: str, footnotes: list[Footnote]) -> str:
    """Replace inline footnotes with numbered links, appending their text to ``footnotes``."""
    if '<span class="footnote">' not in html:  # most sections have none: no need to search
        return html

    def replace(match):
        note = Footnote(number=len(footnotes) + 1, html=mark_safe(match.group(1)))  # noqa: S308
        footnotes.append(note)
        return (
            f'<a class="footnote-ref" id="{note.ref_anchor}" href="#{note.anchor}">'
            f'<span class="visually-hidden">Footnote </span>{note.number}</a>'
        )

    return _FOOTNOTE.sub(replace, html)


def build_document(report, *, inline_footnotes: bool = False) -> ReportDocument:
    """The report's shown sections, grouped as the template groups them. ``report`` is a
    ``LearningReport`` (its working copy) or a published ``Edition``: both have
    ``shown_sections`` and ``awaits_local_area``.

    A group's opening goes to the start of its group. Before the local area signs, its own
    empty section is shown with a word on who writes it (as the template leaves it for them).
    Bodies are sanitised on save (``SectionText.save``), so they are safe to mark as such here.
    """
    groups: list[SectionGroup] = []
    footnotes: list[Footnote] = []
    shown = {section.key: section for section in report.shown_sections(with_openings=True)}
    for spec in SECTIONS:
        section = shown.get(spec.key)
        if section is not None:
            html = section.body if inline_footnotes else number_footnotes(section.body, footnotes)
            rendered = RenderedSection(
                key=spec.key,
                heading=spec.heading,
                html=mark_safe(html),  # noqa: S308 - sanitised by nh3 before it was stored
                subheading=KEY_ISSUES_SUBHEADING if spec.key == "key_issues" else "",
                opens_group=spec.opens_group,
            )
        elif spec.written_by_local_area and report.awaits_local_area:
            rendered = RenderedSection(
                key=spec.key, heading=spec.heading, html=mark_safe(""), pending=LOCAL_AREA_PENDING
            )
        else:
            continue
        if not spec.group:
            groups.append(SectionGroup(heading=spec.heading, sections=[rendered]))
            continue
        if not groups or groups[-1].heading != spec.group:
            groups.append(SectionGroup(heading=spec.group, intro=JOINING_THE_DOTS_INTRO))
        if spec.opens_group:
            groups[-1].opening = rendered
        else:
            groups[-1].sections.append(rendered)
    return ReportDocument(groups=groups, footnotes=footnotes, source=report)


__all__ = ["JOINING_THE_DOTS", "ReportDocument", "build_document"]
