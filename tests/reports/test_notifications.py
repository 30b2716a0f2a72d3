"""E-mail on every transition, after the commit, to the people who act next on that report only."""

import logging

import pytest
from django.core import mail
from django.test import override_settings

from reports.authoring import services as authoring_services
from reports.models import ReportEvent, ReportSection, Status
from reports.signoff import notifications
from reports.signoff import services as signoff_services
from tests.factories import UserFactory
from tests.reports.signoff_helpers import complete_report, people_for, walk_to


@pytest.fixture
def report(db):
    return complete_report()


@pytest.fixture
def people(report):
    people = people_for(report)
    # Someone with every role but not on this report: never e-mailed.
    UserFactory(role="local_lead", partnership=people.other_local_lead.partnership)
    return people


def sent_to(outbox):
    return sorted(address for message in outbox for address in message.to)


def emails(*users):
    return sorted(user.email for user in users)


def test_submitting_tells_the_local_leads_and_the_tce_lead(
    report, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        authoring_services.submit_for_signoff(report=report, actor=people.partner)
    assert sent_to(mail.outbox) == emails(people.local_lead, people.tce_lead)
    message = mail.outbox[0]
    assert message.subject == (
        f"Project Learning Report: {report.title}: ready for the local area's sign-off"
    )
    assert "Dee Partner sent the report to the local area for sign-off" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "<strong>Awaiting local sign-off</strong>" in html
    to_local = next(m for m in mail.outbox if m.to == [people.local_lead.email])
    assert "What you can do now: Request changes; Sign off." in to_local.body
    to_lead = next(m for m in mail.outbox if m.to == [people.tce_lead.email])
    assert "Send a sign-off link to the local lead" in to_lead.body


def test_changes_requested_go_to_the_authors_with_the_comments(
    report, people, django_capture_on_commit_callbacks
):
    walk_to(report, people, Status.AWAITING_SIGNOFF)
    signoff_services.add_section_comment(
        report=report, actor=people.local_lead, section_key="reasons", body="Say who asked."
    )
    with django_capture_on_commit_callbacks(execute=True):
        signoff_services.request_changes(report=report, actor=people.local_lead, comment="Nearly.")
    assert sent_to(mail.outbox) == emails(people.partner, people.tce_lead)
    body = mail.outbox[0].body
    assert "Nearly." in body
    assert "Reasons why the local area requested the TCE Support Programme" in body
    assert "- Say who asked. (Lou Local)" in body


@pytest.mark.parametrize(
    ("status", "actor", "expected"),
    [
        (Status.SIGNED_OFF, "local_lead", ["tce_lead"]),
        # The TCE lead countersigns and publishes: no e-mail to themselves...
        (Status.COUNTERSIGNED, "tce_lead", []),
        (Status.PUBLISHED, "tce_lead", ["partner", "local_lead"]),
        (Status.WITHDRAWN, "admin", ["tce_lead", "partner", "local_lead"]),
    ],
)
def test_each_later_step_tells_the_next_people(
    report, people, django_capture_on_commit_callbacks, status, actor, expected
):
    walk_to(
        report,
        people,
        {
            Status.SIGNED_OFF: Status.AWAITING_SIGNOFF,
            Status.COUNTERSIGNED: Status.SIGNED_OFF,
            Status.PUBLISHED: Status.COUNTERSIGNED,
            Status.WITHDRAWN: Status.PUBLISHED,
        }[status],
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        walk_to(report, people, status)
    assert report.events.last().actor == people.by_role(actor)
    assert sent_to(mail.outbox) == emails(*[people.by_role(role) for role in expected])


def test_an_admin_countersigning_tells_the_tce_lead_to_publish(
    report, people, django_capture_on_commit_callbacks
):
    walk_to(report, people, Status.SIGNED_OFF)
    with django_capture_on_commit_callbacks(execute=True):
        signoff_services.countersign(
            report=report, actor=people.admin, full_name="Ada", role="Admin"
        )
    assert sent_to(mail.outbox) == emails(people.tce_lead)
    assert "What you can do now: Publish on the microsite." in mail.outbox[0].body


def test_a_change_after_sign_off_tells_the_local_leads_and_the_tce_lead(
    report, people, django_capture_on_commit_callbacks
):
    walk_to(report, people, Status.PUBLISHED)
    with django_capture_on_commit_callbacks(execute=True):
        section = ReportSection.objects.get(report=report, key="reasons")
        section.body = "<p>Changed.</p>"
        section.save()
    assert sent_to(mail.outbox) == emails(people.local_lead, people.tce_lead)
    assert "content changed since sign-off" in mail.outbox[0].subject


def test_nothing_is_sent_before_the_commit(report, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        authoring_services.submit_for_signoff(report=report, actor=people.partner)
    assert mail.outbox == []
    # The transition is announced once committed: then the local area and the TCE lead hear.
    for callback in callbacks:
        callback()
    assert sent_to(mail.outbox) == emails(people.local_lead, people.tce_lead)


@override_settings(EMAIL_BACKEND="tests.support.failing_email.EmailBackend")
def test_a_failed_email_never_loses_the_transition(
    report, people, django_capture_on_commit_callbacks, caplog
):
    with (
        caplog.at_level(logging.ERROR, logger="reports.signoff.notifications"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        authoring_services.submit_for_signoff(report=report, actor=people.partner)
    report.refresh_from_db()
    assert report.status == Status.AWAITING_SIGNOFF
    assert ReportEvent.objects.filter(report=report, transition="submit").exists()
    assert "Could not send the e-mail about “submit”" in caplog.text
    assert mail.outbox == []
