from django.core.management import call_command
from django.core.management.base import BaseCommand

# Everything but what Django or the portal makes again by itself (content types, permissions,
# the public pages' stored figures), and what must not travel (sessions, sign-in attempts).
EXCLUDE = ["contenttypes", "auth.permission", "sessions", "axes", "reports.publicfigure"]


class Command(BaseCommand):
    help = (
        "Write every row of the portal's database (reports, editions, histories, the audit log, "
        "people, the register) to one JSON file, portable between SQLite and PostgreSQL. "
        "Restore it with restore_data. Stored PDFs are files: they are rendered again on demand."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="where to write the backup, e.g. backup.json")

    def handle(self, *args, file, **options):
        call_command("dumpdata", natural_foreign=True, exclude=EXCLUDE, output=file, verbosity=0)
        self.stdout.write(f"Wrote the backup to {file}.")
