import datetime
from dataclasses import dataclass

import factory
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Role, User
from partnerships.models import BespokeSupportProject, BSPType, Partnership, Region
from reports.authoring import services as authoring_services
from reports.models import LearningReport, ReportSection, SectionStatus, Status


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    job_title = "Delivery partner"
    role = Role.DELIVERY_PARTNER
    password = factory.django.Password("correct horse battery staple")


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
    class Meta:
        model = LearningReport
        skip_postgeneration_save = True

    bsp = factory.SubFactory(BespokeSupportProjectFactory)
    title = factory.LazyAttribute(lambda o: o.bsp.local_area)
    slug = factory.LazyAttribute(lambda o: slugify(o.title))

    class Params:
        # States put directly, as the microsite sees them (the workflow is tested on its own).
        published = factory.Trait(
            status=Status.PUBLISHED,
            consent_to_publish=True,
            published_at=factory.LazyFunction(timezone.now),
        )
        withdrawn = factory.Trait(
            status=Status.WITHDRAWN,
            consent_to_publish=True,
            published_at=factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(30)),
            withdrawn_at=factory.LazyFunction(timezone.now),
            withdrawal_reason="The local area asked for the report to be withdrawn.",
        )


class ReportSectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportSection

    report = factory.SubFactory(LearningReportFactory)
    key = "reasons"
    body = "<p>The partnership wanted to understand its response to exploitation.</p>"
    status = SectionStatus.COMPLETED


@dataclass
class AuthoringCast:
    """A draft report and one person in each relation to it (see `authoring_cast`)."""

    report: LearningReport
    admin: User
    lead: User
    other_lead: User
    partner: User
    other_partner: User
    local: User
    other_local: User


def authoring_cast(**bsp_fields) -> AuthoringCast:
    """A draft report started by a programme admin, with its BSP's TCE lead, an assigned delivery
    partner and the partnership's local lead, and the same roles outside it."""
    admin = UserFactory(role=Role.PROGRAMME_ADMIN, is_staff=True, full_name="Pat Admin")
    lead = UserFactory(role=Role.TCE_LEAD, full_name="Sam Lead")
    partner = UserFactory(role=Role.DELIVERY_PARTNER, full_name="Jo Partner")
    bsp = BespokeSupportProjectFactory(tce_lead=lead, **bsp_fields)
    bsp.delivery_partners.add(partner)
    elsewhere = BespokeSupportProjectFactory(tce_lead=UserFactory(role=Role.TCE_LEAD))
    return AuthoringCast(
        report=authoring_services.create_report(bsp=bsp, actor=admin),
        admin=admin,
        lead=lead,
        other_lead=elsewhere.tce_lead,
        partner=partner,
        other_partner=UserFactory(role=Role.DELIVERY_PARTNER, full_name="Alex Elsewhere"),
        local=UserFactory(role=Role.LOCAL_LEAD, partnership=bsp.partnership),
        other_local=UserFactory(role=Role.LOCAL_LEAD, partnership=elsewhere.partnership),
    )
