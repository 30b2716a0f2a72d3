from django.core.management.base import BaseCommand

from reports.microsite.search_index import update_search_document
from reports.models import LearningReport


class Command(BaseCommand):
    help = (
        "Rebuild the stored search text (and, on PostgreSQL, the weighted search vector) of "
        "every report. Saving a report or a section keeps them current; run this after a bulk "
        "import that bypassed the models' signals."
    )

    def handle(self, *args, **options):
        count = 0
        for pk in LearningReport.objects.values_list("pk", flat=True).iterator():
            update_search_document(pk)
            count += 1
        self.stdout.write(f"Updated the search documents of {count} report(s).")
