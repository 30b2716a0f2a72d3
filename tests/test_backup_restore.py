"""The portable backup in the README (``manage.py backup_data`` / ``restore_data``) gives back
everything: every row (histories, editions, the audit log included) and the same public
pages."""

import io

from django.apps import apps
from django.core.management import call_command

from partnerships.reference_data import load_reference_data
from reports.demo import seed_demo
from reports.models import LearningReport, Status
from tests.factories import make_cast, walk_to


def counts():
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label not in ("contenttypes", "sessions", "axes")
        and model._meta.label not in ("auth.Permission", "reports.PublicFigure")
    }


def test_a_dump_loaded_into_an_emptied_database_gives_back_every_row_and_page(
    transactional_db, django_db_serialized_rollback, tmp_path, client
):
    load_reference_data(apps)  # transactional tests start from empty tables
    seed_demo()
    cast = make_cast("Backup Bay", status=Status.PUBLISHED)
    walk_to(cast.report, cast, Status.PUBLISHED)
    east_sussex = LearningReport.objects.get(slug="east-sussex")
    pages = {
        url: client.get(url).content
        for url in (east_sussex.get_absolute_url(), cast.report.get_absolute_url(), "/reports/")
    }
    before = counts()
    assert before["reports.HistoricalReportSection"] > 0 and before["reports.Edition"] >= 2

    dump = tmp_path / "backup.json"
    call_command("backup_data", str(dump), stdout=io.StringIO())
    call_command("flush", interactive=False, verbosity=0)
    assert LearningReport.objects.count() == 0
    call_command("restore_data", str(dump), stdout=io.StringIO())

    assert counts() == before
    for url, content in pages.items():
        assert client.get(url).content == content, url
