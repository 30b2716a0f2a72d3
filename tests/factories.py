"""Test data: factory_boy factories for the models, and the one way tests build a learning report
with the people around it (`make_cast`).

`make_cast` builds a report as the portal does: a programme admin starts it (`create_report`),
the delivery partner writes its sections (`save_section`), and it is walked to the status asked
for through the real services (`walk_to`), each transition recorded in the audit log with who
made it. The people are named as the programme names them: `admin` (a programme admin),
`tce_lead`, `partner` (the assigned delivery partner) and `local_lead` (of the partnership), and
the same roles elsewhere (`other_tce_lead`, `other_partner`, `other_local_lead`).
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import factory
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Role, User
from partnerships.models import (
    Agency,
    BespokeSupportProject,
    BSPType,
    DeliveryMode,
    Methodology,
    Partnership,
    PartnershipAgency,
    Region,
    Theme,
)
from reports.authoring import services as authoring_services
from reports.models import Edition, LearningReport, ReportSection, SectionStatus, Status
from reports.signoff import services as signoff_services
from reports.template_sections import SECTIONS

# Every factory-made person signs in with this password.
PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    job_title = "Delivery partner"
    role = Role.DELIVERY_PARTNER
    password = factory.django.Password(PASSWORD)


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Test Safeguarding Partnership {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    region = factory.LazyFunction(lambda: Region.objects.get(name="South West"))


class BespokeSupportProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BespokeSupportProject
        skip_postgeneration_save = True

    partnership = factory.SubFactory(PartnershipFactory)
    local_area = factory.LazyAttribute(lambda o: o.partnership.name)
    region = factory.LazyAttribute(lambda o: o.partnership.region)
    bsp_type = BSPType.STANDARD
    programme_year = 2021
    number_of_local_authorities = 1
    commenced = datetime.date(2021, 9, 1)


class LearningReportFactory(factory.django.DjangoModelFactory):
    """A bare report row, for tests of the model itself; every other test uses `make_cast`."""

    class Meta:
        model = LearningReport
        skip_postgeneration_save = True

    bsp = factory.SubFactory(BespokeSupportProjectFactory)
    title = factory.LazyAttribute(lambda o: o.bsp.local_area)
    slug = factory.LazyAttribute(lambda o: slugify(o.title))


class ReportSectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportSection

    report = factory.SubFactory(LearningReportFactory)
    key = "reasons"
    body = "<p>The partnership wanted to understand its response to exploitation.</p>"
    status = SectionStatus.COMPLETED


# --- The cast and the report builder -------------------------------------------------------------

# Every person of a cast, by the name of their relation to the report.
ROLES = [
    "admin",
    "tce_lead",
    "other_tce_lead",
    "partner",
    "other_partner",
    "local_lead",
    "other_local_lead",
]


@dataclass(eq=False)
class Cast:
    """A report and one person in each relation to it: ``admin`` (a programme admin),
    ``tce_lead`` (the BSP's TCE project lead), ``partner`` (the delivery partner assigned to the
    BSP) and ``local_lead`` (a local lead of its partnership).

    The people elsewhere (``other_tce_lead``, ``other_partner``, ``other_local_lead``) hold the
    same roles on another BSP, of another partnership. They are made when a test first asks for
    them, so a test that never does keeps the register (and the microsite) to the BSPs it built.
    """

    report: LearningReport
    admin: User
    tce_lead: User
    partner: User
    local_lead: User

    def by_role(self, role: str) -> User:
        return getattr(self, role)

    def everyone(self) -> list[User]:
        """Every person of the cast, the people elsewhere included (`ROLES`)."""
        return [self.by_role(role) for role in ROLES]

    @cached_property
    def elsewhere(self) -> BespokeSupportProject:
        """Another BSP, led by `other_tce_lead`, with `other_partner` assigned to it."""
        bsp = BespokeSupportProjectFactory(tce_lead=UserFactory(role=Role.TCE_LEAD))
        bsp.delivery_partners.add(
            UserFactory(role=Role.DELIVERY_PARTNER, full_name="Alex Elsewhere")
        )
        return bsp

    @cached_property
    def other_tce_lead(self) -> User:
        return self.elsewhere.tce_lead

    @cached_property
    def other_partner(self) -> User:
        return self.elsewhere.delivery_partners.get()

    @cached_property
    def other_local_lead(self) -> User:
        return UserFactory(role=Role.LOCAL_LEAD, partnership=self.elsewhere.partnership)


def demo_people() -> dict[str, User]:
    """The people of the demo data (`manage.py seed_demo`) by their relation to its Torbay
    report, for `Cast` and `make_cast`."""
    emails = {"admin": "admin", "tce_lead": "lead", "partner": "partner", "local_lead": "local"}
    return {role: User.objects.get(email=f"{name}@example.org") for role, name in emails.items()}


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def written_sections() -> dict[str, str]:
    """A sentence for every section the authors must write: enough to send the report."""
    return {
        spec.key: f"<p>What we wrote about {spec.heading}.</p>"
        for spec in SECTIONS
        if spec.required and not spec.written_by_local_area
    }


def make_cast(
    title: str | None = None,
    *,
    status: Status = Status.DRAFT,
    sections: dict[str, str] | None = None,
    complete: bool = True,
    consent: bool = True,
    published_at: datetime.datetime | None = None,
    region: str | None = None,
    themes: Sequence[str] = (),
    methodologies: Sequence[str] = (),
    bsp: BespokeSupportProject | None = None,
    admin: User | None = None,
    tce_lead: User | None = None,
    partner: User | None = None,
    local_lead: User | None = None,
    **bsp_fields,
) -> Cast:
    """A learning report in ``status`` and the people around it (new ones unless given).

    The report is for ``bsp``, or for a new BSP in ``region``, with ``themes`` and
    ``methodologies`` (names) and any other ``bsp_fields``; its local area is ``title`` unless
    given, and its partnership is "<local area> Safeguarding Partnership". A programme admin
    starts the report, so its title and address are its local area's; a ``title`` other than
    that is then given to it on the details page, by the partner.

    ``complete`` (the default) fills in what sending for sign-off needs: the BSP's delivery mode
    and methodology, and a sentence for each required section (`written_sections`). ``sections``
    are texts by section key, written over those. With ``complete=False`` and no ``sections``
    the report is as a programme admin starts it: every section empty and not started.

    ``consent`` is the local area's answer when it signs off. ``published_at`` dates the
    publication (for tests of "newest first"), as if it had been published then.
    """
    if bsp is None:
        bsp = _new_bsp(
            title,
            region=region,
            themes=themes,
            methodologies=methodologies,
            complete=complete,
            tce_lead=tce_lead or UserFactory(role=Role.TCE_LEAD, full_name="Tess Lead"),
            **bsp_fields,
        )
    elif tce_lead is not None and bsp.tce_lead_id != tce_lead.pk:
        bsp.tce_lead = tce_lead
        bsp.save(update_fields=["tce_lead"])
    elif bsp.tce_lead_id is None:
        bsp.tce_lead = UserFactory(role=Role.TCE_LEAD, full_name="Tess Lead")
        bsp.save(update_fields=["tce_lead"])
    partner = partner or UserFactory(role=Role.DELIVERY_PARTNER, full_name="Dee Partner")
    bsp.delivery_partners.add(partner)
    admin = admin or UserFactory(role=Role.PROGRAMME_ADMIN, is_staff=True, full_name="Ada Admin")
    cast = Cast(
        report=authoring_services.create_report(bsp=bsp, actor=admin),
        admin=admin,
        tce_lead=bsp.tce_lead,
        partner=partner,
        local_lead=local_lead
        or UserFactory(role=Role.LOCAL_LEAD, partnership=bsp.partnership, full_name="Lou Local"),
    )
    if title and cast.report.title != title:
        authoring_services.update_bsp_details(
            report=cast.report, actor=partner, details={"title": title}, based_on_version=1
        )
    texts = {**(written_sections() if complete else {}), **(sections or {})}
    for key, body in texts.items():
        authoring_services.save_section(
            report=cast.report,
            key=key,
            actor=partner,
            body=body,
            based_on_version=1,
            completed=True,
        )
    walk_to(cast.report, cast, status, consent=consent)
    if published_at is not None:
        LearningReport.objects.filter(pk=cast.report.pk).update(published_at=published_at)
        Edition.objects.filter(report=cast.report).update(published_at=published_at)
        cast.report.refresh_from_db()
    return cast


def _new_bsp(title, *, region, themes, methodologies, complete, **fields):
    partnership = {}
    if title:
        fields.setdefault("local_area", title)
    if "local_area" in fields:
        partnership["name"] = f"{fields['local_area']} Safeguarding Partnership"
    if region:
        partnership["region"] = Region.objects.get(name=region)
    if partnership and "partnership" not in fields:
        fields["partnership"] = PartnershipFactory(**partnership)
    if themes:
        fields.setdefault("focus_as_stated", " / ".join(themes))
    if complete:
        fields.setdefault("delivery_mode", DeliveryMode.DIGITAL)
        if not methodologies:
            fields.setdefault("methodology_as_stated", "Data")
    bsp = BespokeSupportProjectFactory(**fields)
    if complete and not bsp.partnership.core_partner_agencies.exists():
        # The details table names the partnership's core partner agencies: sending needs them.
        agency, _ = Agency.objects.get_or_create(name="Police")
        PartnershipAgency.objects.create(partnership=bsp.partnership, agency=agency, position=1)
    bsp.themes.add(*Theme.objects.filter(name__in=themes))
    bsp.methodologies.add(*Methodology.objects.filter(name__in=methodologies))
    return bsp


def walk_to(report, cast: Cast, status: str, *, consent: bool = True) -> LearningReport:
    """Bring ``report`` from where it is to ``status`` through the real services, each step made
    by the person whose step it is in ``cast``: the partner sends it, the local lead signs it off
    (or asks for changes), the TCE lead countersigns and publishes it (a revision, as a new
    edition "Corrected a figure."), the admin withdraws it."""
    report.refresh_from_db()
    while report.status != status:
        current = report.status
        if current in (Status.DRAFT, Status.CHANGES_REQUESTED):
            authoring_services.submit_for_signoff(report=report, actor=cast.partner)
        elif current == Status.AWAITING_SIGNOFF and status == Status.CHANGES_REQUESTED:
            signoff_services.request_changes(
                report=report, actor=cast.local_lead, comment="More, please."
            )
        elif current == Status.AWAITING_SIGNOFF:
            signoff_services.sign_off(
                report=report,
                actor=cast.local_lead,
                full_name=cast.local_lead.full_name,
                role="Partnership manager",
                consent=consent,
                checked_identifiability=True,
            )
        elif current == Status.SIGNED_OFF:
            signoff_services.countersign(
                report=report,
                actor=cast.tce_lead,
                full_name=cast.tce_lead.full_name,
                role="TCE Project Lead",
            )
        elif current == Status.COUNTERSIGNED:
            # The note is needed (and kept) only for an edition after the first.
            signoff_services.publish(
                report=report, actor=cast.tce_lead, change_note="Corrected a figure."
            )
        elif current == Status.PUBLISHED and status == Status.WITHDRAWN:
            signoff_services.withdraw(report=report, actor=cast.admin, reason="Names a child.")
        else:
            raise AssertionError(f"Cannot walk from {current} to {status}")
        report.refresh_from_db()
    return report


def cast_of(report) -> Cast:
    """The people already around ``report``: its BSP's TCE lead and delivery partner, a local
    lead of its partnership and a programme admin."""
    bsp = report.bsp
    return Cast(
        report=report,
        admin=User.objects.filter(role=Role.PROGRAMME_ADMIN, is_active=True).first(),
        tce_lead=bsp.tce_lead,
        partner=bsp.delivery_partners.first(),
        local_lead=User.objects.filter(role=Role.LOCAL_LEAD, partnership=bsp.partnership).first(),
    )


def republish(report, cast: Cast, *, key: str = "approaches", body: str) -> LearningReport:
    """Revise a published report as its authors do (section ``key`` rewritten as ``body``), then
    sign, countersign and publish the revision: its next edition."""
    signoff_services.start_revision(report=report, actor=cast.partner, reason="A figure is wrong.")
    section = ReportSection.objects.filter(report=report, key=key).first()
    authoring_services.save_section(
        report=report,
        key=key,
        actor=cast.partner,
        body=body,
        based_on_version=section.version if section else 0,
    )
    return walk_to(report, cast, Status.PUBLISHED)
