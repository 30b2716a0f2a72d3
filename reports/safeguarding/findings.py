"""The safeguarding check of a whole report, as its authors and reviewers see it: what the
identifiability check finds in each part (every section, the local area's reflections and the
details table), which of those an author dismissed with a reason, and the passages marked in
place in rich text.

Findings are computed each time, never stored: only a dismissal is (``FindingDismissal``), and it
holds while that passage, of that kind, is still in that part. Edit the passage away and its
finding is gone. Every read here costs one query (the dismissals), however many findings.
"""

import re
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.safestring import SafeString, mark_safe

from .. import access, details, workflow
from ..models import FindingDismissal, LearningReport, Transition
from ..rendering import number_footnotes
from ..richtext import to_text
from ..template_sections import SECTIONS, SECTIONS_BY_KEY
from ..workflow import TransitionNotAllowed
from .identifiability import Finding, check

DETAILS = "details"

KIND_LABELS = {
    "name": "a name",
    "age": "an age",
    "date_of_birth": "a date of birth",
    "school": "a school",
    "street": "a street or an estate",
    "postcode": "a postcode",
    "phone": "a telephone number",
    "email": "an e-mail address",
    "nhs_number": "an NHS number",
    "ni_number": "a National Insurance number",
    "small_cohort": "a small group of young people",
}

# Where a sentence ends: its stop and the space after it.
_SENTENCE_END = re.compile(r"[.!?…](?=\s|$)")
CONTEXT_CHARS = 160
_SPACE_BEFORE_STOP = re.compile(r"\s+([.,;:!?])")


@dataclass(frozen=True)
class Found:
    """One finding in one part of a report, with the rest of its sentence and, when an author
    judged it harmless, their dismissal."""

    part: str
    number: int  # 1, 2... within its part: for anchors and labels
    finding: Finding
    before: str = ""
    after: str = ""
    where: str = ""  # the details table's row, for a finding there
    dismissal: FindingDismissal | None = None

    @property
    def kind(self):
        return self.finding.kind

    @property
    def kind_label(self):
        return KIND_LABELS.get(self.finding.kind, self.finding.kind)

    @property
    def text(self):
        return self.finding.text

    @property
    def why(self):
        return self.finding.why

    @property
    def is_open(self):
        return self.dismissal is None

    @property
    def anchor(self):
        return f"finding-{self.part}-{self.number}"

    @property
    def note_id(self):
        return f"finding-why-{self.part}-{self.number}"


@dataclass
class PartCheck:
    """What the check found in one part: a section (by its key) or the details table."""

    part: str
    heading: str
    found: list[Found] = field(default_factory=list)

    @property
    def open(self) -> list[Found]:
        return [f for f in self.found if f.is_open]

    @property
    def dismissed(self) -> list[Found]:
        return [f for f in self.found if not f.is_open]


def heading_of(part: str) -> str:
    if part == DETAILS:
        return details.CAPTION
    return SECTIONS_BY_KEY[part].heading


def _context(text: str, start: int, end: int) -> tuple[str, str]:
    """The rest of the passage's sentence, before and after it (shortened with "…")."""
    sentence_start = 0
    for match in _SENTENCE_END.finditer(text, 0, start):
        sentence_start = match.end()
    after_end = _SENTENCE_END.search(text, end)
    sentence_end = after_end.end() if after_end else len(text)
    # A tag is a space in the text: "<a>Oakfield Academy</a>." reads "Oakfield Academy ."
    before = _SPACE_BEFORE_STOP.sub(r"\1", text[sentence_start:start].lstrip())
    after = _SPACE_BEFORE_STOP.sub(r"\1", text[end:sentence_end])
    if len(before) > CONTEXT_CHARS:
        before = "…" + before[-CONTEXT_CHARS:].split(" ", 1)[-1]
    if len(after) > CONTEXT_CHARS:
        after = after[:CONTEXT_CHARS].rsplit(" ", 1)[0] + "…"
    return before, after


def _found(part, text, findings, dismissals, *, first=1, where=""):
    found = []
    for number, finding in enumerate(findings, start=first):
        before, after = _context(text, finding.start, finding.end)
        found.append(
            Found(
                part=part,
                number=number,
                finding=finding,
                before=before,
                after=after,
                where=where,
                dismissal=dismissals.get((part, finding.kind, finding.text)),
            )
        )
    return found


def _dismissals(report) -> dict:
    return {
        (d.part, d.kind, d.text): d
        for d in FindingDismissal.objects.filter(report=report).select_related("dismissed_by")
    }


def _section_check(report, key, dismissals, body=None) -> PartCheck:
    if body is None:
        section = report.sections_by_key.get(key)
        body = section.body if section is not None else ""
    text = to_text(body)
    return PartCheck(key, heading_of(key), _found(key, text, check(text), dismissals))


