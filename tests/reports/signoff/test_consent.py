"""The local area answers the consent question as a clear yes or no, says why when it is no
(kept private), and every answer is in the audit log."""

import pytest
from django.urls import reverse

from reports.models import ReportEvent, Status, Transition
from reports.signoff.services import SAFEGUARDING_CONFIRMED


def url(name, report):
    return reverse(f"reports:{name}", kwargs={"slug": report.slug})


def sign(client, report, **answers):
    data = {
        "full_name": "Lou Local",
        "role": "Chair",
        "checked_identifiability": "on",
        "seen_hash": report.content_hash(),
    }
    return client.post(url("report-sign", report), {**data, **answers})


@pytest.fixture
def awaiting(cast, client):
    from tests.factories import walk_to

    walk_to(cast.report, cast, Status.AWAITING_SIGNOFF)
    client.force_login(cast.local_lead)
    return cast.report


def test_the_question_must_be_answered(awaiting, client):
    page = client.get(url("report-sign", awaiting)).content.decode()
    assert "Does the local area agree to share this Project Learning Report" in page
    assert "Yes: once the TCE project lead has countersigned it, it is published" in page
    assert "No: it is signed off but not published. The local area can give its consent" in page

    response = sign(client, awaiting)

    assert response.status_code == 400
    assert "Select yes if the local area agrees to share the report" in response.content.decode()
    awaiting.refresh_from_db()
    assert awaiting.status == Status.AWAITING_SIGNOFF


def test_a_no_says_why_and_the_reason_stays_private(awaiting, client):
    refused = sign(client, awaiting, consent="no")
    assert refused.status_code == 400
    assert "Say why the local area does not agree" in refused.content.decode()

    response = sign(client, awaiting, consent="no", consent_reason="Names a small school.")

    assert response.status_code == 302
    awaiting.refresh_from_db()
    assert (awaiting.status, awaiting.consent_to_publish) == (Status.SIGNED_OFF, False)
    event = ReportEvent.objects.get(report=awaiting, transition=Transition.SIGN_OFF)
    assert event.comment == (
        "Consent to publish on the microsite: no. Why: Names a small school.\n"
        + SAFEGUARDING_CONFIRMED
    )
    audit = client.get(url("report-audit", awaiting)).content.decode()
    assert "Consent to publish on the microsite: no. Why: Names a small school." in audit


def test_a_yes_is_recorded_too(awaiting, client):
    response = sign(client, awaiting, consent="yes")

    assert response.status_code == 302
    awaiting.refresh_from_db()
    assert awaiting.consent_to_publish is True
    event = ReportEvent.objects.get(report=awaiting, transition=Transition.SIGN_OFF)
    assert event.comment == "Consent to publish on the microsite: yes.\n" + SAFEGUARDING_CONFIRMED
