from django.core.management.base import BaseCommand

from reports.signoff.reminders import notify_expired_links, send_due_reminders


class Command(BaseCommand):
    help = (
        "E-mail today's sign-off reminders (before the date a report was asked to be signed off "
        "by, and on it) and tell TCE project leads about sign-off links that expired unused. "
        "Run once a day (cron, a systemd timer, or your platform's scheduler); running it again "
        "the same day sends nothing twice."
    )

    def handle(self, *args, **options):
        reminders = send_due_reminders()
        expired = notify_expired_links()
        self.stdout.write(
            f"Sent {reminders} sign-off reminder e-mail(s) and {expired} expired-link notice(s)."
        )
