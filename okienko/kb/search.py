"""Knowledge-base articles in search: agents find every article (internal ones and drafts
too); customers and anonymous visitors of the help center find published public articles only.
An article is indexed by its title and its text in its own language; the filters are
``language``, ``category`` (slug) and, for agents, ``article_status``."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from okienko.accounts.models import Agent
from okienko.kb.choices import ArticleStatus
from okienko.kb.markdown import plain_text
from okienko.kb.models import Article
from okienko.kb.selectors import public_articles
from okienko.search.registry import DocumentText, DocumentType, ResultSource, Searcher


def _article(payload: dict[str, Any]) -> list[int]:
    return [payload["article_id"]]


def _readable(body: str) -> str:
    # Links between articles count by their words; the index needs no addresses.
    return plain_text(body, lambda slug: None)


class ArticleDocuments(DocumentType):
    name = "article"
    label = _("Article")
    filter_names = {
        "language": [code for code, _name in settings.LANGUAGES],
        "category": [],
        # Not "status": filters reach every type, and tickets have statuses of their own.
        "article_status": ArticleStatus.values,
    }
    events = {"kb.article_changed": _article, "kb.article_deleted": _article}

    def objects(self) -> QuerySet[Article]:
        return Article.objects.all()

    def texts(self, object_ids: Sequence[int]) -> dict[int, DocumentText]:
        articles = Article.objects.filter(pk__in=object_ids)
        return {
            pk: DocumentText(title=title, public=[_readable(body)], language=language)
            for pk, title, body, language in articles.values_list("pk", "title", "body", "language")
        }

    def visible(self, searcher: Searcher, filters: Mapping[str, str]) -> QuerySet[Any] | None:
        if isinstance(searcher, Agent):
            if not searcher.is_active:
                return None
            articles = Article.objects.all()
            if filters.get("article_status"):
                articles = articles.filter(status=filters["article_status"])
        else:
            articles = public_articles()
        if filters.get("language"):
            articles = articles.filter(language=filters["language"])
        if filters.get("category"):
            articles = articles.filter(category__slug=filters["category"])
        return articles.values("pk")

    def results(self, searcher: Searcher, object_ids: Sequence[int]) -> dict[int, ResultSource]:
        articles = Article.objects.filter(pk__in=object_ids).select_related("category")
        return {
            article.pk: ResultSource(
                title=article.title,
                details={
                    "slug": article.slug,
                    "language": article.language,
                    "status": article.status,
                    "visibility": article.visibility,
                    "category": article.category.slug if article.category else None,
                },
                texts=[_readable(article.body)],
            )
            for article in articles
        }
