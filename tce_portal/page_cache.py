"""The public pages' cache in a database table, written with one statement a page.

Django's ``DatabaseCache`` makes each ``set`` five statements: a ``COUNT(*)`` of the whole table
(to cull it once it holds more than ``MAX_ENTRIES``), then, in a transaction of its own, a
``SELECT`` of the key and an ``INSERT`` or ``UPDATE``. A public page that misses the cache sets
two keys (its headers and its content): ten statements, half of all an uncached page costs.

``PageCache`` writes a key with one upsert (``INSERT ... ON CONFLICT DO UPDATE``, which
PostgreSQL and SQLite both run) and counts the table only on every ``CULL_EVERY``-th write of a
process: when it holds more than ``MAX_ENTRIES``, the keys that expire soonest (the expired ones
first) are deleted until it holds ``MAX_ENTRIES`` less a ``CULL_FREQUENCY``-th of it again.
On PostgreSQL a write outside a transaction does not wait for the write-ahead log to reach the
disk (``SET LOCAL synchronous_commit TO OFF``, sent with the upsert, for that statement alone): a
page lost in a crash is made again, and a page's write is a third cheaper, its slowest far less.
Values are compressed (``_Packed``: zlib, undone by unpickling, so that reads are Django's own).
Reads, ``add``, ``touch``, deletes and ``clear`` are Django's own. The statements are made from
the table's name in the settings, never from a visitor's input. In production the page cache is
a Redis database of its own (``MICROSITE_CACHE_URL``) and this class is not used.
"""

import base64
import itertools

# Django's own DatabaseCache stores pickles too; only the portal's pages are ever written.
import pickle  # nosec B403
import zlib
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router

# How many writes of one process between two counts of the table (Django counts at every write).
CULL_EVERY = 20


class PageCache(DatabaseCache):
    def __init__(self, table, params):
        super().__init__(table, params)
        self._writes = itertools.count(1)

    def _statements(self, connection) -> tuple[str, str, str]:
        """Counting the table, writing a key, deleting the ``%s`` keys that expire soonest."""
        t = connection.ops.quote_name(self._table)
        k, v, e = (connection.ops.quote_name(c) for c in ("cache_key", "value", "expires"))
        on_conflict = f"ON CONFLICT ({k}) DO UPDATE SET {v} = EXCLUDED.{v}, {e} = EXCLUDED.{e}"  # nosec B608
        count = f"SELECT COUNT(*) FROM {t}"  # noqa: S608  # nosec B608
        upsert = f"INSERT INTO {t} ({k}, {v}, {e}) VALUES (%s, %s, %s) {on_conflict}"  # noqa: S608  # nosec B608
        soonest = f"SELECT {k} FROM {t} ORDER BY {e} LIMIT %s"  # noqa: S608  # nosec B608
        cull = f"DELETE FROM {t} WHERE {k} IN ({soonest})"  # noqa: S608  # nosec B608
        return count, upsert, cull

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        timeout = self.get_backend_timeout(timeout)
        if timeout is None:
            expires = datetime.max
        else:
            expires = datetime.fromtimestamp(timeout, tz=UTC if settings.USE_TZ else None)
        connection = connections[router.db_for_write(self.cache_model_class)]
        expires = connection.ops.adapt_datetimefield_value(expires.replace(microsecond=0))
        packed = _Packed(pickle.dumps(value, self.pickle_protocol))
        encoded = base64.b64encode(pickle.dumps(packed, self.pickle_protocol)).decode("latin1")
        count, upsert, cull = self._statements(connection)
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # One round trip, one implicit transaction: the setting ends with it.
            upsert = f"SET LOCAL synchronous_commit TO OFF; {upsert}"
        with connection.cursor() as cursor:
            if next(self._writes) % CULL_EVERY == 1:
                cursor.execute(count)
                (rows,) = cursor.fetchone()
                if rows > self._max_entries:
                    keep = self._max_entries - self._max_entries // max(self._cull_frequency, 1)
                    cursor.execute(cull, [rows - keep])
            cursor.execute(upsert, [key, encoded, expires])


def _unpacked(data: bytes):
    """What ``_Packed`` holds (called by ``pickle.loads`` as Django's ``get`` reads a key)."""
    # Only the portal's own pages are ever written to the table.
    return pickle.loads(zlib.decompress(data))  # noqa: S301  # nosec B301


class _Packed:
    """A value compressed for the table: a page is about a fifth of its size (the learning page,
    104 kB, is stored in 27 kB of base64 instead of 140 kB), which the database reads, sends and
    Django decodes on every hit. Unpickling one gives back the value itself (``__reduce__``), so
    Django's own ``get`` reads it unchanged."""

    def __init__(self, pickled: bytes):
        self.data = zlib.compress(pickled, 1)

    def __reduce__(self):
        return (_unpacked, (self.data,))
