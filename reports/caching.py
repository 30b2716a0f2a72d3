"""Caching of the public pages: HTTP validators and a server-side page cache, invalidated together.

The state of the microsite is two things:
- a version number in the cache, bumped by signal receivers (``reports.signals``) whenever a
  report, a section or the register changes;
- the count and latest ``updated_at`` of the reports that are or were public (one cheap aggregate
  query), so that publishing or withdrawing a report is seen at once by every process even when
  each has its own in-memory cache (with several processes, set ``REDIS_URL`` so that they also
  share the version number and the cached pages).

Public views are wrapped in ``public_page``: the ETag is derived from that state (a 304 when
nothing changed), and anonymous GET requests are served from the cache under a key made of the
state, the path with its query string and whether htmx asked for a partial.
"""

import functools
import hashlib

from django.contrib import messages
from django.core.cache import cache
from django.db.models import Count, Max
from django.http import HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import condition

VERSION_KEY = "microsite:version"
PAGE_TIMEOUT = 60 * 60  # an hour: a bound on staleness if a process misses a bump


def public_version() -> int:
    return cache.get_or_set(VERSION_KEY, 1, timeout=None)


def bump_public_version() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not in the cache (yet, or any more): any new value invalidates
        cache.set(VERSION_KEY, public_version() + 1, timeout=None)


def site_state(request) -> str:
    """The state the public pages depend on, computed once per request (one query)."""
    if not hasattr(request, "_microsite_state"):
        from .models import LearningReport

        public = LearningReport.objects.ever_public().aggregate(
            latest=Max("updated_at"), count=Count("pk")
        )
        latest = public["latest"].timestamp() if public["latest"] else 0
        request._microsite_state = f"{public_version()}-{public['count']}-{latest:.6f}"
    return request._microsite_state


def wants_partial(request) -> bool:
    """htmx asked for the part of the page it swaps (not a history restore, which needs it all)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def _is_anonymous_get(request) -> bool:
    return request.method in ("GET", "HEAD") and not request.user.is_authenticated


def _etag(request, *args, **kwargs):
    if not _is_anonymous_get(request):
        return None  # signed-in pages carry the user's navigation: never validated or shared
    variant = "htmx" if wants_partial(request) else "page"
    return hashlib.sha256(f"{site_state(request)}:{variant}".encode()).hexdigest()[:32]


def _cache_key(request) -> str:
    variant = "htmx" if wants_partial(request) else "page"
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"microsite:page:{site_state(request)}:{variant}:{path}"


def public_page(view):
    """Serve a public view with an ETag and from the server-side cache for anonymous visitors."""

    @functools.wraps(view)
    def cached_view(request, *args, **kwargs):
        cacheable = _is_anonymous_get(request) and not len(messages.get_messages(request))
        key = _cache_key(request) if cacheable else None
        stored = cache.get(key) if key else None
        if stored is not None:
            response = HttpResponse(stored["content"], content_type=stored["content_type"])
            for header, value in stored["headers"].items():
                response.headers[header] = value
        else:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            if key and response.status_code == 200 and not response.cookies:
                kept = ("Content-Disposition", "X-Robots-Tag")
                cache.set(
                    key,
                    {
                        "content": response.content,
                        "content_type": response.headers["Content-Type"],
                        "headers": {h: response.headers[h] for h in kept if h in response.headers},
                    },
                    PAGE_TIMEOUT,
                )
        # Browsers revalidate (cheaply, with the ETag) rather than keep a stale copy.
        patch_cache_control(response, no_cache=True)
        patch_vary_headers(response, ["HX-Request", "HX-History-Restore-Request"])
        return response

    return condition(etag_func=_etag)(cached_view)
