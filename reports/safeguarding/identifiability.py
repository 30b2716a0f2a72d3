"""Could this text identify a child? The passages a person should look at before sign-off.

``check(text)`` returns a ``Finding`` for each passage that names a person, gives a person's
age or date of birth, names a school, a street or an estate, gives a postcode, a telephone
number, an e-mail address, an NHS or National Insurance number, or narrows a cohort to a few
young people by age or place ("three girls aged 14 at ..."). Offsets are into ``text``.
``check_html(html)`` does the same for rich text: its offsets are into ``richtext.to_text(html)``
(tags become spaces, runs of white space one space), which callers use to show the context.

The recognisers run in Presidio's analyzer, offline: a no-op NLP engine (no spaCy model, nothing
downloaded), Presidio's own UK postcode, NHS number (with its mod-11 check) and National Insurance
number recognisers, its telephone recogniser (the ``phonenumbers`` library, GB numbers only), its
e-mail pattern with the bundled public suffix list (no network), and our own patterns below. Every
pattern is case-sensitive (``FLAGS`` has no IGNORECASE) so that "aged" and capital letters mean
what they say.

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

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import tldextract
from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
from presidio_analyzer.nlp_engine import NoOpNlpEngine
from presidio_analyzer.predefined_recognizers import (
    EmailRecognizer,
    NhsRecognizer,
    PhoneRecognizer,
    UkNinoRecognizer,
    UkPostcodeRecognizer,
)

from reports.richtext import to_text

FLAGS = re.DOTALL | re.MULTILINE
FIRST_NAMES_FILE = Path(__file__).with_name("first_names.txt")


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

_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    "fifteen|sixteen|seventeen|eighteen|nineteen"
)
AGE = rf"(?:1[0-9]|[1-9]|{_NUMBER_WORDS})"
# An age followed by this is a range of a service, not a person's age.
_RANGE = r"(?!\s*(?:[-–+]|(?:to|and|or)\s+(?:\d|over|under|above|older|younger|[a-z]+teen)))"
_PERSON = (
    r"(?:boy|girl|child|young person|son|daughter|brother|sister|sibling|man|woman|teenager|"
    r"pupil|student)"
)
AGE_PATTERNS = [
    Pattern("aged 14", rf"\baged\s+{AGE}\b{_RANGE}", 0.8),
    Pattern("a 15-year-old", rf"\b(?:[Aa]n?|[Tt]he)\s+{AGE}[- ]year[- ]old\b(?!s)", 0.85),
    Pattern("14 year old boy", rf"\b{AGE}[- ]years?[- ]old\s+{_PERSON}\b", 0.85),
    Pattern("was 15 years old", rf"\b(?:is|was|turned|now|being)\s+{AGE}\s+years?\s+old\b", 0.8),
    Pattern(
        "who is 15",
        rf"\bwho\s+(?:is|was)\s+(?:now\s+)?{AGE}\b"
        r"(?!\s*(?:%|per\s?cent|months?|weeks?|days?|years?\s+(?:ago|into|on)))",
        0.7,
    ),
    Pattern("Jayden, 15,", r"\b[A-Z][a-z]+,\s+(?:1[0-9]|[1-9]),", 0.6),
]

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)"
)
_DATE = (
    r"(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+\d{{4}}"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|{_MONTH}\s+\d{{4}}"
    r"|(?:19|20)\d{2})"
)
DATE_OF_BIRTH_PATTERNS = [
    Pattern(
        "date of birth",
        r"\b(?:(?:[Dd]ate of birth|DOB|DoB|D\.O\.B\.?)(?:\s+(?:is|was|as|of))?"
        r"|[Bb]orn(?:\s+(?:on|in))?)"
        rf"\s*:?\s*{_DATE}\b",
        0.9,
    ),
]

_TITLE = (
    r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Sir|Dame|Cllr|Councillor|Rev|Revd|PC|PCSO|DC|DS|"
    r"DI|DCI|Sgt|Sergeant|Inspector)"
)
SURNAME = r"(?:Mc|Mac|O['’]|D['’])?[A-Z][a-z]+(?:-[A-Z][a-z]+)?\b"
# Words that, after a first name, make a place or an organisation rather than a surname.
_NOT_SURNAME = (
    r"(?:Street|Road|Avenue|Lane|Close|Drive|Crescent|Parade|Terrace|Way|Gardens|Grove|Place|"
    r"Square|Hill|Park|Rise|Walk|Court|Row|Mews|Estate|School|Academy|College|University|"
    r"Centre|Center|Hospital|House|Hall|Trust|Foundation|Council|Police|Partnership|Project|"
    r"Programme|Review|Report|Board|Group|Team|Unit|Service|Services|Station|Church|Primary|"
    r"Secondary|Institute|Award|Act|Day|Week|Fund|Prize|Lecture|Memorial|Community|Children|"
    r"Safeguarding|"
    # Words that start the next sentence, or an inline footnote's text, after a name.
    r"The|This|That|These|Those|A|An|In|At|On|For|From|To|Of|And|But|With|By|It|We|They|He|"
    r"She|His|Her|Our|Their|See|As|If|When)\b"
)


def _first_names() -> list[str]:
    lines = FIRST_NAMES_FILE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _name_patterns() -> list[Pattern]:
    first = "|".join(sorted(_first_names(), key=len, reverse=True))
    return [
        Pattern(
            "title and name",
            rf"\b{_TITLE}\.?\s+(?:[A-Z]\.?\s+)?{SURNAME}(?:\s+(?!{_NOT_SURNAME}){SURNAME})?",
            0.9,
        ),
        Pattern(
            "first name and surname",
            rf"(?<!\bSt\.?\s)(?<!\bSaint\s)\b(?:{first})\s+(?!{_NOT_SURNAME}){SURNAME}",
            0.7,
        ),
    ]


# A capitalised word that can be part of a school's, a street's or an estate's own name:
# not an article, a preposition or a word that only says what kind of school it is.
_NAME_WORD = (
    r"(?!(?:The|A|An|This|That|These|Our|Their|Its|Local|Every|Each|Any|All|Primary|Secondary|"
    r"Special|Virtual|Independent|Free|High|Grammar|Infant|Junior|Further|Higher|Education|"
    r"Sixth|Form|Boarding|Alternative|Mainstream|Faith|State|Village|Community|Schools|Police|"
    r"Car|Business|Retail|Real|In|At|From|To|For|Of|And|With|By|On|Near)\b)"
    r"(?:St\.?|Saint|[A-Z][a-z]+(?:['’]s?)?(?:-[A-Z][a-z]+)?)"
)
_SCHOOL_KIND = (
    r"(?:(?:Primary|Secondary|High|Grammar|Infant|Junior|Community|Catholic|CE|RC|"
    r"Church of England|C of E|Special|Free|Independent|Preparatory|Prep)\s+){0,2}"
    r"(?:School|Academy|College)\b(?!\s+of\b)"
)
SCHOOL_PATTERNS = [
    Pattern("named school", rf"\b(?:{_NAME_WORD}\s+){{1,4}}{_SCHOOL_KIND}", 0.8),
    Pattern(
        "pupil referral unit", rf"\b(?:{_NAME_WORD}\s+){{1,3}}(?:Pupil Referral Unit|PRU)\b", 0.8
    ),
]
STREET_PATTERNS = [
    Pattern(
        "street",
        rf"\b(?:\d{{1,4}}[a-z]?\s+)?(?:{_NAME_WORD}\s+){{1,3}}"
        r"(?:Road|Street|Avenue|Lane|Close|Drive|Crescent|Parade|Terrace|Gardens|Grove|Square|"
        r"Rise|Mews|Park)\b",
        0.75,
    ),
    Pattern("estate", rf"\b(?:{_NAME_WORD}\s+){{1,3}}[Ee]state\b", 0.8),
]

_FEW = r"(?:[Tt]wo|[Tt]hree|[Ff]our|[Ff]ive|[2-5])"
_YOUNG_PEOPLE = (
    r"(?:girls|boys|siblings|brothers|sisters|young people|children|teenagers|young men|"
    r"young women|pupils|friends|cousins|sons|daughters|twins)"
)
# Within the same sentence, soon after: an age, a named place, or an estate.
_NARROWING = (
    r"(?:\baged\s+\w+|\b\w+[- ]years?[- ]olds?\b"
    r"|\b(?:at|from|in|on|near|attending)\s+(?:the\s+)?[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*"
    r"(?:\s+estate\b)?"
    r"|\b\w+\s+estate\b)"
)
SMALL_COHORT_PATTERNS = [
    Pattern(
        "a few young people with an age or a place",
        rf"\b{_FEW}\s+(?:[a-z]+\s+)?{_YOUNG_PEOPLE}\b[^.;:!?]{{0,40}}?{_NARROWING}",
        0.6,
    ),
]


class _OfflineEmailRecognizer(EmailRecognizer):
    """Presidio's e-mail pattern, checked against the public suffix list bundled with
    tldextract: the default extractor would try to download the list."""

    _extract = tldextract.TLDExtract(cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True)

    def validate_result(self, pattern_text: str) -> bool:
        return self._extract(pattern_text).fqdn != ""


class _UkPhoneRecognizer(PhoneRecognizer):
    """GB numbers, except the free and non-geographic ones services publish (0800, 0808, 03xx,
    116 xxx: Childline, the NSPCC, a council's contact centre): those lead to no child."""

    SCORE = 0.8
    SERVICE_PREFIXES = ("080", "03", "116", "4480", "443", "44116")

    def analyze(self, text, entities, nlp_artifacts=None):
        return [
            result
            for result in super().analyze(text, entities, nlp_artifacts)
            if not re.sub(r"\D", "", text[result.start : result.end]).startswith(
                self.SERVICE_PREFIXES
            )
        ]


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


def _recognisers() -> list:
    ours = [
        PatternRecognizer("TCE_NAME", patterns=_name_patterns(), global_regex_flags=FLAGS),
        PatternRecognizer("TCE_AGE", patterns=AGE_PATTERNS, global_regex_flags=FLAGS),
        PatternRecognizer(
            "TCE_DATE_OF_BIRTH", patterns=DATE_OF_BIRTH_PATTERNS, global_regex_flags=FLAGS
        ),
        PatternRecognizer("TCE_SCHOOL", patterns=SCHOOL_PATTERNS, global_regex_flags=FLAGS),
        PatternRecognizer("TCE_STREET", patterns=STREET_PATTERNS, global_regex_flags=FLAGS),
        PatternRecognizer(
            "TCE_SMALL_COHORT", patterns=SMALL_COHORT_PATTERNS, global_regex_flags=FLAGS
        ),
    ]
    presidios = [
        UkPostcodeRecognizer(
            patterns=[Pattern("UK postcode", UkPostcodeRecognizer.PATTERNS[0].regex, 0.8)]
        ),
        UkNinoRecognizer(patterns=[Pattern("NI number", UkNinoRecognizer.PATTERNS[0].regex, 0.85)]),
        NhsRecognizer(),  # a number that passes the mod-11 check scores 1.0, others are dropped
        _OfflineEmailRecognizer(),
    ]
    for recogniser in presidios:
        # Their constructors leave IGNORECASE on, which lets "ab 12 cd" pass for a postcode.
        recogniser.global_regex_flags = FLAGS
    return [*ours, *presidios, _UkPhoneRecognizer(supported_regions=("GB",))]


@cache
def _analyzer() -> AnalyzerEngine:
    registry = RecognizerRegistry(
        recognizers=_recognisers(), global_regex_flags=FLAGS, supported_languages=["en"]
    )
    engine = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "none"}])
    return AnalyzerEngine(registry=registry, nlp_engine=engine, supported_languages=["en"])


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
