"""Knowledge-base articles in search: agents find every article (internal ones and drafts
too); customers and anonymous visitors of the help center find published public articles only.
An article is indexed by its title and its text in its own language; the filters are
``language``, ``category`` (slug) and, for agents, ``article_status``.

The portal suggests articles while a customer writes a new request (``suggested_articles``); the
ticket page's picker finds published articles to insert into a reply (``reply_picker``)."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from okienko.accounts.models import Agent
from okienko.kb.choices import ArticleStatus
from okienko.kb.markdown import plain_text
from okienko.kb.models import Article
from okienko.kb.selectors import public_articles, with_relations
from okienko.search.analysis import fold, words
from okienko.search.registry import DocumentText, DocumentType, ResultSource, Searcher
from okienko.search.selectors import MAX_QUERY_LENGTH, SearchHit, search

SUGGESTIONS = 5
# Words of a request searched for one by one, when the subject as a whole finds too little.
_SUGGESTION_WORDS = 6
_MIN_SUGGESTION_WORD = 4
# Words people open a request with that say nothing about what it is about.
_FILLER_WORDS = frozenset(
    fold(word)
    for word in [
        "dzień",
        "dobry",
        "witam",
        "proszę",
        "bardzo",
        "dziękuję",
        "pozdrawiam",
        "chcę",
        "chciałbym",
        "chciałabym",
        "mam",
        "mnie",
        "jest",
        "był",
        "była",
        "było",
        "moje",
        "mój",
        "moja",
        "moją",
        "przez",
        "gdzie",
        "kiedy",
        "czy",
        "jeszcze",
        "tylko",
        "także",
        "również",
        "hello",
        "please",
        "thanks",
        "thank",
        "have",
        "with",
        "this",
        "that",
        "there",
        "from",
        "would",
        "could",
    ]
)


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


def _telling_words(*texts: str) -> list[str]:
    """The first few words of ``texts`` that may tell what a request is about, each once."""
    seen: dict[str, str] = {}
    for text in texts:
        for word in words(text[:MAX_QUERY_LENGTH]):
            folded = fold(word)
            if len(folded) >= _MIN_SUGGESTION_WORD and folded not in _FILLER_WORDS:
                seen.setdefault(folded, word)
    return list(seen.values())[:_SUGGESTION_WORDS]


def suggested_articles(
    subject: str, description: str, language: str, *, limit: int = SUGGESTIONS
) -> list[SearchHit]:
    """Published public articles in ``language`` that may answer a request being written:
    those matching the whole subject first, then the best of those matching its telling words
    (the subject's, then the description's, in any inflected form), by reciprocal rank fusion
    of each word's results."""
    kinds = [ArticleDocuments.name]
    filters = {"language": language}
    score: dict[int, float] = {}
    found: dict[int, SearchHit] = {}

    def add(query: str, *, weight: float, as_you_type: bool) -> None:
        found_now = search(
            None, query, doc_types=kinds, filters=filters, limit=limit, as_you_type=as_you_type
        )
        hits = found_now.hits
        for rank, hit in enumerate(hits, start=1):
            found.setdefault(hit.object_id, hit)
            score[hit.object_id] = score.get(hit.object_id, 0) + weight / rank

    whole_subject = subject.strip()[:MAX_QUERY_LENGTH]
    if words(whole_subject):
        # Outweighs every single word together.
        add(whole_subject, weight=_SUGGESTION_WORDS + 1, as_you_type=True)
    # The words one by one: whole words, each only in its own forms.
    for word in _telling_words(subject, description):
        add(word, weight=1, as_you_type=False)
    # Stable: equal scores keep the order the searches found them in, best first.
    best = sorted(found, key=lambda object_id: -score[object_id])
    return [found[object_id] for object_id in best[:limit]]


def reply_picker(agent: Agent, query: str, *, limit: int = 8) -> list[Article]:
    """Published articles to insert into a reply, internal ones included, best first: found by
    their title and text in any inflected form, unaccented or misspelled."""
    hits = search(
        agent,
        query[:MAX_QUERY_LENGTH],
        doc_types=[ArticleDocuments.name],
        filters={"article_status": ArticleStatus.PUBLISHED},
        limit=limit,
    ).hits
    found = with_relations(Article.objects.filter(status=ArticleStatus.PUBLISHED))
    articles = found.in_bulk([hit.object_id for hit in hits])
    return [articles[hit.object_id] for hit in hits if hit.object_id in articles]
