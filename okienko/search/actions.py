"""Writes of the search index: (re)index objects of a registered type, rebuild everything."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from okienko.search.analysis import LANGUAGES, detect_language, text_terms
from okienko.search.backends import backend
from okienko.search.models import SearchDocument, SearchTerm
from okienko.search.registry import DocumentText, document_type, document_types

REINDEX_BATCH = 500
_VOCABULARY_BATCH = 900
# Longer "words" are encoded data (base64, hashes), not something a person types.
MAX_TERM_LENGTH = 60
_INDEXED_FIELDS = ["language", "title_terms", "public_terms", "internal_terms", "indexed_at"]


@dataclass(frozen=True)
class _Terms:
    language: str
    title: list[str]
    public: list[str]
    internal: list[str]

    def all(self) -> set[str]:
        return {*self.title, *self.public, *self.internal}


def _terms(text: DocumentText) -> _Terms:
    language = text.language
    if language not in LANGUAGES:
        sample = " ".join([text.title, *text.public, *text.internal])
        language = detect_language(sample, hint=text.language_hint)

    def kept(texts: Sequence[str]) -> list[str]:
        return [term for term in text_terms(texts, language) if len(term) <= MAX_TERM_LENGTH]

    return _Terms(language, kept([text.title]), kept(text.public), kept(text.internal))


def _add_to_vocabulary(terms: set[str]) -> None:
    # Inserted without first reading which terms are known: the unique index skips those. A read
    # by the list of terms was planned on PostgreSQL as a search of the trigram index (pg_trgm
    # answers equality too) and took seconds for a few hundred short terms. Sorted, so that two
    # indexers adding the same terms wait for each other in one order, never in a deadlock.
    SearchTerm.objects.bulk_create(
        [SearchTerm(term=term) for term in sorted(terms)],
        batch_size=_VOCABULARY_BATCH,
        ignore_conflicts=True,
    )


@transaction.atomic
def do_index_documents(doc_type: str, object_ids: Sequence[int]) -> int:
    """Index these objects of ``doc_type`` as they are now; objects gone leave the index.
    Returns how many documents were written."""
    texts = document_type(doc_type).texts(object_ids)
    now = timezone.now()
    documents: list[SearchDocument] = []
    vocabulary: set[str] = set()
    for object_id, text in texts.items():
        terms = _terms(text)
        vocabulary |= terms.all()
        documents.append(
            SearchDocument(
                doc_type=doc_type,
                object_id=object_id,
                language=terms.language,
                title_terms=" ".join(terms.title),
                public_terms=" ".join(terms.public),
                internal_terms=" ".join(terms.internal),
                indexed_at=now,
            )
        )
    # One upsert for new and indexed objects alike: cheaper than reading the documents and
    # writing them back with a CASE per field.
    SearchDocument.objects.bulk_create(
        documents,
        update_conflicts=True,
        unique_fields=["doc_type", "object_id"],
        update_fields=_INDEXED_FIELDS,
    )
    gone = set(object_ids) - texts.keys()
    if gone:
        SearchDocument.objects.filter(doc_type=doc_type, object_id__in=gone).delete()
    _add_to_vocabulary(vocabulary)
    return len(documents)


def do_remove_documents(doc_type: str, object_ids: Sequence[int]) -> None:
    """Take these objects out of the index (e.g. an erased customer)."""
    SearchDocument.objects.filter(doc_type=doc_type, object_id__in=object_ids).delete()


Progress = Callable[[str, int, int], None]


def _no_progress(doc_type: str, done: int, total: int) -> None:
    return None


def do_reindex(doc_types: Sequence[str] = (), *, on_progress: Progress = _no_progress) -> int:
    """Rebuild the index of ``doc_types`` (all registered types when empty) from the domain's
    objects, in batches; search keeps answering meanwhile. ``on_progress(type, done, total)``
    follows each batch. Returns how many documents were written."""
    names = list(doc_types) or sorted(document_types())
    kinds = [document_type(name) for name in names]
    if not doc_types:
        # A full rebuild also forgets terms no document holds any more.
        SearchTerm.objects.all().delete()
    written = 0
    for kind in kinds:
        objects = kind.objects()
        total = objects.count()
        done, last_id = 0, 0
        on_progress(kind.name, done, total)
        while True:
            ids = list(
                objects.filter(pk__gt=last_id)
                .order_by("pk")
                .values_list("pk", flat=True)[:REINDEX_BATCH]
            )
            if not ids:
                break
            written += do_index_documents(kind.name, ids)
            done, last_id = done + len(ids), ids[-1]
            on_progress(kind.name, done, total)
        # NOT EXISTS, not NOT IN: PostgreSQL turns it into an anti-join, where NOT IN over a
        # million ids that do not fit work_mem is checked row by row against all of them
        # (hours at 1,000,000 tickets).
        stale = SearchDocument.objects.filter(doc_type=kind.name).exclude(
            Exists(objects.filter(pk=OuterRef("object_id")))
        )
        stale.delete()
    backend().optimise()
    return written
