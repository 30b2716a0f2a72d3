from django.core.management.base import BaseCommand

from reports.microsite.search_index import update_search_documents
from reports.models import LearningReport


class Command(BaseCommand):
    help = (
        "Rebuild the stored search text (and, on PostgreSQL, the weighted search vector) of "
        "every report, from its published edition, a batch of reports at a time. Publishing "
        "keeps them current; run this after a bulk import that bypassed the services."
    )

    def handle(self, *args, **options):
        ids = list(LearningReport.objects.order_by("pk").values_list("pk", flat=True))
        update_search_documents(ids)
        self.stdout.write(f"Updated the search documents of {len(ids)} report(s).")