def _details_check(report, dismissals) -> PartCheck:
    """The details table, value by value (a finding's ``where`` is its row)."""
    part = PartCheck(DETAILS, heading_of(DETAILS))
    for label, value in report.details_rows:
        if value == details.NOT_RECORDED:
            continue
        part.found += _found(
            DETAILS,
            value,
            check(value),
            dismissals,
            first=len(part.found) + 1,
            where=label,
        )
    return part


def check_part(report, part: str, *, body: str | None = None) -> PartCheck:
    """What the check finds in one part of ``report``'s working copy (one query); ``body`` is
    the section's text when the caller has a newer one than ``report`` holds."""
    dismissals = _dismissals(report)
    if part == DETAILS:
        return _details_check(report, dismissals)
    return _section_check(report, part, dismissals, body)


def check_report(report, *, with_details: bool = True) -> list[PartCheck]:
    """Every part of ``report``'s working copy in which the check finds something, in the
    report's order: the details table, then the sections as the template orders them. Reading
    the details needs the BSP's methodologies and the partnership's agencies (prefetch them)."""
    dismissals = _dismissals(report)
    parts = [_details_check(report, dismissals)] if with_details else []
    parts += [_section_check(report, spec.key, dismissals) for spec in SECTIONS]
    return [part for part in parts if part.found]


def open_count(parts: list[PartCheck]) -> int:
    return sum(len(part.open) for part in parts)


def dismissed_count(parts: list[PartCheck]) -> int:
    return sum(len(part.dismissed) for part in parts)


def summary(parts: list[PartCheck]) -> dict:
    """What a page that shows a report's check gives its templates
    (``safeguarding/_findings_summary.html``): the parts, and how many findings are open and
    how many dismissed."""
    return {
        "parts": parts,
        "open_findings": open_count(parts),
        "dismissed_findings": dismissed_count(parts),
    }


def check_text(html: str, part: str = "text") -> PartCheck:
    """The check of a text that is not a part of the report (an addendum): nothing to dismiss."""
    text = to_text(html)
    return PartCheck(part, "", _found(part, text, check(text), {}))


# --- Dismissing a finding -----------------------------------------------------------------------


class AlreadyDismissed(Exception):
    """The finding was dismissed already (a second press, another tab): nothing to do."""


def can_dismiss(user, report) -> bool:
    """The report's authors judge its findings, while they can change its text."""
    return access.can_edit_content(user, report)


@transaction.atomic
def dismiss(*, report, actor, part: str, kind: str, text: str, reason: str) -> FindingDismissal:
    """``actor`` judges that ``text`` (a finding of ``kind`` in ``part``) identifies nobody, and
    says why. Recorded with the reason, and in the audit log; the reviewer sees it."""
    locked = LearningReport.objects.select_for_update().select_related("bsp").get(pk=report.pk)
    if not can_dismiss(actor, locked):
        raise TransitionNotAllowed(
            "Only the report's authors can dismiss a finding, while they can change the report."
        )
    if part != DETAILS and part not in SECTIONS_BY_KEY:
        raise ValidationError("Choose a part of the report.")
    reason = reason.strip()
    if not reason:
        raise ValidationError("Say why this passage does not identify anyone")
    if FindingDismissal.objects.filter(report=locked, part=part, kind=kind, text=text).exists():
        raise AlreadyDismissed(f"“{text}” has already been dismissed.")
    current = check_part(locked, part)
    if not any(f.kind == kind and f.text == text for f in current.found):
        raise ValidationError(
            f"“{text}” is no longer in “{heading_of(part)}”: there is nothing to dismiss."
        )
    dismissal = FindingDismissal(
        report=locked, part=part, kind=kind, text=text, reason=reason, dismissed_by=actor
    )
    dismissal.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            dismissal.save()
    except IntegrityError:  # the other press of the same button got there first
        raise AlreadyDismissed(f"“{text}” has already been dismissed.") from None
    # An entry in the audit log only: nothing follows a dismissal (no e-mail, no new PDF), so
    # it is not announced as a transition.
    workflow.record(
        report=locked,
        name=Transition.DISMISS_FINDING,
        actor=actor,
        comment=(
            f"In “{heading_of(part)}”, “{text}” ({KIND_LABELS.get(kind, kind)}) does not "
            f"identify anyone. Why: {reason}"
        ),
    )
    return dismissal


# --- Marking passages in place ------------------------------------------------------------------

VOID_ELEMENTS = {"br", "hr", "img", "input", "wbr"}


