"""Demo data: the 2020-21 register of BSPs and the two real reports, for development.

Everything here is idempotent: a second run finds what the first one made and changes nothing.
"""

import csv
import datetime
import json
import re
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.text import slugify

from accounts.models import Role, User
from partnerships.models import (
    Agency,
    BespokeSupportProject,
    BSPType,
    DeliveryMode,
    LocalAuthority,
    Methodology,
    Partnership,
    PartnershipAgency,
    Region,
    Theme,
)

from . import editions
from .authoring.services import create_report
from .models import (
    LearningReport,
    ReportEvent,
    ReportSection,
    SectionStatus,
    Signature,
    Status,
    Transition,
)
from .template_sections import SECTION_KEYS

REGISTER_CSV = Path(__file__).resolve().parent / "fixtures" / "bsp_register_2020-21.csv"
DEMO_CONTENT = Path(__file__).resolve().parent / "demo_content"
LONDON = ZoneInfo("Europe/London")

# The register names local areas; these are the upper-tier authorities (ONS names) each covers.
AREA_AUTHORITIES = {
    "Herefordshire": ["Herefordshire, County of"],
    "Staffordshire and Stoke-on-Trent": ["Staffordshire", "Stoke-on-Trent"],
    "Redcar & Cleveland": ["Redcar and Cleveland"],
    "Nottingham City and Nottinghamshire": ["Nottingham", "Nottinghamshire"],
    "Stockton and Hartlepool": ["Stockton-on-Tees", "Hartlepool"],
    "Pan Bedfordshire": ["Bedford", "Central Bedfordshire", "Luton"],
    "West Yorkshire": ["Bradford", "Calderdale", "Kirklees", "Leeds", "Wakefield"],
    "Northumbria": [
        "Gateshead",
        "Newcastle upon Tyne",
        "North Tyneside",
        "South Tyneside",
        "Sunderland",
    ],
}
LONDON_KIND = LocalAuthority.Kind.LONDON_BOROUGH

# Words of the register's focus column -> themes; "Bespoke" there is a methodology.
FOCUS_THEMES = {
    "partnership": "Partnership",
    "data": "Data",
    "strategy": "Strategy",
    "culture": "Culture",
    "disruption": "Disruption",
    "quality assurance": "Quality assurance",
    "transitional safeguarding": "Transitional safeguarding",
    "early intervention": "Early intervention",
    "community response to ce": "Community response",
    "mixed": "Mixed",
}
FOCUS_METHODOLOGIES = {"bespoke": "Bespoke"}

DEMO_REPORTS = {
    # local area in the register -> (demo content folder, methodologies named in the report)
    "East Sussex": ("east-sussex", ["Bespoke", "Data"]),
    "Torbay": ("torbay", ["Cultural change"]),
}


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    job_title: str
    role: str


DEMO_USERS = [
    DemoUser("admin@example.org", "Pat Okafor", "Programme administrator", Role.PROGRAMME_ADMIN),
    DemoUser("lead@example.org", "Sam Whitfield", "TCE project lead", Role.TCE_LEAD),
    DemoUser("partner@example.org", "Jo Ramsay", "Delivery partner", Role.DELIVERY_PARTNER),
    DemoUser("local@example.org", "Chris Penrose", "Partnership business manager", Role.LOCAL_LEAD),
]


def split_area(local_area: str) -> tuple[str, list[str]]:
    """ "Northumbria – Gateshead, Newcastle..." -> ("Northumbria", [...named authorities])."""
    name, _, members = local_area.partition(" – ")
    return name.strip(), [m.strip() for m in re.split(r",| and ", members) if m.strip()]


def parse_focus(focus: str) -> tuple[list[str], list[str]]:
    words = [w.strip().lower() for w in re.split(r"/|–", focus) if w.strip()]
    themes = [FOCUS_THEMES[w] for w in words if w in FOCUS_THEMES]
    methodologies = [FOCUS_METHODOLOGIES[w] for w in words if w in FOCUS_METHODOLOGIES]
    unknown = [w for w in words if w not in FOCUS_THEMES and w not in FOCUS_METHODOLOGIES]
    if unknown:
        raise ValueError(f"Unknown focus words {unknown!r} in {focus!r}")
    return themes, methodologies


def parse_month(text: str) -> datetime.date | None:
    for fmt in ("%B %Y", "%b %Y"):
        try:
            return datetime.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def parse_delivery(text: str) -> str:
    lowered = text.lower()
    for mode in (DeliveryMode.MIXED, DeliveryMode.DIGITAL):
        if mode.label.lower() in lowered:
            return mode
    return DeliveryMode.FACE_TO_FACE if "face" in lowered else ""


def register_rows():
    with REGISTER_CSV.open(newline="", encoding="utf-8") as f:
        yield from csv.DictReader(f)


