"""Could this text identify a child? The passages a person should look at before sign-off.

``check(text)`` returns a ``Finding`` for each passage that names a person, gives a person's
age or date of birth, names a school, a street or an estate, gives a postcode, a telephone
number, an e-mail address, an NHS or National Insurance number, or narrows a cohort to a few
young people by age or place ("three girls aged 14 at ..."). Offsets are into ``text``.
``check_html(html)`` does the same for rich text: its offsets are into ``richtext.to_text(html)``
(tags become spaces, runs of white space one space), which callers use to show the context.

The recognisers (``recognisers.py``, loaded when a text is first checked) run in Presidio's
analyzer, offline: a no-op NLP engine (no spaCy model, nothing
downloaded), Presidio's own UK postcode, NHS number (with its mod-11 check) and National Insurance
number recognisers, its telephone recogniser (the ``phonenumbers`` library, GB numbers only), its
e-mail pattern with the bundled public suffix list (no network), and our own patterns. Every
pattern is case-sensitive (``recognisers.FLAGS`` has no IGNORECASE) so that "aged" and capital
letters mean what they say.

A finding is a prompt for a person, not a verdict: a professional named in a section is
reported too (the sign-off block is not checked by this module). Not flagged, on purpose: an
age range of a service ("young people aged 10 to 25", "aged 16 and over", "over 18s", "post 18",
"12-18 months"), "children and young people", "Year 9", local authority, police force and
partnership names, roles without a name ("a youth worker", "the MACE chair"), programme names
(TCE, JTAI, MACE), dates that are not a date of birth, and services' free or non-geographic
telephone numbers (0800, 0808, 03xx, 116: Childline). Over-cautious, on purpose: "two young
people in Torbay" is flagged although the place is a whole area; a person decides.

What it cannot catch:
- a rare job title or role that identifies a person by itself ("the only Sikh foster carer in
  the borough"), and any description unique in a small place;
- a combination spread across sentences or paragraphs (an age in one, a school in the next);
- a first name on its own, nicknames, initials ("J, 15"), names not in ``first_names.txt``
  (or left out of it because they are also everyday words: Will, Grace, Amber) and misspellings;
- places without a street word ("near the Co-op on the seafront"), estates not called "estate";
- ages written out in other ways ("in his mid-teens", "just turned fifteen") and numbers of
  young people written as more than five or as "a couple of".
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cache

from reports.richtext import to_text


@dataclass(frozen=True)
class Finding:
    start: int
    end: int
    kind: str
    text: str
    why: str
    confidence: float


WHY = {
    "name": "A person's name: a child's, a family member's or a professional's.",
    "age": "A person's exact age: with a place, a school or an event it can identify a child.",
    "date_of_birth": "A date of birth identifies a child together with almost anything else.",
    "school": "A named school narrows a child down to a few hundred pupils or fewer.",
    "street": "A street or an estate narrows a child down to a few households.",
    "postcode": "A postcode narrows a child down to a few households.",
    "phone": "A telephone number leads to a person.",
    "email": "An e-mail address leads to a person.",
    "nhs_number": "An NHS number identifies one person.",
    "ni_number": "A National Insurance number identifies one person.",
    "small_cohort": "A handful of young people with an age or a place can be recognised locally.",
}

# --- the patterns ---------------------------------------------------------------------------

ENTITY_KIND = {
    "TCE_NAME": "name",
    "TCE_AGE": "age",
    "TCE_DATE_OF_BIRTH": "date_of_birth",
    "TCE_SCHOOL": "school",
    "TCE_STREET": "street",
    "UK_POSTCODE": "postcode",
    "PHONE_NUMBER": "phone",
    "EMAIL_ADDRESS": "email",
    "UK_NHS": "nhs_number",
    "UK_NINO": "ni_number",
    "TCE_SMALL_COHORT": "small_cohort",
}


@cache
def _analyzer():
    """Presidio's analyzer with our recognisers, made once a process, when a text is first
    checked: imported here, not at the top, because Presidio takes about 90 MB of memory that a
    process serving only public pages never needs (``recognisers.py``)."""
    from . import recognisers

    return recognisers.build_analyzer()


def check(text: str) -> list[Finding]:
    """The passages of ``text`` that could identify a child, in the order they appear.

    Overlapping passages of the same kind are reported as one; a passage inside another of
    another kind is reported too ("aged 14" inside "three girls aged 14 at ...").
    """
    if not text or not text.strip():
        return []
    results = _analyzer().analyze(text=text, language="en", entities=list(ENTITY_KIND))
    results = sorted(results, key=lambda r: (r.start, -(r.end - r.start), -r.score))
    findings: list[Finding] = []
    for result in results:
        kind = ENTITY_KIND[result.entity_type]
        same = next((f for f in findings if f.kind == kind and result.start < f.end), None)
        if same:
            end = max(same.end, result.end)  # "a 14 year old" and "14 year old boy"
            findings[findings.index(same)] = replace(same, end=end, text=text[same.start : end])
            continue
        findings.append(
            Finding(
                start=result.start,
                end=result.end,
                kind=kind,
                text=text[result.start : result.end],
                why=WHY[kind],
                confidence=round(result.score, 2),
            )
        )
    return findings


def check_html(html: str) -> list[Finding]:
    """``check`` on the plain text of rich text: offsets are into ``richtext.to_text(html)``."""
    return check(to_text(html))


@dataclass(frozen=True)
class Scores:
    """How ``check`` does on labelled sentences. An expected passage is found when a finding of
    its kind overlaps it; a finding is right when it overlaps any expected passage."""

    expected: int
    found: int
    findings: int
    right: int
    missed: tuple[tuple[str, str, str], ...]  # (sentence, kind, passage)
    false_alarms: tuple[tuple[str, Finding], ...]

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return self.right / self.findings if self.findings else 1.0


def score(labelled: Iterable[Mapping]) -> Scores:
    """Score ``check`` on ``[{"text": ..., "expected": [{"kind": ..., "text": ...}]}]``; an
    empty ``expected`` marks a harmless sentence."""
    expected = found = findings_count = right = 0
    missed, false_alarms = [], []
    for sentence in labelled:
        text = sentence["text"]
        findings = check(text)
        spans = []
        for item in sentence["expected"]:
            start = text.index(item["text"])
            spans.append((start, start + len(item["text"])))
            expected += 1
            if any(
                f.kind == item["kind"] and f.start < spans[-1][1] and spans[-1][0] < f.end
                for f in findings
            ):
                found += 1
            else:
                missed.append((text, item["kind"], item["text"]))
        for finding in findings:
            findings_count += 1
            if any(finding.start < end and start < finding.end for start, end in spans):
                right += 1
            else:
                false_alarms.append((text, finding))
    return Scores(expected, found, findings_count, right, tuple(missed), tuple(false_alarms))
