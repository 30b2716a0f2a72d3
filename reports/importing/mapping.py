"""From a document's blocks to a proposed draft: the details table, each template section's text
and the sign-off block.

Reports were written on several versions of the Word template, so headings and labels are
recognised by their words, not their exact wording, case, punctuation or numbering ("2. Overall
Goal of the BSP" is "Overall goal of BSP"). Nothing is dropped but the template's own words
(its title, the "Joining the dots" description, the key issues' sub-heading, the running
header): text under a heading that is not the template's stays in the section before it, its
heading kept as a sub-heading, and the warnings say so.
"""

import re
from difflib import SequenceMatcher
from html.parser import HTMLParser

from ..rendering import LOCAL_AREA_PENDING
from ..richtext import sanitise, to_text
from ..template_sections import (
    JOINING_THE_DOTS,
    JOINING_THE_DOTS_INTRO,
    KEY_ISSUES_SUBHEADING,
    SECTIONS,
    SECTIONS_BY_KEY,
)
from . import register
from .document import Block, ImportedDocument, ImportRefused, Kind
from .proposal import ImportedSignoff, Proposal

# A paragraph longer than this is text, never a heading in disguise.
HEADING_MAX_WORDS = 25
# How close a heading's words must be to a section's (difflib's ratio over words).
HEADING_MATCH = 0.75

_STOPWORDS = {"the", "a", "an", "of", "for", "to", "and", "in", "on", "by", "from", "that", "with"}
_NUMBERING = re.compile(r"^(?:section\s+)?(?:\d+(?:\.\d+)*|[ivx]+|[a-z])[.):]\s*", re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9]+")

# Other wordings of the template's headings, from its versions and from reports' own choices.
SECTION_ALIASES = {
    "reasons": ["Reasons for requesting the TCE Support Programme", "Reasons for the request"],
    "overall_goal": ["Overall goal", "Overall goal of the project", "Change goal"],
    "approaches": ["Approaches", "Approaches taken", "Approaches and methods", "Methods"],
    "key_issues": ["Key issues", "Key issues that arose"],
    "joining_the_dots": [JOINING_THE_DOTS],
    "holding_complexity": ["Holding complexity"],
    "significant_learning": ["Significant learning", "Significant learning and transferability"],
    "emerging_evidence": ["Emerging evidence"],
    "local_reflections": ["Local area reflections", "Reflections from the local area"],
}
# The template's own words: furniture of the form, not anybody's writing.
TEMPLATE_WORDS = [
    "Tackling Child Exploitation Support Programme",
    "Project Learning Report",
    KEY_ISSUES_SUBHEADING,
    JOINING_THE_DOTS_INTRO,
    "Sign-off",
]
# The portal's own PDFs (reports/pdfs): under the title, "Standard Bespoke Support Project ·
# South East · 2020-21"; on a draft, the note that it is not the published report.
_REPORT_FACTS = re.compile(r"Bespoke Support Project · .* · \d{4}-\d{2}$")
_DRAFT_NOTE = "This is not the published report: its text may still change."
DETAILS_CAPTION = "Details of Bespoke Support Project (BSP)"

CONSENT_QUESTION = "please tick this box if there is an agreement"
_SIGNOFF_LABEL = re.compile(
    r"^(?P<label>date(?: signed)?|si(?:gn|ng)ed by (?:the )?(?P<who>local area|tce project lead))"
    r"\s*:?\s*(?P<value>.*)$",
    re.IGNORECASE,
)
_TICKED = re.compile(r"[☒☑✓✔✅]|\[x\]|\byes\b", re.IGNORECASE)
_UNTICKED = re.compile(r"[☐□]|\[ \]|\bno\b", re.IGNORECASE)
_NOTE = re.compile(r'<li(?:\s+id="footnote-(\d+)")?[^>]*>(.*?)</li>', re.DOTALL)
_FOOTNOTE_CALL = re.compile(r'(?:<sup>)?<a href="#footnote-(\d+)"[^>]*>[^<]*</a>(?:</sup>)?')


