"""The database's own full-text structures over the search tables, per database vendor.

SQLite: FTS5 tables with the documents' and the vocabulary's rows as external content, kept in
step by triggers. PostgreSQL: a stored generated tsvector (title A, public B, internal C) with a
GIN index, and pg_trgm over the vocabulary. A later migration that makes SQLite rebuild these
tables (an altered column) must create the triggers again.
"""

from django.db import migrations

_COLUMNS = "title_terms, public_terms, internal_terms"
_NEW = "new.id, new.title_terms, new.public_terms, new.internal_terms"
_OLD = "'delete', old.id, old.title_terms, old.public_terms, old.internal_terms"

SQLITE_FORWARDS = [
    f"""CREATE VIRTUAL TABLE search_fts USING fts5({_COLUMNS}, content='search_searchdocument',
        content_rowid='id', tokenize='unicode61 remove_diacritics 0', prefix='3')""",
    f"""CREATE TRIGGER search_fts_insert AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_fts(rowid, {_COLUMNS}) VALUES ({_NEW}); END""",  # noqa: S608
    f"""CREATE TRIGGER search_fts_delete AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, {_COLUMNS}) VALUES ({_OLD}); END""",  # noqa: S608
    f"""CREATE TRIGGER search_fts_update AFTER UPDATE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, {_COLUMNS}) VALUES ({_OLD});
        INSERT INTO search_fts(rowid, {_COLUMNS}) VALUES ({_NEW}); END""",  # noqa: S608
    """CREATE VIRTUAL TABLE search_term_trigrams USING fts5(term, content='search_searchterm',
        content_rowid='id', tokenize='trigram')""",
    """CREATE TRIGGER search_term_trigrams_insert AFTER INSERT ON search_searchterm BEGIN
        INSERT INTO search_term_trigrams(rowid, term) VALUES (new.id, new.term); END""",
    """CREATE TRIGGER search_term_trigrams_delete AFTER DELETE ON search_searchterm BEGIN
        INSERT INTO search_term_trigrams(search_term_trigrams, rowid, term)
        VALUES ('delete', old.id, old.term); END""",
]
SQLITE_BACKWARDS = [
    "DROP TRIGGER search_term_trigrams_delete",
    "DROP TRIGGER search_term_trigrams_insert",
    "DROP TABLE search_term_trigrams",
    "DROP TRIGGER search_fts_update",
    "DROP TRIGGER search_fts_delete",
    "DROP TRIGGER search_fts_insert",
    "DROP TABLE search_fts",
]

POSTGRESQL_FORWARDS = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """ALTER TABLE search_searchdocument ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, title_terms), 'A')
        || setweight(to_tsvector('simple'::regconfig, public_terms), 'B')
        || setweight(to_tsvector('simple'::regconfig, internal_terms), 'C')) STORED""",
    "CREATE INDEX search_document_vector ON search_searchdocument USING GIN (search_vector)",
    "CREATE INDEX search_term_trigrams ON search_searchterm USING GIN (term gin_trgm_ops)",
]
POSTGRESQL_BACKWARDS = [
    "DROP INDEX search_term_trigrams",
    "DROP INDEX search_document_vector",
    "ALTER TABLE search_searchdocument DROP COLUMN search_vector",
]

_STATEMENTS = {
    "sqlite": (SQLITE_FORWARDS, SQLITE_BACKWARDS),
    "postgresql": (POSTGRESQL_FORWARDS, POSTGRESQL_BACKWARDS),
}


def _run(schema_editor, direction: int) -> None:
    for statement in _STATEMENTS[schema_editor.connection.vendor][direction]:
        schema_editor.execute(statement, params=None)


def forwards(apps, schema_editor) -> None:
    _run(schema_editor, 0)


def backwards(apps, schema_editor) -> None:
    _run(schema_editor, 1)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
