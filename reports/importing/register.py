"""The details table's rows, recognised by their labels and matched to the register.

Each value is kept as the document words it (the report's ``..._as_stated`` wording). Where it
clearly names something the register holds (a local authority, a region or a police force's
region, a methodology, a way of delivery, a month) that is given too; anything else waits for a
person to confirm it.
"""

import datetime
import re

from partnerships.models import (
    Agency,
    BSPType,
    DeliveryMode,
    LocalAuthority,
    Methodology,
    Partnership,
    Region,
)
from partnerships.reference_data import POLICE_FORCE_REGIONS

from .proposal import DetailField

# The table's first row names the BSP's partnership, which the register holds: it is checked
# against the BSP, never changed by an import (the details form has no field for it).
PARTNERSHIP = "partnership"

# (key, words the label has): the first that fits. Keys are fields of the details form
# (reports.authoring.forms.BSPDetailsForm), but for the partnership.
_LABELS = [
    (PARTNERSHIP, ("partnership", "name")),
    ("agencies_as_stated", ("agenc",)),
    ("local_authorities_as_stated", ("local authorit",)),
    ("regional_area_as_stated", ("region",)),
    ("size", ("size",)),
    ("methodology_as_stated", ("methodolog",)),
    ("delivery_mode_as_stated", ("delivery",)),
    ("delivery_mode_as_stated", ("face to face",)),
    ("commenced_as_stated", ("commenced",)),
    ("commenced_as_stated", ("start",)),
]
_POLICE = re.compile(r"\s+(?:police(?: force| service)?|constabulary)\b.*$", re.IGNORECASE)
_ROLE_WORDS = {
    "chair",
    "manager",
    "head",
    "director",
    "lead",
    "officer",
    "coordinator",
    "co-ordinator",
    "strategic",
    "senior",
    "assistant",
    "deputy",
    "interim",
    "independent",
    "business",
    "service",
    "services",
    "safeguarding",
    "partnership",
    "principal",
    "team",
    "superintendent",
    "inspector",
    "detective",
    "chief",
}


def detail_field(label: str, value: str) -> DetailField | None:
    """The details table's field of a row, or None when ``label`` is not one of its labels."""
    key = _key_of(label)
    if key is None:
        return None
    matched = _MATCHERS[key](value.strip())
    return DetailField(
        key=key,
        label=label.strip().rstrip(":").strip(),
        value=value.strip(),
        matched=matched,
        needs_confirming=matched is None,
    )


def _key_of(label: str) -> str | None:
    words = " ".join(re.findall(r"[a-z]+", label.casefold().replace("-", " ")))
    for key, needles in _LABELS:
        if all(needle in words for needle in needles):
            return key
    return None


def _casefolded(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.casefold().replace("&", " and ")))


def _partnership(value: str) -> str | None:
    found = Partnership.objects.filter(name__iexact=value).first()
    return found.name if found else None


def _agencies(value: str) -> str | None:
    """The register's agencies the value lists, in its order, when it lists nothing else
    ("East Sussex County Council Sussex Police", pasted from cells, has no separators)."""
    rest, found = _casefolded(value), []
    names = sorted(Agency.objects.values_list("name", flat=True), key=len, reverse=True)
    while rest:
        name = next((n for n in names if rest.startswith(_casefolded(n))), None)
        if name is None:
            return None
        found.append(name)
        rest = rest[len(_casefolded(name)) :].strip()
    return "; ".join(found) or None


def _local_authorities(value: str) -> str | None:
    """The local authorities the value names, when every part of it names one."""
    parts = [part for part in re.split(r"[,;/]|\band\b", value) if part.strip()]
    found = []
    for part in parts:
        authority = LocalAuthority.objects.filter(name__iexact=part.strip()).first()
        if authority is None:
            return None
        found.append(authority.name)
    return "; ".join(found) or None


def _region(value: str) -> str | None:
    """A region's slug: the region the value names, or the region of the police force it
    names ("Sussex Police" is policed in the South East)."""
    wanted = _casefolded(value)
    for region in Region.objects.all():
        if wanted in {_casefolded(region.name), _casefolded(region.ons_name), region.slug}:
            return region.slug
    force = _casefolded(_POLICE.sub("", value))
    codes = {_casefolded(name): code for name, code in POLICE_FORCE_REGIONS.items()}
    if force in codes:
        return Region.objects.filter(ons_code=codes[force]).values_list("slug", flat=True).first()
    return None


def _size(value: str) -> str | None:
    """The BSP type the value names, if it names one ("Standard"); "Unitary" names none."""
    wanted = value.strip().casefold()
    return next((t.value for t in BSPType if t.label.casefold() == wanted), None)


def _methodologies(value: str) -> str | None:
    """The register's methodologies the value names ("Bespoke - Disruption/ Data": Bespoke,
    Data; "Cultural Change Project": Cultural change)."""
    wanted = f" {_casefolded(value)} "
    found = [
        name
        for name in Methodology.objects.order_by("name").values_list("name", flat=True)
        if f" {_casefolded(name)} " in wanted
    ]
    return "; ".join(found) or None


def _delivery(value: str) -> str | None:
    """A delivery mode: mixed, digital or face to face."""
    wanted = _casefolded(value.replace("-", " "))
    for mode in (DeliveryMode.MIXED, DeliveryMode.DIGITAL, DeliveryMode.FACE_TO_FACE):
        if _casefolded(mode.label) in wanted:
            return mode.value
    return None


def _month(value: str) -> str | None:
    """The month the value names, as YYYY-MM ("August 2020", "Nov 2020", "11/2020")."""
    for pattern in ("%B %Y", "%b %Y", "%m/%Y", "%d/%m/%Y", "%Y-%m"):
        try:
            day = datetime.datetime.strptime(value.strip().rstrip("."), pattern).date()
        except ValueError:
            continue
        return f"{day:%Y-%m}"
    return None


_MATCHERS = {
    PARTNERSHIP: _partnership,
    "agencies_as_stated": _agencies,
    "local_authorities_as_stated": _local_authorities,
    "regional_area_as_stated": _region,
    "size": _size,
    "methodology_as_stated": _methodologies,
    "delivery_mode_as_stated": _delivery,
    "commenced_as_stated": _month,
}


def name_and_role(value: str) -> tuple[str, str]:
    """A signatory as written ("Vicky Finnemore MACE Strategic Chair", where Word had a line
    break): the name and the role. Split at a comma or semicolon if there is one, else where
    the role's words begin (a word in capitals or a word of job titles)."""
    pieces = re.split(r"\s*[,;–]\s*|\s+-\s+", value.strip(), maxsplit=1)
    if len(pieces) == 2:
        return pieces[0], pieces[1]
    words = value.split()
    for index, word in enumerate(words[1:], start=1):
        if word.isupper() or word.casefold().strip(".,") in _ROLE_WORDS:
            return " ".join(words[:index]), " ".join(words[index:])
    return value.strip(), ""