def authorities_for(local_area: str, short_name: str, named: list[str]):
    if local_area == "Greater London":
        return list(LocalAuthority.objects.filter(kind=LONDON_KIND))
    names = AREA_AUTHORITIES.get(short_name) or AREA_AUTHORITIES.get(local_area) or [short_name]
    found = list(LocalAuthority.objects.filter(name__in=names))
    if len(found) != len(names):
        missing = set(names) - {la.name for la in found}
        raise ValueError(f"No local authority named {sorted(missing)} for {local_area!r}")
    return found


def read_details(folder: str) -> dict:
    return json.loads((DEMO_CONTENT / folder / "details.json").read_text(encoding="utf-8"))


def seed_users(password: str | None, torbay: Partnership) -> list[tuple[DemoUser, bool]]:
    results = []
    for demo in DEMO_USERS:
        fields = {"full_name": demo.full_name, "job_title": demo.job_title, "role": demo.role}
        if demo.role == Role.LOCAL_LEAD:
            fields["partnership"] = torbay
        if demo.role == Role.PROGRAMME_ADMIN:
            fields.update(is_staff=True, is_superuser=True)
        user, created = User.objects.update_or_create(email=demo.email, defaults=fields)
        if created or password is not None:
            user.set_password(password or "demo")
            user.save(update_fields=["password"])
        results.append((demo, created))
    return results


def seed_bsp(row: dict) -> BespokeSupportProject:
    local_area = row["local_area"]
    short_name, _named = split_area(local_area)
    demo = DEMO_REPORTS.get(local_area)
    details = read_details(demo[0]) if demo else {}
    region = Region.objects.get(name=row["region"])
    partnership_name = details.get("partnership_name") or short_name
    partnership, _ = Partnership.objects.get_or_create(
        name=partnership_name, defaults={"slug": slugify(short_name), "region": region}
    )
    partnership.local_authorities.add(*authorities_for(local_area, short_name, _named))
    for position, name in enumerate(details.get("core_partner_agencies", [])):
        PartnershipAgency.objects.get_or_create(
            partnership=partnership,
            agency=Agency.objects.get_or_create(name=name)[0],
            defaults={"position": position},
        )

    themes, methodologies = parse_focus(row["focus"])
    if demo:
        methodologies = sorted({*methodologies, *demo[1]})
    bsp, _ = BespokeSupportProject.objects.get_or_create(
        programme_year=int(row["programme_year"][:4]),
        local_area=local_area,
        defaults={
            "partnership": partnership,
            "region": region,
            "bsp_type": BSPType(row["bsp_type"].lower()),
            "number_of_local_authorities": int(row["local_authorities"]),
            "focus_as_stated": row["focus"],
            "size": details.get("size_as_stated", ""),
            "methodology_as_stated": details.get("methodology_as_stated", ""),
            "delivery_mode": parse_delivery(details.get("delivery_as_stated", "")),
            "delivery_mode_as_stated": details.get("delivery_as_stated", ""),
            "commenced": parse_month(details.get("commenced_as_stated", "")),
            "commenced_as_stated": details.get("commenced_as_stated", ""),
            "agencies_as_stated": details.get("agencies_as_stated", ""),
            "local_authorities_as_stated": details.get("local_authority_areas_as_stated", ""),
            "regional_area_as_stated": details.get("regional_area_as_stated", ""),
        },
    )
    bsp.full_clean()
    bsp.themes.add(*Theme.objects.filter(name__in=themes))
    bsp.methodologies.add(*Methodology.objects.filter(name__in=methodologies))
    return bsp


def seed_events(report: LearningReport, signoff: dict, partner: User) -> None:
    """The report's history in the audit log, once. East Sussex: its real sign-off, countersignature
    and publication on 12/07/2021 (the signatories have no account: their names are in the
    comments; the times of day are not known). Torbay: the partner's submission for sign-off."""
    if report.events.exists():
        return
    content_hash = report.content_hash()
    if report.status == Status.AWAITING_SIGNOFF:
        ReportEvent.objects.create(
            report=report,
            actor=partner,
            transition=Transition.SUBMIT,
            from_status=Status.DRAFT,
            to_status=Status.AWAITING_SIGNOFF,
            content_hash=content_hash,
        )
        return
    signed_on = datetime.datetime.strptime(signoff["date"], "%d/%m/%Y").date()
    source = f"recorded from the signed report of {signed_on:%d/%m/%Y}"
    consent = "agreeing" if signoff["consent_to_share"] else "not agreeing"
    steps = [
        (
            Transition.SUBMIT,
            Status.DRAFT,
            Status.AWAITING_SIGNOFF,
            f"Sent for sign-off ({source}).",
        ),
        (
            Transition.SIGN_OFF,
            Status.AWAITING_SIGNOFF,
            Status.SIGNED_OFF,
            f"Signed by {signoff['local_area_signatory']}, {signoff['local_area_role']}, for "
            f"the local area, {consent} to share the report on the microsite ({source}).",
        ),
        (
            Transition.COUNTERSIGN,
            Status.SIGNED_OFF,
            Status.COUNTERSIGNED if signoff["consent_to_share"] else Status.NOT_FOR_PUBLICATION,
            f"Countersigned by {signoff['tce_project_lead']}, TCE Project Lead ({source}).",
        ),
    ]
    if report.status == Status.PUBLISHED:
        steps.append(
            (Transition.PUBLISH, Status.COUNTERSIGNED, Status.PUBLISHED, f"Published ({source}).")
        )
    for hour, (transition, from_status, to_status, comment) in enumerate(
        steps, start=12 - len(steps) + 1
    ):
        ReportEvent.objects.create(
            report=report,
            transition=transition,
            from_status=from_status,
            to_status=to_status,
            comment=comment,
            content_hash=content_hash,
            created_at=datetime.datetime.combine(signed_on, datetime.time(hour), LONDON),
        )


