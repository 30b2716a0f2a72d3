from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from reports.demo import seed_demo


class Command(BaseCommand):
    help = "Load the demo data: the 2020-21 BSP register, two real reports and a user per role."

    def add_arguments(self, parser):
        parser.add_argument("--password", help="Password for the demo users (default: demo).")
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (never in production)."
        )

    def handle(self, *args, password=None, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Demo data is for development: DEBUG is off. Use --force if you really mean it."
            )
        users = seed_demo(password=password)
        self.stdout.write(self.style.SUCCESS("Demo data is loaded. Sign in with:"))
        for demo, created in users:
            note = "" if created or password else " (password unchanged)"
            self.stdout.write(
                f"  {demo.email:<22} {demo.role.label:<18} password: {password or 'demo'}{note}"
            )
