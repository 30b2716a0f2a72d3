# Written by hand: a storage setting of PostgreSQL's, which Django's fields do not describe.

from django.db import migrations

# A search's snippets look for the first match in each shown report's plain text, then cut a
# window of it for ts_headline (reports/search.py). PostgreSQL compresses long text (pglz), and
# each of those reads decompresses the whole of it again: 20 reports' text three times, 1.9 ms
# of a common word's search at 10,000 reports. Stored uncompressed (EXTERNAL), the text is read
# without decompressing and a window of it without reading the rest: 0.6 ms. It takes about
# twice the room (14 kB a report on average, against 7 kB).
#
# The rows are rewritten so that the text already stored is uncompressed too (PostgreSQL keeps a
# compressed value as it is until the value changes), then the table is vacuumed: the rewrite
# leaves a dead version of every row, and a new entry for each in the search index's pending
# list, which every search would otherwise read until autovacuum came by (83 ms, not 2, for a
# common word at 10,000 reports). VACUUM cannot run in a transaction: this migration runs
# without one (each statement commits on its own; running it twice does no harm).
# An ALTER of the column's type would reset its storage to the type's default: a migration that
# does one must set it again.


def uncompressed(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE reports_learningreport ALTER COLUMN search_text SET STORAGE EXTERNAL"
        )
        schema_editor.execute(
            "UPDATE reports_learningreport SET search_text = search_text || '' "
            "WHERE search_text <> ''"
        )
        schema_editor.execute("VACUUM ANALYZE reports_learningreport")


def compressed(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE reports_learningreport ALTER COLUMN search_text SET STORAGE EXTENDED"
        )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("reports", "0025_public_figures"),
    ]

    operations = [migrations.RunPython(uncompressed, compressed, elidable=False)]
