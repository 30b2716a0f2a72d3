"""E-mail on every transition, after the commit, to the people who act next on that report only."""

import logging

import pytest
from django.core import mail
from django.test import override_settings

from reports.authoring import services as authoring_services
from reports.models import ReportEvent, ReportSection, Status
from reports.signoff import services as signoff_services
from tests.factories import UserFactory, walk_to


@pytest.fixture(autouse=True)
def _pdfs_wait_in_the_task_queue(settings):
    """Publishing queues the report's PDF: here it waits in the database, never rendered (these
    tests are about e-mail; tests/reports/pdfs/ render)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def cast(cast):
    # Someone with every role but not on this report: never e-mailed.
    cast.everyone()
    UserFactory(role="local_lead", partnership=cast.other_local_lead.partnership)
    return cast


def sent_to(outbox):
    return sorted(address for message in outbox for address in message.to)


def emails(*users):
    return sorted(user.email for user in users)


def test_submitting_tells_the_local_leads_and_the_tce_lead(
    report, cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        authoring_services.submit_for_signoff(report=report, actor=cast.partner)
    assert sent_to(mail.outbox) == emails(cast.local_lead, cast.tce_lead)
    message = mail.outbox[0]
    assert message.subject == (
        f"Project Learning Report: {report.title}: ready for the local area's sign-off"
    )
    assert "Dee Partner sent the report to the local area for sign-off" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "<strong>Awaiting local sign-off</strong>" in html
    to_local = next(m for m in mail.outbox if m.to == [cast.local_lead.email])
    # The same steps, in the same words, as "My reports" and the review page offer them.
    assert "What you can do now: Review and sign off; Request changes." in to_local.body
    to_lead = next(m for m in mail.outbox if m.to == [cast.tce_lead.email])
    assert "Send a sign-off link" in to_lead.body


def test_changes_requested_go_to_the_authors_with_the_comments(
    report, cast, django_capture_on_commit_callbacks
):
    walk_to(report, cast, Status.AWAITING_SIGNOFF)
    signoff_services.add_section_comment(
        report=report, actor=cast.local_lead, section_key="reasons", body="Say who asked."
    )
    with django_capture_on_commit_callbacks(execute=True):
        signoff_services.request_changes(report=report, actor=cast.local_lead, comment="Nearly.")
    assert sent_to(mail.outbox) == emails(cast.partner, cast.tce_lead)
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
    report, cast, django_capture_on_commit_callbacks, status, actor, expected
):
    walk_to(
        report,
        cast,
        {
            Status.SIGNED_OFF: Status.AWAITING_SIGNOFF,
            Status.COUNTERSIGNED: Status.SIGNED_OFF,
            Status.PUBLISHED: Status.COUNTERSIGNED,
            Status.WITHDRAWN: Status.PUBLISHED,
        }[status],
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        walk_to(report, cast, status)
    assert report.events.last().actor == cast.by_role(actor)
    assert sent_to(mail.outbox) == emails(*[cast.by_role(role) for role in expected])


def test_an_admin_countersigning_tells_the_tce_lead_to_publish(
    report, cast, django_capture_on_commit_callbacks
):
    walk_to(report, cast, Status.SIGNED_OFF)
    with django_capture_on_commit_callbacks(execute=True):
        signoff_services.countersign(report=report, actor=cast.admin, full_name="Ada", role="Admin")
    assert sent_to(mail.outbox) == emails(cast.tce_lead)
    assert "What you can do now: Publish on the microsite." in mail.outbox[0].body


def test_a_change_after_sign_off_tells_the_local_leads_and_the_tce_lead(
    report, cast, django_capture_on_commit_callbacks
):
    walk_to(report, cast, Status.COUNTERSIGNED)
    with django_capture_on_commit_callbacks(execute=True):
        section = ReportSection.objects.get(report=report, key="reasons")
        section.body = "<p>Changed.</p>"
        section.save()
    assert sent_to(mail.outbox) == emails(cast.local_lead, cast.tce_lead)
    assert "content changed since sign-off" in mail.outbox[0].subject


def test_a_change_to_a_published_report_tells_everyone_a_revision_is_open(
    report, cast, django_capture_on_commit_callbacks
):
    walk_to(report, cast, Status.PUBLISHED)
    with django_capture_on_commit_callbacks(execute=True):
        section = ReportSection.objects.get(report=report, key="reasons")
        section.body = "<p>Changed.</p>"
        section.save()
    assert sent_to(mail.outbox) == emails(cast.tce_lead, cast.partner, cast.local_lead)
    assert "A revision is open" in mail.outbox[0].body


def test_nothing_is_sent_before_the_commit(report, cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        authoring_services.submit_for_signoff(report=report, actor=cast.partner)
    assert mail.outbox == []
    # The transition is announced once committed: then the local area and the TCE lead hear.
    for callback in callbacks:
        callback()
    assert sent_to(mail.outbox) == emails(cast.local_lead, cast.tce_lead)


@override_settings(EMAIL_BACKEND="tests.support.failing_email.EmailBackend")
def test_a_failed_email_never_loses_the_transition(
    report, cast, django_capture_on_commit_callbacks, caplog
):
    with (
        caplog.at_level(logging.ERROR, logger="reports.signoff.notifications"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        authoring_services.submit_for_signoff(report=report, actor=cast.partner)
    report.refresh_from_db()
    assert report.status == Status.AWAITING_SIGNOFF
    assert ReportEvent.objects.filter(report=report, transition="submit").exists()
    assert "Could not send the e-mail about “submit”" in caplog.text
    assert mail.outbox == []
