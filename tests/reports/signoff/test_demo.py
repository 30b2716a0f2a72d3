"""The demo data's sign-off history is in the audit log: East Sussex's real sign-off of
12/07/2021, and Torbay's submission for sign-off."""

import datetime

from django.urls import reverse

from reports.models import LearningReport, Status
from tests.support.signing_in import sign_in


def test_east_sussex_sign_off_is_recorded_as_events_on_its_real_date(demo):
    report = LearningReport.objects.get(slug="east-sussex")
    events = list(report.events.all())
    assert [(e.transition, e.from_status, e.to_status) for e in events] == [
        ("submit", Status.DRAFT, Status.AWAITING_SIGNOFF),
        ("sign_off", Status.AWAITING_SIGNOFF, Status.SIGNED_OFF),
        ("countersign", Status.SIGNED_OFF, Status.COUNTERSIGNED),
        ("publish", Status.COUNTERSIGNED, Status.PUBLISHED),
    ]
    assert {e.created_at.date() for e in events} == {datetime.date(2021, 7, 12)}
    assert "Vicky Finnemore, MACE Strategic Chair" in events[1].comment
    assert "Amy Hurst" in events[2].comment
    assert {e.content_hash for e in events} == {report.content_hash()}


def test_torbay_waits_for_sign_off_after_the_partners_submission(demo):
    report = LearningReport.objects.get(slug="torbay")
    event = report.events.get()
    assert (event.transition, event.actor.email, event.to_status) == (
        "submit",
        "partner@example.org",
        Status.AWAITING_SIGNOFF,
    )


def test_the_demo_local_lead_can_review_torbay(demo, client):
    assert sign_in(client, "local@example.org").status_code == 302
    page = client.get(reverse("reports:report-review", kwargs={"slug": "torbay"})).content.decode()
    assert "Continue to sign off" in page
