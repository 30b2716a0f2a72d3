"""Sending for sign-off sets a due date (10 working days by default, changeable); the daily
command reminds the local area and the TCE lead before it and on the day, once each; "My
reports" shows what is overdue; a sign-off link that expires unused tells the TCE lead."""

import datetime
import io

from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reports.due_dates import working_days_after, working_days_before
from reports.models import LearningReport, SignoffLink, SignoffReminder, Status
from tests.factories import make_cast

MONDAY = datetime.date(2026, 11, 30)


def test_working_days_skip_weekends():
    assert working_days_after(MONDAY, 4) == datetime.date(2026, 12, 4)  # Friday
    assert working_days_after(MONDAY, 5) == datetime.date(2026, 12, 7)  # next Monday
    assert working_days_after(MONDAY, 10) == datetime.date(2026, 12, 14)
    assert working_days_before(datetime.date(2026, 12, 7), 2) == datetime.date(2026, 12, 3)


def send(client, report, *, follow=False, **data):
    url = reverse("reports:report-send", kwargs={"slug": report.slug})
    return client.post(url, data, follow=follow)


def test_sending_asks_for_sign_off_in_ten_working_days_or_by_the_date_chosen(db):
    first, second = make_cast("Due Bay"), make_cast("Chosen Date Bay")
    client = Client()
    client.force_login(first.partner)
    page = client.get(reverse("reports:report-send", kwargs={"slug": first.report.slug}))
    default = working_days_after(timezone.localdate(), 10)
    assert f"Leave it empty for {default:%A} {default.day} {default:%B %Y}" in page.content.decode()

    done = send(client, first.report, comment="", due_on="", follow=True)
    first.report.refresh_from_db()
    assert first.report.signoff_due_on == default
    assert f"asked to sign it off by {default:%A} {default.day} {default:%B %Y}" in (
        done.content.decode()
    )

    client.force_login(second.partner)
    chosen = timezone.localdate() + datetime.timedelta(days=30)
    send(client, second.report, comment="", due_on=chosen.isoformat())
    second.report.refresh_from_db()
    assert second.report.signoff_due_on == chosen


def test_a_date_in_the_past_is_refused_with_a_message(db):
    cast = make_cast("Past Date Bay")
    client = Client()
    client.force_login(cast.partner)

    response = send(client, cast.report, comment="", due_on=timezone.localdate().isoformat())

    assert response.status_code == 200
    assert "Enter a date after today" in response.content.decode()
    cast.report.refresh_from_db()
    assert cast.report.status == Status.DRAFT


def run_reminders() -> str:
    out = io.StringIO()
    call_command("send_signoff_reminders", stdout=out)
    return out.getvalue()


def waiting_until(due_on):
    cast = make_cast("Reminder Bay", status=Status.AWAITING_SIGNOFF)
    LearningReport.objects.filter(pk=cast.report.pk).update(signoff_due_on=due_on)
    cast.report.refresh_from_db()
    mail.outbox.clear()
    return cast


def test_the_local_lead_and_the_tce_lead_are_reminded_before_and_on_the_day_once(db):
    today = timezone.localdate()
    cast = waiting_until(working_days_after(today, 2))

    assert "Sent 2 sign-off reminder" in run_reminders()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [cast.local_lead.email, cast.tce_lead.email]
    )
    to_lead = next(m for m in mail.outbox if m.to == [cast.local_lead.email])
    assert "sign-off due soon" in to_lead.subject
    assert "Please review it and sign it off" in to_lead.body
    assert cast.report.get_review_url() in to_lead.body

    mail.outbox.clear()
    assert "Sent 0 sign-off reminder" in run_reminders()  # once a day is once
    assert mail.outbox == []

    LearningReport.objects.filter(pk=cast.report.pk).update(signoff_due_on=today)
    run_reminders()
    assert len(mail.outbox) == 2
    assert "sign-off due today" in mail.outbox[0].subject
    assert SignoffReminder.objects.filter(report=cast.report).count() == 2


def test_nothing_is_sent_long_before_the_date_or_once_signed(db):
    cast = waiting_until(working_days_after(timezone.localdate(), 5))
    run_reminders()
    assert mail.outbox == []
    signed = make_cast("Signed Bay", status=Status.SIGNED_OFF)
    LearningReport.objects.filter(pk=signed.report.pk).update(signoff_due_on=timezone.localdate())
    run_reminders()
    assert mail.outbox == []
    assert cast.report.reminders.count() == 0


def test_my_reports_shows_an_overdue_sign_off(db):
    cast = waiting_until(timezone.localdate() - datetime.timedelta(days=3))
    client = Client()
    client.force_login(cast.tce_lead)

    page = client.get(reverse("reports:dashboard")).content.decode()

    due = cast.report.signoff_due_on
    assert f"Overdue: sign-off was due on {due.day} {due:%B %Y}" in page


def test_a_link_that_expires_unused_tells_the_tce_lead_once(db):
    cast = make_cast("Expired Link Bay", status=Status.AWAITING_SIGNOFF)
    link = SignoffLink.objects.create(
        report=cast.report,
        recipient=cast.local_lead,
        sent_by=cast.tce_lead,
        sent_at=timezone.now() - datetime.timedelta(days=15),
        expires_at=timezone.now() - datetime.timedelta(days=1),
    )
    mail.outbox.clear()

    assert "1 expired-link notice" in run_reminders()
    [notice] = mail.outbox
    assert notice.to == [cast.tce_lead.email]
    assert f"you sent to {cast.local_lead.full_name}" in notice.body
    assert "expired on" in notice.body and "without being used" in notice.body
    link.refresh_from_db()
    assert link.expiry_notified_at is not None
    mail.outbox.clear()
    assert "0 expired-link notice" in run_reminders()
