"""Caching of the public pages.

- ``public_page`` keeps each anonymous page in the ``microsite`` cache (its own named cache, so
  that clearing it clears nothing else), under one key a page. By default that cache is a table
  in the database, shared by every process that serves the site; in production it is a Redis
  database of its own (``MICROSITE_CACHE_URL``, see the README).
- Every public response carries an ETag made from its address and its content (two pages that
  happen to say the same never share one), so a browser that has the page gets a 304
  (``django.utils.cache.get_conditional_response``, as ``ConditionalGetMiddleware``).
- ``clear_public_pages()`` empties the cache, and the stored figures about the whole corpus
  (``summary.py``). ``receivers.py`` calls it after every transition of a report (the
  ``report_transitioned`` domain event) and after any saved change to what the public pages
  show, including changes made in the admin or the shell.
- Each process also keeps its own copies of the pages it has sent (``LOCAL_CACHE``), each under
  the epoch of the cache it was made in, and of the stored figures its pages read
  (``summary.kept_in_process``). ``PublicPagesMiddleware``, placed before the session,
  authentication, CSRF and messages middleware, answers a visitor who sends no cookie from that
  copy after one read of the current epoch: a cached page then costs what a one-query page
  does, where reading and unpacking it from the shared cache and passing it through the whole
  middleware cost twice that. A copy made in an earlier epoch is never sent.

Signed-in people's pages carry their own navigation: they are never cached or validated.
"""

import functools
import hashlib
import secrets

from django.contrib import messages
from django.core.cache import caches
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import quote_etag
from django.utils.translation import get_language
from django.views.decorators.vary import vary_on_headers

from tce_portal.after_response import after_sent

from . import summary

CACHE = "microsite"
EPOCH_KEY = "epoch"  # a value of its own after each emptying (``empty_page_cache``)
# An hour: a bound on staleness should a change escape the receivers (the same for the stored
# figures the pages show).
PAGE_TIMEOUT = int(summary.MAX_AGE.total_seconds())


# Each process's own copies of the pages it has sent (``PublicPagesMiddleware``).
LOCAL_CACHE = "microsite-local"


def clear_public_pages() -> None:
    """Empty the page cache now and again once the current transaction commits, so that a page
    rendered by another request in between, from data not yet committed, is not kept; and the
    figures about the whole corpus that the pages show with it (``summary.forget``)."""
    summary.forget()
    empty_page_cache()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(empty_page_cache)


def empty_page_cache() -> None:
    """Empty the cache and mark it with a new epoch. A page whose making began in an earlier
    epoch is not kept, whenever its write lands (``_store``), and no process sends its own copy
    of one (``PublicPagesMiddleware``): a page rendered just before a report is taken down is
    never served after it."""
    cache = caches[CACHE]
    cache.clear()
    cache.set(EPOCH_KEY, secrets.token_hex(8), None)
    caches[LOCAL_CACHE].clear()  # this process's copies (other processes' see the new epoch)


def _current_epoch(found_epoch):
    """The cache's epoch: ``found_epoch``, or, in a cache emptied by other means (a new
    deployment's, or one cleared by hand), a first one (``add``: whichever process adds it
    first, every process then reads the same)."""
    if found_epoch is not None:
        return found_epoch
    cache = caches[CACHE]
    cache.add(EPOCH_KEY, secrets.token_hex(8), None)
    return cache.get(EPOCH_KEY)


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


# The request headers a public page's content depends on: htmx asks for the part it swaps.
VARY_HEADERS = ("HX-Request", "HX-History-Restore-Request")


def page_key(request) -> str:
    """The key of the page at this address (scheme, host, path and query: pages name their own
    absolute address), in this part (``VARY_HEADERS``) and language."""
    digest = hashlib.sha256(request.build_absolute_uri().encode())
    for header in VARY_HEADERS:
        digest.update(b"\x00" + request.headers.get(header, "").encode())
    digest.update(b"\x00" + (get_language() or "").encode())
    return f"page.{digest.hexdigest()}"


def _storable(request, response) -> bool:
    """A whole, successful page the same for everyone: no form's CSRF token in it (the CSRF
    middleware sets its cookie after this decorator has run: ``get_token`` marks the request),
    no cookie set, not varying on cookies, not marked private."""
    return (
        not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "cookie" not in response.get("Vary", "").lower()
        and "private" not in response.get("Cache-Control", "")
    )


