"""The search index: one row per searchable object, holding its normalised terms.

The full-text structures over these rows are the database's own and are kept in step by it:
on SQLite an FTS5 table (external content, filled by triggers), on PostgreSQL a stored
generated ``tsvector`` with a GIN index; see the migrations and ``backends``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    """The indexed terms of one object of a registered document type (a ticket, a customer...).

    Terms are split by who may read them: ``title_terms`` and ``public_terms`` anyone who may
    see the object, ``internal_terms`` agents only (a ticket's internal notes).
    """

    doc_type = models.CharField(max_length=32)
    object_id = models.PositiveBigIntegerField()
    language = models.CharField(max_length=8)
    title_terms = models.TextField(blank=True, default="")
    public_terms = models.TextField(blank=True, default="")
    internal_terms = models.TextField(blank=True, default="")
    indexed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        constraints = [
            models.UniqueConstraint(
                fields=["doc_type", "object_id"], name="searchdocument_type_object_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.doc_type} {self.object_id}"


class SearchTerm(models.Model):
    """A term that occurs in the index: the vocabulary misspelled query words are matched
    against (trigrams: FTS5's trigram tokenizer on SQLite, pg_trgm on PostgreSQL)."""

    term = models.CharField(max_length=255, unique=True)

    class Meta:
        verbose_name = _("search term")
        verbose_name_plural = _("search terms")

    def __str__(self) -> str:
        return self.term
