"""Reminders about sign-off, sent by ``manage.py send_signoff_reminders`` (run it once a day).

- A report waiting for the local area's sign-off: its local leads and its TCE project lead are
  reminded ``settings.SIGNOFF_REMINDER_WORKING_DAYS`` working days before the date it was asked
  for, and again on that date (each once: ``SignoffReminder``).
- A sign-off link that expired unused: the TCE project lead who sent it is told, once.
"""

import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import Role, User

from ..due_dates import working_days_before
from ..models import LearningReport, SignoffLink, SignoffReminder, Status
from .notifications import send_message, url_for


def _due_reminders(today: datetime.date):
    """(report, kind) for every reminder due today and not sent yet."""
    waiting = LearningReport.objects.filter(
        status=Status.AWAITING_SIGNOFF, signoff_due_on__isnull=False
    ).select_related("bsp__tce_lead", "bsp__partnership")
    for report in waiting:
        due = report.signoff_due_on
        if today >= due:
            kind = SignoffReminder.Kind.DUE
        elif today >= working_days_before(due, settings.SIGNOFF_REMINDER_WORKING_DAYS):
            kind = SignoffReminder.Kind.BEFORE
        else:
            continue
        if not report.reminders.filter(kind=kind, due_on=due).exists():
            yield report, kind


def _recipients(report) -> list[User]:
    people = list(
        User.objects.filter(
            role=Role.LOCAL_LEAD, partnership_id=report.bsp.partnership_id, is_active=True
        )
    )
    lead = report.bsp.tce_lead
    if lead is not None and lead.is_active:
        people.append(lead)
    return people


def send_due_reminders(*, today: datetime.date | None = None) -> int:
    """Send the reminders due ``today``. Returns how many e-mails went."""
    today = today or timezone.localdate()
    connection = get_connection()
    sent = 0
    for report, kind in list(_due_reminders(today)):
        try:
            with transaction.atomic():
                SignoffReminder.objects.create(
                    report=report, kind=kind, due_on=report.signoff_due_on
                )
        except IntegrityError:
            continue  # another run sent it meanwhile
        for recipient in _recipients(report):
            context = {
                "recipient": recipient,
                "report": report,
                "on_the_day": kind == SignoffReminder.Kind.DUE,
                "overdue": today > report.signoff_due_on,
                "is_local_lead": recipient.role == Role.LOCAL_LEAD,
                "url": url_for(recipient, report),
                "tce_lead": report.bsp.tce_lead,
            }
            when = "today" if report.signoff_due_on == today else "soon"
            if today > report.signoff_due_on:
                when = "overdue"
            message = EmailMultiAlternatives(
                subject=f"Project Learning Report: {report.title}: sign-off due {when}",
                body=render_to_string("reports/email/reminder.txt", context),
                to=[recipient.email],
                connection=connection,
            )
            message.attach_alternative(
                render_to_string("reports/email/reminder.html", context), "text/html"
            )
            sent += send_message(message, f"the sign-off reminder for {report.title}")
    return sent


def notify_expired_links(*, now: datetime.datetime | None = None) -> int:
    """Tell each sender of a sign-off link that expired unused. Returns how many e-mails went."""
    now = now or timezone.now()
    expired = SignoffLink.objects.filter(
        used_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__lte=now,
        expiry_notified_at__isnull=True,
    ).select_related("report", "recipient", "sent_by")
    sent = 0
    for link in expired:
        claimed = SignoffLink.objects.filter(pk=link.pk, expiry_notified_at__isnull=True).update(
            expiry_notified_at=now
        )
        if not claimed:
            continue
        context = {
            "link": link,
            "report": link.report,
            "waiting": link.report.status == Status.AWAITING_SIGNOFF,
            "url": settings.SITE_URL + link.report.get_review_url(),
        }
        message = EmailMultiAlternatives(
            subject=f"Project Learning Report: {link.report.title}: a sign-off link expired unused",
            body=render_to_string("reports/email/link_expired.txt", context),
            to=[link.sent_by.email],
        )
        message.attach_alternative(
            render_to_string("reports/email/link_expired.html", context), "text/html"
        )
        sent += send_message(message, f"the expired sign-off link for {link.report.title}")
    return sent