def propose(document: ImportedDocument) -> Proposal:
    """What the document holds, placed in the template: see the module's docstring."""
    proposal = Proposal(warnings=list(document.warnings) + list(document.people_warnings))
    notes = _Footnotes(document.blocks)
    builder = _Builder(proposal)
    for block in _without_the_portals_furniture(document.blocks):
        if block.kind != Kind.FOOTNOTES:
            builder.add(block)
    builder.finish()
    for key, pieces in builder.pieces.items():
        html = sanitise("\n".join(notes.resolve(piece, proposal) for piece in pieces))
        if to_text(html):
            proposal.sections[key] = html
    notes.keep_uncalled(proposal)
    return proposal


NO_STRUCTURE = (
    "No heading of the Project Learning Report template was found in this file, so its text "
    "cannot be placed in the report's sections. Is it a learning report? Give it the template's "
    "headings (for example “Overall goal of BSP”), as headings or as lines in bold, and import "
    "it again."
)


def require_structure(proposal: Proposal) -> Proposal:
    """``proposal``, if the document had at least one of the template's headings; otherwise the
    import is refused (``NO_STRUCTURE``): a file with no recognisable structure is not a report
    to check section by section."""
    if not proposal.headings:
        raise ImportRefused(NO_STRUCTURE)
    return proposal


def _without_the_portals_furniture(blocks: list[Block]) -> list[Block]:
    """A PDF the portal made (exported, then imported again) has its title with the report's
    facts under it, and on a draft a note of its state and the place of the local area's
    reflections still to come: none of it is the report's text."""
    kept: list[Block] = []
    for block in blocks:
        if _REPORT_FACTS.search(block.text):
            if kept and kept[-1].kind == Kind.HEADING:
                kept.pop()  # the report's title, above its facts
            continue
        if block.text.endswith(_DRAFT_NOTE) or block.text == LOCAL_AREA_PENDING:
            continue
        kept.append(block)
    return kept


def heading_key(text: str) -> str | None:
    """The template section a heading names, whatever its wording, case or numbering."""
    words = _words(text)
    if not words:
        return None
    best, best_ratio = None, 0.0
    for spec in SECTIONS:
        for wording in [spec.heading, *SECTION_ALIASES.get(spec.key, [])]:
            ratio = _likeness(words, _words(wording))
            if ratio > best_ratio:
                best, best_ratio = spec.key, ratio
    return best if best_ratio >= HEADING_MATCH else None


def _likeness(words: list[str], wording: list[str]) -> float:
    """1 for the same words; a heading that starts with all of a wording's words (two or more)
    is that wording followed by the author's own ("Key issues arising")."""
    if len(wording) >= 2 and words[: len(wording)] == wording:
        return 1.0
    return SequenceMatcher(None, words, wording).ratio()


def _words(text: str) -> list[str]:
    text = _NUMBERING.sub("", text.strip()).casefold().replace("&", " and ")
    text = text.replace("bespoke support project", "bsp")
    return [word for word in _WORD.findall(text) if word not in _STOPWORDS]


def _is_template_words(text: str) -> bool:
    words = _words(text)
    return bool(words) and any(words == _words(wording) for wording in TEMPLATE_WORDS)


