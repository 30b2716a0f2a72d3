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
"""

from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from ..models import PublicFigure

MAX_AGE = timedelta(hours=1)  # also the pages' own (caching.PAGE_TIMEOUT)
# A row whose time is that of the last ``forget``: a figure whose working out began before it
# may count what a change has just removed, and is not used (whenever it was stored).
FORGOTTEN = "forgotten"


def stored(keys) -> dict:
    """The stored figures among ``keys`` (one query): a page that may need several reads them
    together, then ``remembered`` works out any that it needs and was missing."""
    rows = PublicFigure.objects.filter(
        key__in=[*keys, FORGOTTEN], computed_at__gte=timezone.now() - MAX_AGE
    ).values_list("key", "value", "computed_at")
    forgotten = max((at for key, _, at in rows if key == FORGOTTEN), default=None)
    return {
        key: value
        for key, value, at in rows
        if key != FORGOTTEN and (forgotten is None or at > forgotten)
    }


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
