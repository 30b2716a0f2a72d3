from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from reports.microsite.caching import clear_public_pages


class Command(BaseCommand):
    help = (
        "Load a backup written by backup_data into a migrated database (a new one, or one emptied "
        "with `manage.py flush`). Loading writes no new history rows: the histories are restored "
        "as they were."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the backup, e.g. backup.json")

    def handle(self, *args, file, **options):
        call_command("createcachetable", verbosity=0)  # the public pages' cache table
        # django-simple-history records m2m changes even from loaddata's raw saves: its rows come
        # from the backup itself.
        with override_settings(SIMPLE_HISTORY_ENABLED=False):
            call_command("loaddata", file, verbosity=0)
        clear_public_pages()  # pages and figures are made afresh from what was restored
        self.stdout.write(f"Restored {file}.")
