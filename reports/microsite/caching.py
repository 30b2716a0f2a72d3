"""Caching of the public pages, with Django's own tools.

- ``cache_page`` keeps each anonymous page in the ``microsite`` cache (its own named cache, so
  that clearing it clears nothing else). By default that cache is a table in the database, shared
  by every process that serves the site; in production it is a Redis database of its own
  (``MICROSITE_CACHE_URL``, see the README).
- Every public response carries an ETag made from its address and its content (two pages that
  happen to say the same never share one), so a browser that has the page gets a 304
  (``django.utils.cache.get_conditional_response``, as ``ConditionalGetMiddleware``).
- ``clear_public_pages()`` empties the cache, and the stored figures about the whole corpus
  (``summary.py``). ``receivers.py`` calls it after every transition of
  a report (the ``report_transitioned`` domain event) and after any saved change to what the
  public pages show, including changes made in the admin or the shell.

Signed-in people's pages carry their own navigation: they are never cached or validated.
"""

import functools
import hashlib

from django.contrib import messages
from django.core.cache import caches
from django.db import transaction
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import quote_etag
from django.views.decorators.cache import cache_page
from django.views.decorators.vary import vary_on_headers

from . import summary

CACHE = "microsite"
PAGE_TIMEOUT = 60 * 60  # an hour: a bound on staleness should a change escape the receivers


def clear_public_pages() -> None:
    """Empty the page cache now and again once the current transaction commits, so that a page
    rendered by another request in between, from data not yet committed, is not kept; and the
    figures about the whole corpus that the pages show with it (``summary.forget``)."""
    summary.forget()
    caches[CACHE].clear()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(caches[CACHE].clear)


def page_etag(request, response) -> str:
    """An ETag of the page at this address (path and query) with this content."""
    digest = hashlib.sha256(request.get_full_path().encode())
    digest.update(b"\x00")
    digest.update(response.content)
    return quote_etag(digest.hexdigest()[:32])


def wants_partial(request) -> bool:
    """htmx asked for the part of the page it swaps (not a history restore, which needs it all)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def _shareable(request) -> bool:
    """An anonymous GET with no message waiting to be shown: the same page for everyone."""
    return (
        request.method in ("GET", "HEAD")
        and not request.user.is_authenticated
        and not len(messages.get_messages(request))
    )


def public_page(view):
    """Serve a public view from the ``microsite`` cache, with an ETag, to anonymous visitors."""
    # The same URL is a whole page or, for htmx, the part it swaps: the cache key must say which.
    varied_view = vary_on_headers("HX-Request", "HX-History-Restore-Request")(view)
    cached_view = cache_page(PAGE_TIMEOUT, cache=CACHE, key_prefix=CACHE)(varied_view)

    @functools.wraps(view)
    def public_view(request, *args, **kwargs):
        shareable = _shareable(request)
        response = (cached_view if shareable else varied_view)(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if not shareable:
            return response
        # Browsers revalidate (cheaply, with the ETag) rather than keep a stale copy.
        del response["Expires"]
        patch_cache_control(response, no_cache=True, max_age=0)
        if response.status_code != 200 or response.streaming:
            return response
        response["ETag"] = page_etag(request, response)
        return get_conditional_response(request, etag=response["ETag"], response=response)

    return public_view
