"""Plain helpers for the sign-off tests: a complete report, the people around it, and a walk
through the real services to any state."""

from dataclasses import dataclass

from accounts.models import Role, User
from reports.authoring import services as authoring_services
from reports.models import LearningReport, Status
from reports.signoff import services as signoff_services
from reports.template_sections import SECTIONS
from tests.factories import (
    LearningReportFactory,
    PartnershipFactory,
    ReportSectionFactory,
    UserFactory,
)


def complete_report(**kwargs) -> LearningReport:
    report = LearningReportFactory(
        bsp__delivery_mode="digital", bsp__methodology_as_stated="Data", **kwargs
    )
    for spec in SECTIONS:
        if spec.required and not spec.written_by_local_area:
            ReportSectionFactory(
                report=report, key=spec.key, body=f"<p>What we wrote about {spec.heading}.</p>"
            )
    return report


@dataclass
class People:
    admin: User
    tce_lead: User
    other_tce_lead: User
    partner: User
    other_partner: User
    local_lead: User
    other_local_lead: User

    def by_role(self, role: str) -> User:
        return getattr(self, role)


ROLES = [
    "admin",
    "tce_lead",
    "other_tce_lead",
    "partner",
    "other_partner",
    "local_lead",
    "other_local_lead",
]


def people_for(report) -> People:
    bsp = report.bsp
    tce_lead = UserFactory(role=Role.TCE_LEAD, full_name="Tess Lead")
    bsp.tce_lead = tce_lead
    bsp.save(update_fields=["tce_lead"])
    partner = UserFactory(role=Role.DELIVERY_PARTNER, full_name="Dee Partner")
    bsp.delivery_partners.add(partner)
    return People(
        admin=UserFactory(role=Role.PROGRAMME_ADMIN, full_name="Ada Admin", is_staff=True),
        tce_lead=tce_lead,
        other_tce_lead=UserFactory(role=Role.TCE_LEAD),
        partner=partner,
        other_partner=UserFactory(role=Role.DELIVERY_PARTNER),
        local_lead=UserFactory(
            role=Role.LOCAL_LEAD, partnership=bsp.partnership, full_name="Lou Local"
        ),
        other_local_lead=UserFactory(role=Role.LOCAL_LEAD, partnership=PartnershipFactory()),
    )


def walk_to(report, people: People, status: str, *, consent: bool = True) -> LearningReport:
    """Bring ``report`` from where it is to ``status`` through the real services, as the real
    people."""
    path = [
        Status.AWAITING_SIGNOFF,
        Status.SIGNED_OFF,
        Status.COUNTERSIGNED if consent else Status.NOT_FOR_PUBLICATION,
        Status.PUBLISHED,
        Status.WITHDRAWN,
    ]
    if status == Status.CHANGES_REQUESTED:
        authoring_services.submit_for_signoff(report=report, actor=people.partner)
        signoff_services.request_changes(
            report=report, actor=people.local_lead, comment="More, please."
        )
        return report
    if status == Status.DRAFT:
        return report
    report.refresh_from_db()
    start = path.index(report.status) + 1 if report.status in path else 0
    for step in path[start:]:
        if step == Status.AWAITING_SIGNOFF:
            authoring_services.submit_for_signoff(report=report, actor=people.partner)
        elif step == Status.SIGNED_OFF:
            signoff_services.sign_off(
                report=report,
                actor=people.local_lead,
                full_name="Lou Local",
                role="Partnership manager",
                consent=consent,
            )
        elif step in (Status.COUNTERSIGNED, Status.NOT_FOR_PUBLICATION):
            signoff_services.countersign(
                report=report, actor=people.tce_lead, full_name="Tess Lead", role="TCE Project Lead"
            )
        elif step == Status.PUBLISHED:
            signoff_services.publish(report=report, actor=people.tce_lead)
        elif step == Status.WITHDRAWN:
            signoff_services.withdraw(report=report, actor=people.admin, reason="Names a child.")
        if report.status == status:
            return report
    raise AssertionError(f"Cannot walk to {status}")