class _Builder:
    """Walks the blocks in order, putting each where it belongs."""

    def __init__(self, proposal: Proposal):
        self.proposal = proposal
        self.pieces: dict[str, list[str]] = {}
        self.current: str | None = None
        self.before_first: list[str] = []  # text before any section's heading
        self.in_signoff = False

    def add(self, block: Block) -> None:
        if _is_template_words(block.text) or _words(block.text) == _words(DETAILS_CAPTION):
            return
        if block.kind == Kind.TABLE:
            self.add_table(block)
        elif self.add_signoff(block.text):
            return
        elif (key := self.section_heading(block)) is not None:
            self.start(key, block.text)
        else:
            self.keep(_subheading(block) if block.kind == Kind.HEADING else block.html, block)

    def section_heading(self, block: Block) -> str | None:
        could_be = block.kind == Kind.HEADING or (
            block.kind == Kind.PARAGRAPH and len(block.text.split()) <= HEADING_MAX_WORDS
        )
        return heading_key(block.text) if could_be else None

    def start(self, key: str, heading: str) -> None:
        if key in self.proposal.headings:
            self.proposal.warnings.append(
                f"“{heading}” names a section the document already had "
                f"(“{self.proposal.headings[key]}”): its text is kept under "
                f"“{SECTIONS_BY_KEY[self.current or key].heading}”, with it as a sub-heading."
            )
            self.pieces.setdefault(self.current or key, []).append(f"<h3>{heading}</h3>")
            return
        self.current, self.in_signoff = key, False
        self.proposal.headings[key] = heading.strip()
        self.pieces.setdefault(key, [])
        if self.before_first:
            self.pieces[key][:0] = self.before_first
            self.proposal.warnings.append(
                "Text before the first section's heading was put at the start of "
                f"“{SECTIONS_BY_KEY[key].heading}”."
            )
            self.before_first = []

    def keep(self, html: str, block: Block) -> None:
        """Text of the current section (or, before any, kept until one starts)."""
        if self.in_signoff:
            self.proposal.warnings.append(
                f"“{_first_words(block.text)}” follows the sign-off block: it is kept at the end "
                f"of “{SECTIONS_BY_KEY[self.current].heading}”."
                if self.current
                else f"“{_first_words(block.text)}” follows the sign-off block."
            )
        if block.kind == Kind.HEADING:
            where = SECTIONS_BY_KEY[self.current].heading if self.current else "the first section"
            self.proposal.warnings.append(
                f"“{block.text}” is not a heading of the template: it is kept as a sub-heading of "
                f"“{where}”, with the text under it."
            )
        if self.current is None:
            self.before_first.append(html)
        else:
            self.pieces[self.current].append(html)

    def add_table(self, block: Block) -> None:
        """The details table, a sign-off block laid out as a table, or a table of the text."""
        cells = _cells(block.html)
        if not all(len(row) == 2 for row in block.rows) or len(cells) != len(block.rows):
            self.keep(block.html, block)
            return
        for (label, value), (_label_html, value_html) in zip(block.rows, cells, strict=True):
            self.add_row(label, value, value_html, block)

    def add_row(self, label: str, value: str, value_html: str, block: Block) -> None:
        if (field := register.detail_field(label, value)) is not None:
            self.proposal.details.append(field)
        elif self.add_signoff(f"{label} {value}"):
            return
        elif (key := heading_key(label)) is not None:
            self.start(key, label)
            self.pieces[self.current].append(_as_paragraphs(value_html))
        else:
            self.keep(f"<p><strong>{label}</strong> {value_html}</p>", block)

    def add_signoff(self, text: str) -> bool:
        """Read a line of the sign-off block into the proposal's; False if it is not one."""
        signoff = self.proposal.signoff
        if text.casefold().startswith(CONSENT_QUESTION):
            signoff = self.proposal.signoff = signoff or ImportedSignoff()
            signoff.consent_to_share = _consent(text)
            self.in_signoff = True
            return True
        label = _SIGNOFF_LABEL.match(text.strip())
        if label is None or (signoff is None and not label.group("who")):
            return False  # "Date: ..." in the text is only a date once the block has begun
        signoff = self.proposal.signoff = signoff or ImportedSignoff()
        self.in_signoff = True
        value = label.group("value").strip()
        who = (label.group("who") or "").casefold()
        if who == "local area":
            name, role = register.name_and_role(value)
            signoff.local_area_signatory, signoff.local_area_role = name, role
            if value and role:
                self.proposal.warnings.append(
                    f"“{value}” (signed by the local area) was read as the name “{name}” and "
                    f"the role “{role}”: check them."
                )
        elif who:
            signoff.tce_project_lead = value
        else:
            signoff.date = value
        return True

    def finish(self) -> None:
        if self.before_first:
            key = SECTIONS[0].key
            self.proposal.warnings.append(
                "No heading of the template was recognised: all the text is in "
                f"“{SECTIONS_BY_KEY[key].heading}”. Move it to its sections."
            )
            self.pieces.setdefault(key, [])[:0] = self.before_first


