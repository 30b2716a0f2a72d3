import pytest
from django.core.management import call_command


@pytest.fixture
def run_worker(monkeypatch):
    """Run `manage.py db_worker --batch`: every queued task, then exit.

    Between tasks the worker closes the database connection, as Django does between requests;
    inside a test's transaction that would close the test's own connection (on PostgreSQL), so
    here it keeps it.
    """
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )

    def run():
        call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)

    return run