class _Marker(HTMLParser):
    """Re-writes sanitised HTML with each passage of ``found`` wrapped in ``<mark>``, inside the
    text nodes only (a passage across tags gets one mark per piece). Positions count as
    ``richtext.to_text`` does: a tag is a space, a run of white space one space, none at the
    start."""

    def __init__(self, found: list[Found]):
        super().__init__(convert_charrefs=True)
        self.found = found
        self.out: list[str] = []
        self.position = 0  # where the next character of ``to_text`` is
        self.space_pending = False
        self.started = False
        self.labelled: set[str] = set()

    def _space(self):
        if self.started:
            self.space_pending = True

    def handle_starttag(self, tag, attrs):
        self._space()
        self.out.append(self.get_starttag_text())

    def handle_startendtag(self, tag, attrs):
        self._space()
        self.out.append(self.get_starttag_text())

    def handle_endtag(self, tag):
        self._space()
        if tag not in VOID_ELEMENTS:
            self.out.append(f"</{tag}>")

    def handle_data(self, data):
        pieces: list[tuple[tuple[Found, ...], str]] = []
        for char in data:
            if char.isspace():
                self._space()
                index = self.position if self.space_pending else None
            else:
                if self.space_pending:
                    self.position += 1
                    self.space_pending = False
                self.started = True
                index = self.position
                self.position += 1
            covering = (
                tuple(f for f in self.found if f.finding.start <= index < f.finding.end)
                if index is not None
                else ()
            )
            if pieces and pieces[-1][0] == covering:
                pieces[-1] = (covering, pieces[-1][1] + char)
            else:
                pieces.append((covering, char))
        for covering, text in pieces:
            self.out.append(self._marked(covering, text) if covering else escape(text, False))

    def _marked(self, covering, text) -> str:
        label = ""
        for found in covering:
            if found.anchor not in self.labelled:
                self.labelled.add(found.anchor)
                state = "" if found.is_open else " (dismissed)"
                # <small>, not <span>: a footnote's text ends at its first </span>.
                label += (
                    f'<small class="visually-hidden" id="{found.anchor}">Safeguarding check '
                    f"{found.number}{state}: </small>"
                )
        css = "finding" if all(f.is_open for f in covering) else "finding finding--dismissed"
        described = " ".join(f.note_id for f in covering)
        return (
            f'<mark class="{css}" aria-describedby="{described}">{label}'
            f"{escape(text, False)}</mark>"
        )


def mark_html(html: str, found: list[Found]) -> SafeString:
    """``html`` (sanitised rich text) with the passages of ``found`` marked in place."""
    if not found or not html:
        # Sanitised rich text, as it came.
        return mark_safe(html)  # noqa: S308  # nosec B308 B703
    marker = _Marker(found)
    marker.feed(html)
    marker.close()
    # The sanitised text's own tags as they came, its text escaped, and our marks.
    return mark_safe("".join(marker.out))  # noqa: S308  # nosec B308 B703


def mark_plain(text: str, found: list[Found]) -> SafeString:
    """Plain text (a value of the details table), escaped, with ``found`` marked."""
    return mark_html(escape(text, False), found)


def marked_details(rows, parts: list[PartCheck]) -> list[tuple[str, str]]:
    """The rows of the details table with the findings in their values marked."""
    found = next((p.found for p in parts if p.part == DETAILS), [])
    if not found:
        return rows
    return [
        (label, mark_plain(value, [f for f in found if f.where == label])) for label, value in rows
    ]


class _MarkedSource:
    """A report's working copy whose details table has its findings marked (for the preview,
    whose shared report body reads the table from ``document.source``)."""

    def __init__(self, report, details_rows):
        self._report = report
        self.details_rows = details_rows

    def __getattr__(self, name):
        return getattr(self._report, name)


def mark_document(document, parts: list[PartCheck]) -> None:
    """Mark the passages of ``parts`` in ``document`` (``rendering.build_document`` of a
    report's working copy), in place: each section's text, its footnotes (numbered again, in
    the same order) and the details table. Only for the signed-in authoring and review pages:
    never the public page, a PDF, search, a feed or open data."""
    report = document.source
    by_part = {part.part: part for part in parts}
    rendered = {
        section.key: section
        for group in document.groups
        for section in ([group.opening] if group.opening else []) + group.sections
    }
    footnotes = []
    for spec in SECTIONS:
        section = rendered.get(spec.key)
        if section is None or section.pending:
            continue
        body = report.sections_by_key[spec.key].body
        part = by_part.get(spec.key)
        html = mark_html(body, part.found) if part else body
        # Sanitised rich text with our marks (mark_html), its footnotes numbered.
        section.html = mark_safe(number_footnotes(html, footnotes))  # noqa: S308  # nosec B308 B703
    document.footnotes = footnotes
    document.source = _MarkedSource(report, marked_details(report.details_rows, parts))


__all__ = [
    "DETAILS",
    "AlreadyDismissed",
    "Found",
    "PartCheck",
    "can_dismiss",
    "check_part",
    "check_report",
    "check_text",
    "dismiss",
    "dismissed_count",
    "heading_of",
    "mark_document",
    "mark_html",
    "mark_plain",
    "marked_details",
    "open_count",
]
