"""``/healthz``: can this process serve? For load balancers and monitoring.

Checks the database (a query), the file storage (PDFs are read from it) and the task back end
(its system checks; with the database back end, its table answers). 200 with each check's result
when all pass, 503 when one fails. Nothing about the data or the people is in the answer.
"""

import logging
import time

from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_tasks import default_task_backend

logger = logging.getLogger(__name__)


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _storage():
    default_storage.exists("healthz-probe")  # reaches the storage; the file need not exist


def _tasks():
    problems = [m for m in default_task_backend.check() if m.is_serious()]
    if problems:
        raise RuntimeError(problems[0].msg)
    if type(default_task_backend).__module__.startswith("django_tasks_db"):
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.exists()


CHECKS = {"database": _database, "storage": _storage, "tasks": _tasks}


@never_cache
@require_GET
def healthz(request):
    results, healthy = {}, True
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            check()
        except Exception:
            logger.exception("Health check %s failed", name)
            results[name] = "failing"
            healthy = False
        else:
            results[name] = f"ok ({(time.perf_counter() - started) * 1000:.0f} ms)"
    return JsonResponse(
        {"status": "ok" if healthy else "failing", "checks": results},
        status=200 if healthy else 503,
    )
