import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from partnerships.models import BSPType, DeliveryMode, Methodology, Region, Theme
from reports.models import LearningReport, Status
from tests.factories import (
    BespokeSupportProjectFactory,
    LearningReportFactory,
    PartnershipFactory,
    ReportSectionFactory,
)


def make_report(
    title,
    *,
    region="South West",
    bsp_type=BSPType.STANDARD,
    themes=(),
    methodologies=(),
    delivery=DeliveryMode.DIGITAL,
    year=2021,
    sections=None,
    days_ago=1,
    **states,
):
    """A report with its partnership, BSP and sections; ``published=True`` etc. pick its state."""
    partnership = PartnershipFactory(
        name=f"{title} Safeguarding Partnership", region=Region.objects.get(name=region)
    )
    bsp = BespokeSupportProjectFactory(
        partnership=partnership,
        local_area=title,
        bsp_type=bsp_type,
        delivery_mode=delivery,
        programme_year=year,
        focus_as_stated=" / ".join(themes),
    )
    bsp.themes.add(*Theme.objects.filter(name__in=themes))
    bsp.methodologies.add(*Methodology.objects.filter(name__in=methodologies))
    # Write the text first and then put the report in its state: a change to the text of a
    # signed report voids its sign-off, as it should.
    report = LearningReportFactory(bsp=bsp)
    for key, body in (sections or {"reasons": f"<p>Why {title} asked for support.</p>"}).items():
        ReportSectionFactory(report=report, key=key, body=body)
    stated = LearningReportFactory.build(bsp=bsp, **states)
    for field in STATE_FIELDS:
        setattr(report, field, getattr(stated, field))
    if report.published_at:
        report.published_at = timezone.now() - datetime.timedelta(days=days_ago)
    report.save()
    report.refresh_from_db()
    return report


STATE_FIELDS = ("status", "consent_to_publish", "published_at", "withdrawn_at", "withdrawal_reason")


@pytest.fixture
def catalogue(demo):
    """The demo data plus reports in every state and across every facet.

    Published: East Sussex (demo: South East, Standard, Partnership/Disruption, Bespoke/Data,
    Digital, 2020-21), Kernow (South West, Complex, Culture, Theory of Change, Mixed, 2021-22),
    Wessex Coast (South East, Regional, Data, Strategy, Face to face, 2021-22).
    Not public: Torbay (demo, awaiting sign-off), a draft, one without consent, one withdrawn.
    """
    reports = {
        "kernow": make_report(
            "Kernow",
            region="South West",
            bsp_type=BSPType.COMPLEX,
            themes=["Culture"],
            methodologies=["Theory of Change"],
            delivery=DeliveryMode.MIXED,
            sections={
                "reasons": "<p>Kernow asked for help with a culture of blame.</p>",
                "significant_learning": "<p>Kernow learned that curiosity travels.</p>",
            },
            days_ago=3,
            published=True,
        ),
        "wessex": make_report(
            "Wessex Coast",
            region="South East",
            bsp_type=BSPType.REGIONAL,
            themes=["Data"],
            methodologies=["Strategy"],
            delivery=DeliveryMode.FACE_TO_FACE,
            sections={
                "reasons": "<p>Wessex Coast wanted better data on exploitation.</p>",
                "significant_learning": "<p>Wessex Coast learned to share data early.</p>",
            },
            days_ago=2,
            published=True,
        ),
        "draft": make_report(
            "Secret Draftshire",
            sections={"significant_learning": "<p>Draftshire zebra learning.</p>"},
        ),
        "withheld": make_report(
            "Withheldham",
            sections={"significant_learning": "<p>Withheldham zebra learning.</p>"},
            status=Status.NOT_FOR_PUBLICATION,
            consent_to_publish=False,
        ),
        "withdrawn": make_report(
            "Withdrawnbury",
            sections={"significant_learning": "<p>Withdrawnbury zebra learning.</p>"},
            withdrawn=True,
        ),
    }
    reports["east_sussex"] = LearningReport.objects.get(slug="east-sussex")
    reports["torbay"] = LearningReport.objects.get(slug="torbay")
    return reports


@pytest.fixture
def run_worker(monkeypatch):
    """Run `manage.py db_worker --batch`: every queued task, then exit.

    Between tasks the worker closes the database connection, as Django does between requests;
    inside a test's transaction that would close the test's own connection (on PostgreSQL), so
    here it keeps it.
    """
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )

    def run():
        call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)

    return run
