"""The recognisers of the identifiability check (``identifiability.py``), in Presidio's analyzer:
our own patterns (names, ages, dates of birth, schools, streets and estates, small cohorts) and
Presidio's UK postcode, NHS number, National Insurance number, e-mail and telephone recognisers,
all offline (a no-op NLP engine: no spaCy model, nothing downloaded).

Presidio, with what it loads, takes about 90 MB of memory: ``identifiability`` imports this module
only when a text is first checked, so a process that serves only public pages never loads it.
"""

import re
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

FLAGS = re.DOTALL | re.MULTILINE
FIRST_NAMES_FILE = Path(__file__).with_name("first_names.txt")

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


def build_analyzer() -> AnalyzerEngine:
    registry = RecognizerRegistry(
        recognizers=_recognisers(), global_regex_flags=FLAGS, supported_languages=["en"]
    )
    engine = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "none"}])
    return AnalyzerEngine(registry=registry, nlp_engine=engine, supported_languages=["en"])
