"""Turns a report into what its web page and its PDF show: ordered, grouped sections and footnotes.

Both share `reports/_report_body.html`; the page numbers footnotes and lists them at the end, the
PDF leaves them inline for WeasyPrint to float to the foot of the page.
"""

import re
from dataclasses import dataclass, field

from django.utils.safestring import SafeString, mark_safe

from .template_sections import JOINING_THE_DOTS, JOINING_THE_DOTS_INTRO, KEY_ISSUES_SUBHEADING

_FOOTNOTE = re.compile(r'<span class="footnote">(.*?)</span>', re.DOTALL)


@dataclass
class RenderedSection:
    key: str
    heading: str
    html: SafeString
    subheading: str = ""


@dataclass
class SectionGroup:
    """A top-level block of the report: one section, or "Joining the dots" with its three."""

    heading: str
    intro: str = ""
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


def number_footnotes(html: str, footnotes: list[Footnote]) -> str:
    """Replace inline footnotes with numbered links, appending their text to ``footnotes``."""

    def replace(match):
        note = Footnote(number=len(footnotes) + 1, html=mark_safe(match.group(1)))  # noqa: S308
        footnotes.append(note)
        return (
            f'<a class="footnote-ref" id="{note.ref_anchor}" href="#{note.anchor}">'
            f'<span class="visually-hidden">Footnote </span>{note.number}</a>'
        )

    return _FOOTNOTE.sub(replace, html)


def build_document(report, *, inline_footnotes: bool = False) -> ReportDocument:
    """The report's shown sections, grouped as the template groups them.

    Bodies are sanitised on save (ReportSection.save), so they are safe to mark as such here.
    """
    groups: list[SectionGroup] = []
    footnotes: list[Footnote] = []
    for section in report.shown_sections():
        html = section.body if inline_footnotes else number_footnotes(section.body, footnotes)
        rendered = RenderedSection(
            key=section.key,
            heading=section.heading,
            html=mark_safe(html),  # noqa: S308 - sanitised by nh3 before it was stored
            subheading=KEY_ISSUES_SUBHEADING if section.key == "key_issues" else "",
        )
        group_name = section.spec.group
        if group_name:
            if not groups or groups[-1].heading != group_name:
                groups.append(SectionGroup(heading=group_name, intro=JOINING_THE_DOTS_INTRO))
            groups[-1].sections.append(rendered)
        else:
            groups.append(SectionGroup(heading=section.heading, sections=[rendered]))
    return ReportDocument(groups=groups, footnotes=footnotes)


__all__ = ["JOINING_THE_DOTS", "ReportDocument", "build_document"]
