import pytest

from partnerships.models import BSPType, DeliveryMode
from reports.models import LearningReport, Status
from tests.factories import days_ago, make_cast


@pytest.fixture
def catalogue(demo):
    """The demo data plus reports in every state and across every facet (tests/factories.
    make_cast: built and published through the real services).

    Published: East Sussex (demo: South East, Standard, Partnership/Disruption, Bespoke/Data,
    Digital, 2020-21), Kernow (South West, Complex, Culture, Theory of Change, Mixed, 2021-22),
    Wessex Coast (South East, Regional, Data, Strategy, Face to face, 2021-22).
    Not public: Torbay (demo, awaiting sign-off), a draft, one without consent, one withdrawn.
    """
    reports = {
        "kernow": make_cast(
            "Kernow",
            region="South West",
            bsp_type=BSPType.COMPLEX,
            themes=["Culture"],
            methodologies=["Theory of Change"],
            delivery_mode=DeliveryMode.MIXED,
            sections={
                "reasons": "<p>Kernow asked for help with a culture of blame.</p>",
                "significant_learning": "<p>Kernow learned that curiosity travels.</p>",
            },
            status=Status.PUBLISHED,
            published_at=days_ago(3),
        ).report,
        "wessex": make_cast(
            "Wessex Coast",
            region="South East",
            bsp_type=BSPType.REGIONAL,
            themes=["Data"],
            methodologies=["Strategy"],
            delivery_mode=DeliveryMode.FACE_TO_FACE,
            sections={
                "reasons": "<p>Wessex Coast wanted better data on exploitation.</p>",
                "significant_learning": "<p>Wessex Coast learned to share data early.</p>",
            },
            status=Status.PUBLISHED,
            published_at=days_ago(2),
        ).report,
        "draft": make_cast(
            "Secret Draftshire",
            sections={"significant_learning": "<p>Draftshire zebra learning.</p>"},
        ).report,
        "withheld": make_cast(
            "Withheldham",
            sections={"significant_learning": "<p>Withheldham zebra learning.</p>"},
            status=Status.NOT_FOR_PUBLICATION,
            consent=False,
        ).report,
        "withdrawn": make_cast(
            "Withdrawnbury",
            sections={"significant_learning": "<p>Withdrawnbury zebra learning.</p>"},
            status=Status.WITHDRAWN,
        ).report,
    }
    reports["east_sussex"] = LearningReport.objects.get(slug="east-sussex")
    reports["torbay"] = LearningReport.objects.get(slug="torbay")
    return reports