def seed_edition(report: LearningReport) -> None:
    """A published report's first edition, as it was published (the recorded publication)."""
    if report.status != Status.PUBLISHED or report.published_edition_id is not None:
        return
    published = report.events.latest_of(Transition.PUBLISH)
    editions.freeze(report=report, event=published, actor=None)


def seed_report(bsp: BespokeSupportProject, folder: str) -> LearningReport:
    details = read_details(folder)
    signoff = details["signoff"]
    signed = bool(signoff["date"])
    report, created = LearningReport.objects.get_or_create(
        bsp=bsp,
        defaults={"title": bsp.local_area, "slug": slugify(bsp.local_area)},
    )
    if not created:
        return report
    for path in sorted((DEMO_CONTENT / folder).glob("*.html")):
        key = path.stem
        if key not in SECTION_KEYS:
            raise ValueError(f"{path} is not a section of the report template")
        ReportSection.objects.create(
            report=report,
            key=key,
            body=path.read_text(encoding="utf-8"),
            status=SectionStatus.COMPLETED,
        )
    if not signed:
        # The seed has the heading with nothing under it: the local area has yet to write it.
        ReportSection.objects.get_or_create(report=report, key="local_reflections")
        report.status = Status.AWAITING_SIGNOFF
        report.save()
        return report

    signed_on = datetime.datetime.strptime(signoff["date"], "%d/%m/%Y").date()
    content_hash = report.content_hash()
    Signature.objects.create(
        report=report,
        kind=Signature.Kind.LOCAL_AREA,
        method=Signature.Method.DOCUMENT,
        name=signoff["local_area_signatory"],
        role=signoff["local_area_role"],
        signed_on=signed_on,
        content_hash=content_hash,
    )
    Signature.objects.create(
        report=report,
        kind=Signature.Kind.TCE_LEAD,
        method=Signature.Method.DOCUMENT,
        name=signoff["tce_project_lead"],
        role="TCE Project Lead",
        signed_on=signed_on,
        content_hash=content_hash,
    )
    report.consent_to_publish = signoff["consent_to_share"]
    report.status = Status.PUBLISHED if report.consent_to_publish else Status.NOT_FOR_PUBLICATION
    if report.consent_to_publish:
        report.published_at = datetime.datetime.combine(signed_on, datetime.time(12), LONDON)
    report.save()
    return report


@transaction.atomic
def seed_demo(*, password: str | None = None):
    """Load the register, the two real reports and one user per role. Returns the demo users."""
    bsps = {row["local_area"]: seed_bsp(row) for row in register_rows()}
    users = seed_users(password, torbay=bsps["Torbay"].partnership)
    lead = User.objects.get(email="lead@example.org")
    partner = User.objects.get(email="partner@example.org")
    for local_area, (folder, _methodologies) in DEMO_REPORTS.items():
        bsp = bsps[local_area]
        if bsp.tce_lead_id is None:
            bsp.tce_lead = lead
            bsp.save(update_fields=["tce_lead"])
        bsp.delivery_partners.add(partner)
        report = seed_report(bsp, folder)
        seed_events(report, read_details(folder)["signoff"], partner)
        seed_edition(report)
    seed_draft(bsps[DRAFT_REPORT_AREA], lead=lead, partner=partner)
    return users


# A report still being written, so that authoring can be tried with the demo logins.
DRAFT_REPORT_AREA = "Swindon"


def seed_draft(bsp: BespokeSupportProject, *, lead: User, partner: User) -> None:

    if bsp.tce_lead_id is None:
        bsp.tce_lead = lead
        bsp.save(update_fields=["tce_lead"])
    bsp.delivery_partners.add(partner)
    if not LearningReport.objects.filter(bsp=bsp).exists():
        create_report(bsp=bsp, actor=User.objects.get(email="admin@example.org"))
