"""PostgreSQL: documents' terms are kept out of the table's rows (TOAST); the rows hold the ids
and the search vector's pointer.

A search reads the rows of its matches for their type and object id. With the terms inline
(~1.2 KB a ticket) the table outgrew the default 128 MB of shared buffers at 250,000 documents
(306 MB), and those reads went to the disk cache: at 1M messages, p95 of the bench's search
queries 103-138 ms against 42-83 ms with the rows at 41 MB (machine at load 5). The table is
rewritten at once (VACUUM FULL: ~50 s at 250,000 documents, during which the index is locked),
so that the narrow rows also sit together. SQLite: nothing (its full-text index is a table of
its own).
"""

from django.db import migrations


def forwards(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        # 128 bytes is the smallest target PostgreSQL takes: every term column goes out of line.
        schema_editor.execute(
            "ALTER TABLE search_searchdocument SET (toast_tuple_target = 128)", params=None
        )
        schema_editor.execute("VACUUM FULL search_searchdocument", params=None)


def backwards(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE search_searchdocument RESET (toast_tuple_target)", params=None
        )


class Migration(migrations.Migration):
    # VACUUM cannot run in a transaction.
    atomic = False

    dependencies = [("search", "0002_full_text")]

    operations = [migrations.RunPython(forwards, backwards)]