def _subheading(block: Block) -> str:
    """A heading that is not a section's, as the sub-heading it becomes inside one."""
    tag = "h4" if block.level > 3 else "h3"
    inner = re.sub(r"^<(h\d|p)>(.*)</\1>$", r"\2", block.html.strip(), flags=re.DOTALL)
    inner = re.sub(r"^<strong>(.*)</strong>$", r"\1", inner, flags=re.DOTALL)
    return f"<{tag}>{inner}</{tag}>"


def _as_paragraphs(html: str) -> str:
    """A table cell's text as the section's paragraphs (its line breaks were paragraphs)."""
    if re.search(r"<(p|ul|ol|h3|h4|table)\b", html):
        return html
    return "\n".join(f"<p>{piece}</p>" for piece in re.split(r"<br\s*/?>", html) if piece.strip())


def _consent(text: str) -> bool | None:
    """The consent question's answer, when the document still shows its tick box."""
    answer = text[len(CONSENT_QUESTION) :].split(":", 1)[-1] if ":" in text else ""
    if _TICKED.search(answer):
        return True
    if _UNTICKED.search(answer):
        return False
    return None


def _first_words(text: str, count: int = 8) -> str:
    words = text.split()
    return " ".join(words[:count]) + ("…" if len(words) > count else "")


class _CellReader(HTMLParser):
    """The inner HTML of each cell of a sanitised table, row by row."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th") and self.rows:
            self.cell = []
        elif self.cell is not None:
            self.cell.append(self.get_starttag_text())

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append("".join(self.cell).strip())
            self.cell = None
        elif self.cell is not None:
            self.cell.append(f"</{tag}>")

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)

    def handle_entityref(self, name):
        self.handle_data(f"&{name};")

    def handle_charref(self, name):
        self.handle_data(f"&#{name};")


def _cells(html: str) -> list[list[str]]:
    reader = _CellReader()
    reader.feed(html)
    reader.close()
    return reader.rows


class _Footnotes:
    """The document's footnotes, put in the text where they are called, as the portal keeps
    them: ``<span class="footnote">...</span>`` (see ``reports.richtext``)."""

    def __init__(self, blocks: list[Block]):
        self.notes: dict[str, str] = {}
        for block in blocks:
            if block.kind == Kind.FOOTNOTES:
                items = _NOTE.findall(block.html)
                # A note's number: its id, else the reader's rows, else its place (1, 2...).
                numbers = [row[0] for row in block.rows] or range(1, len(items) + 1)
                for (number, note), place in zip(items, numbers, strict=False):
                    self.notes[number or str(place)] = note.strip()
        self.called: set[str] = set()

    def resolve(self, html: str, proposal: Proposal) -> str:
        def note(match: re.Match) -> str:
            number = match.group(1)
            if number not in self.notes:
                proposal.warnings.append(f"Footnote {number} is called but has no text.")
                return match.group(0)
            self.called.add(number)
            return f'<span class="footnote">{self.notes[number]}</span>'

        return _FOOTNOTE_CALL.sub(note, html)

    def keep_uncalled(self, proposal: Proposal) -> None:
        """Notes no text calls are kept too: at the end of the last section, with a warning."""
        uncalled = [number for number in self.notes if number not in self.called]
        if not uncalled or not proposal.sections:
            return
        last = list(proposal.sections)[-1]
        paragraphs = "".join(f"<p>{self.notes[number]}</p>" for number in uncalled)
        proposal.sections[last] = sanitise(proposal.sections[last] + "\n" + paragraphs)
        proposal.warnings.append(
            f"Footnotes {', '.join(uncalled)} are not called in the text: they are kept at the "
            f"end of “{SECTIONS_BY_KEY[last].heading}”."
        )