def public_page(view):
    """Serve a public view from the ``microsite`` cache, with an ETag, to anonymous visitors.

    One key a page (``page_key``): one read on a hit, one write on a miss, made once the page
    has been sent (WSGI servers, and Django's test client, close a response after its last
    byte). Django's ``cache_page`` keeps a second key per address, the list of headers the page
    varies on, and so reads twice on a hit and writes twice on a miss; here the headers are
    known."""
    varied_view = vary_on_headers(*VARY_HEADERS)(view)

    @functools.wraps(view)
    def public_view(request, *args, **kwargs):
        if not _shareable(request):
            return _rendered(varied_view(request, *args, **kwargs))
        key = page_key(request)
        found = caches[CACHE].get_many([key, EPOCH_KEY])  # one query
        response, epoch = found.get(key), _current_epoch(found.get(EPOCH_KEY))
        fresh = response is None
        if fresh:
            # The figures it reads are kept in this process for the rest of the epoch.
            with summary.kept_in_process(caches[LOCAL_CACHE], epoch):
                response = _rendered(varied_view(request, *args, **kwargs))
        # Browsers revalidate (cheaply, with the ETag) rather than keep a stale copy.
        patch_cache_control(response, no_cache=True, max_age=0)
        if response.status_code != 200 or response.streaming:
            return response
        if fresh or "ETag" not in response:  # a stored page keeps the ETag it was sent with
            response["ETag"] = page_etag(request, response)
        sent = get_conditional_response(request, etag=response["ETag"], response=response)
        if _storable(request, response):
            if fresh:
                # Stored once the answer (the page, or a 304) has been sent: the visitor does
                # not wait for the write.
                after_sent(sent, functools.partial(_store, key, response, epoch))
            # This process keeps its own copy of the page as the middleware sends it.
            sent.public_page = (key, epoch)
        return sent

    return public_view


def _store(key, response, epoch) -> None:
    """Keep the page: its status, headers and content (a copy, without what the server or a
    test client has attached to the response it sent), unless the cache has been emptied since
    its making began (``epoch``): then it may show what a change has just removed, and it is
    deleted again. (Checked after the write: whichever comes first, the write or the emptying,
    the page is not kept.)"""
    stored = HttpResponse(response.content, status=response.status_code)
    for header, value in response.items():
        stored[header] = value
    cache = caches[CACHE]
    cache.set(key, stored, PAGE_TIMEOUT)
    if cache.get(EPOCH_KEY) != epoch:
        cache.delete(key)


def _rendered(response):
    if hasattr(response, "render") and callable(response.render):
        response = response.render()
    return response


def _local_copy(key: str, epoch) -> HttpResponse | None:
    """A new response with this process's copy of the page at ``key``, if it was made in
    ``epoch``, the shared cache's current one; ``None`` otherwise."""
    copy = caches[LOCAL_CACHE].get(key)
    if copy is None or epoch is None or copy["epoch"] != epoch:
        return None
    response = HttpResponse(copy["content"], status=copy["status"])
    for header, value in copy["headers"]:
        response[header] = value
    return response


def _keep_local_copy(key: str, epoch, response) -> None:
    if epoch is not None:
        copy = {
            "epoch": epoch,
            "status": response.status_code,
            "headers": tuple(response.items()),
            "content": response.content,
        }
        caches[LOCAL_CACHE].set(key, copy)


class PublicPagesMiddleware:
    """Send a visitor who sends no cookie (so: signed out, no message waiting) this process's
    own copy of a public page (the ``microsite-local`` cache, a ``LocMemCache``: each process's
    own memory, its least recently used pages dropped first, each kept 5 minutes at most), if
    it was made in the shared cache's current epoch: one read of the epoch,
    before the session, authentication, CSRF and messages middleware run. Place it after
    ``SecurityMiddleware`` and the portal's own header and logging middleware, which every
    response passes through, and before ``SessionMiddleware``.

    On the way out it keeps a copy of each public page sent whole (``public_page`` marks them
    with their key and epoch), with the headers the middleware after it added."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and not request.COOKIES:
            key = page_key(request)
            if caches[LOCAL_CACHE].has_key(key):  # in this process's memory: no query
                response = _local_copy(key, caches[CACHE].get(EPOCH_KEY))
                if response is not None:
                    return get_conditional_response(
                        request, etag=response["ETag"], response=response
                    )
        response = self.get_response(request)
        kept = getattr(response, "public_page", None)
        if (
            kept is not None
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
        ):
            _keep_local_copy(*kept, response)
        return response
