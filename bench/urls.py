"""The portal's URLs plus the benchmark's own views (``bench/settings.py`` selects this module;
the portal never serves them):

- ``/bench/minimal``: a tiny response, no database: the floor of the stack (gunicorn, Django's
  middleware);
- ``/bench/one-query``: one ``SELECT`` and a tiny response: the baseline pages are compared with;
- ``/bench/clear-cache``: empties the public pages' cache (``microsite``) as a change does, so
  that the next request is rendered afresh.
"""

from django.db import connection
from django.http import HttpResponse
from django.urls import include, path

from reports.microsite.caching import empty_page_cache


def minimal(request):
    return HttpResponse("ok\n", content_type="text/plain")


def one_query(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (value,) = cursor.fetchone()
    return HttpResponse(f"{value}\n", content_type="text/plain")


def clear_cache(request):
    empty_page_cache()
    return HttpResponse("cleared\n", content_type="text/plain")


urlpatterns = [
    path("bench/minimal", minimal, name="bench-minimal"),
    path("bench/one-query", one_query, name="bench-one-query"),
    path("bench/clear-cache", clear_cache, name="bench-clear-cache"),
    path("", include("tce_portal.urls")),
]
