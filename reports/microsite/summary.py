"""Figures about the whole published corpus, worked out once after each change.

Several public pages show what only a pass over every report or BSP can tell: how many reports
are published, the listing's facet counts, the programme's totals, a region's figures, the
sitemap's pages and its newest date. Counted on every request, they made each page cost more as
the corpus grew (at 10,000 reports the listing's six facet counts took 25 ms, the count of
reports with a given section 18 ms), even though they change only when the data does.

So the first page that needs a figure after a change works it out and stores it (a row of
``PublicFigure``, its value as JSON), and every page after it reads that row: one indexed read,
whatever the number of reports. ``forget()`` deletes every row and marks the time (a figure
whose working out began earlier is never used, even if stored later); ``caching.clear_public_pages``
calls it at every change that clears the public pages' cache (``receivers.py``), so the figures
are never older than the pages. A row is also not used once older than the pages' own cache
timeout: the same bound on staleness, should a change ever escape the receivers.

Values are JSON: numbers, strings, lists and dicts with string keys (the callers turn ids and
dates to and from strings).

A public page served to a visitor (``caching.public_page``) reads its figures inside
``kept_in_process``, with the page cache's epoch: a process then keeps what it read in its own
memory under that epoch, and answers the same read again from there, without a query, until the
epoch changes (every ``forget`` comes with a new one: ``caching.clear_public_pages``) or the
oldest of those figures reaches ``MAX_AGE``. Reading them from the table cost a page half a
millisecond (the query, and the facet options' JSON).
"""

import hashlib
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from ..models import PublicFigure

MAX_AGE = timedelta(hours=1)  # also the pages' own (caching.PAGE_TIMEOUT)
# A row whose time is that of the last ``forget``: a figure whose working out began before it
# may count what a change has just removed, and is not used (whenever it was stored).
FORGOTTEN = "forgotten"

# Where, and under which epoch of the public pages' cache, figures read now may be kept in this
# process's memory (``kept_in_process``): a cache and an epoch, or None.
_keeping: ContextVar[tuple | None] = ContextVar("figures_kept_in_process", default=None)


@contextmanager
def kept_in_process(cache, epoch):
    """Inside this block, figures read by ``stored`` are kept in ``cache`` (a cache of this
    process's own memory) under ``epoch``, the public pages' cache's current one, and read from
    there again while it is current. The caller makes sure that ``epoch`` changes whenever the
    figures are forgotten (``caching.public_page``)."""
    token = _keeping.set((cache, epoch))
    try:
        yield
    finally:
        _keeping.reset(token)


def stored(keys) -> dict:
    """The stored figures among ``keys`` (one query, or none when this process read them in
    this epoch already: ``kept_in_process``): a page that may need several reads them together,
    then ``remembered`` works out any that it needs and was missing."""
    keeping = _keeping.get()
    if keeping is None:
        return _read(keys)[0]
    cache, epoch = keeping
    # The epoch as the page cache holds it (any string), and the keys, as a valid cache key.
    memo_key = "figures." + hashlib.blake2b(repr((epoch, *keys)).encode()).hexdigest()
    found = cache.get(memo_key)
    if found is None:
        found, oldest = _read(keys)
        if len(found) == len(set(keys)):  # only a complete read: a missing one is worked out
            left = (oldest + MAX_AGE - timezone.now()).total_seconds()
            if left > 0:
                cache.set(memo_key, found, left)
    return found


def _read(keys) -> tuple[dict, object]:
    """The stored figures among ``keys``, and when the oldest of them was worked out."""
    rows = PublicFigure.objects.filter(
        key__in=[*keys, FORGOTTEN], computed_at__gte=timezone.now() - MAX_AGE
    ).values_list("key", "value", "computed_at")
    forgotten = max((at for key, _, at in rows if key == FORGOTTEN), default=None)
    kept = [
        (key, value, at)
        for key, value, at in rows
        if key != FORGOTTEN and (forgotten is None or at > forgotten)
    ]
    return {key: value for key, value, _ in kept}, min((at for *_, at in kept), default=None)


def remembered(key: str, compute: Callable[[], object], found: dict | None = None):
    """The stored value of ``key``, or ``compute()``'s, stored for the pages after this one with
    the time its working out began (see ``FORGOTTEN``). ``found``: what ``stored`` gave a page
    that read this key with others, in one query."""
    began = timezone.now()
    if found is None:
        found = stored([key])
    if key in found:
        return found[key]
    value = compute()
    _upsert([PublicFigure(key=key, value=value, computed_at=began)])
    return value


def forget() -> None:
    """Delete every stored figure and mark the time, now and again once the current transaction
    commits (a page that began working one out in between, from data not yet committed, must
    not keep it)."""
    _forget()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_forget)


def _forget() -> None:
    PublicFigure.objects.exclude(key=FORGOTTEN).delete()
    _upsert([PublicFigure(key=FORGOTTEN, value=0, computed_at=timezone.now())])


def _upsert(figures) -> None:
    # One statement, whoever else is storing the same figures at the same moment.
    PublicFigure.objects.bulk_create(
        figures,
        update_conflicts=True,
        unique_fields=["key"],
        update_fields=["value", "computed_at"],
    )
