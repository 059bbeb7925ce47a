"""Reads of the knowledge base: agents' lists and lookups, the help center's public scope with
its language fallback, versions and their differences, what is due for review."""

import datetime
import difflib
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, F, IntegerField, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from okienko.accounts.models import Agent
from okienko.core.errors import NotFound
from okienko.kb.choices import ArticleStatus, Visibility
from okienko.kb.documents import ArticleDocument, CategoryInput
from okienko.kb.markdown import linked_slugs, plain_text, render
from okienko.kb.models import (
    Article,
    ArticleAttachment,
    ArticleFeedback,
    ArticleVersion,
    Brand,
    Category,
    DeflectionAttempt,
)

# Articles agents see in a list or a picker at most at once.
MAX_LIST = 200


def default_language() -> str:
    return str(settings.LANGUAGE_CODE)


def languages() -> list[tuple[str, str]]:
    return list(settings.LANGUAGES)


# Categories


def categories() -> QuerySet[Category]:
    return Category.objects.order_by("position", "name")


def categories_with_article_counts() -> QuerySet[Category]:
    """The categories in their order, each with ``article_count`` (every language and status)."""
    return categories().annotate(article_count=Count("articles"))


def access_category(category_id: int) -> Category:
    try:
        return Category.objects.get(pk=category_id)
    except Category.DoesNotExist as error:
        raise NotFound(f"Category {category_id} not found") from error


def category_by_slug(slug: str) -> Category | None:
    return Category.objects.filter(slug=slug).first()


def category_text(category: Category, language: str) -> tuple[str, str]:
    """The category's (name, description) in ``language``, else in the default language."""
    translated = category.translations.get(language) if language != default_language() else None
    if isinstance(translated, dict) and translated.get("name"):
        return str(translated["name"]), str(translated.get("description", ""))
    return category.name, category.description


# Articles, as agents see them (every agent may read every article, internal ones too)


def with_relations(articles: QuerySet[Article]) -> QuerySet[Article]:
    return articles.select_related("category", "owner")


def access_article(agent: Agent, article_id: int) -> Article:
    """The article, for an active agent; others are told it does not exist."""
    if not agent.is_active:
        raise NotFound(f"Article {article_id} not found")
    try:
        return with_relations(Article.objects.all()).get(pk=article_id)
    except Article.DoesNotExist as error:
        raise NotFound(f"Article {article_id} not found") from error


def article_by_slug(language: str, slug: str) -> Article | None:
    return Article.objects.filter(language=language, slug=slug).first()


@dataclass(frozen=True)
class ArticleFilters:
    """The filters of the agents' article list; ``owner_id`` 0 means "no owner"."""

    status: str = ""
    visibility: str = ""
    category_id: int | None = None
    owner_id: int | None = None
    language: str = ""
    is_outdated: bool | None = None
    query: str = ""


def list_articles(
    agent: Agent, filters: ArticleFilters, *, before_id: int | None = None, limit: int = 50
) -> list[Article]:
    """Articles matching ``filters``, newest first, a keyset page at a time."""
    if not agent.is_active:
        return []
    articles = with_relations(Article.objects.all())
    if filters.status:
        articles = articles.filter(status=filters.status)
    if filters.visibility:
        articles = articles.filter(visibility=filters.visibility)
    if filters.category_id is not None:
        articles = articles.filter(category_id=filters.category_id)
    if filters.owner_id == 0:
        articles = articles.filter(owner__isnull=True)
    elif filters.owner_id is not None:
        articles = articles.filter(owner_id=filters.owner_id)
    if filters.language:
        articles = articles.filter(language=filters.language)
    if filters.is_outdated is not None:
        outdated = Q(review_due__lte=timezone.localdate())
        articles = articles.filter(outdated if filters.is_outdated else ~outdated)
    if filters.query:
        articles = articles.filter(
            Q(title__icontains=filters.query) | Q(slug__icontains=filters.query)
        )
    if before_id is not None:
        articles = articles.filter(pk__lt=before_id)
    return list(articles.order_by("-id")[: min(limit, MAX_LIST)])


def translations_of(article: Article) -> list[Article]:
    """Every language version of the article's group, the article itself included."""
    group_id = article.group_id
    return list(Article.objects.filter(Q(pk=group_id) | Q(source_id=group_id)).order_by("language"))


def related_articles(article: Article) -> list[Article]:
    return list(article.related.select_related("category").order_by("title"))


def article_versions(article: Article) -> QuerySet[ArticleVersion]:
    return article.versions.select_related("author").order_by("-number")


def access_version(article: Article, number: int) -> ArticleVersion:
    try:
        return article.versions.get(number=number)
    except ArticleVersion.DoesNotExist as error:
        raise NotFound(f"Version {number} of article {article.pk} not found") from error


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "added", "removed" or "gap" (unchanged lines left out)
    text: str


def version_diff(older: ArticleVersion, newer: ArticleVersion) -> list[DiffLine]:
    """Line by line what changed from ``older`` to ``newer`` (title first), with three lines
    of context around each change."""
    before = [f"# {older.title}", "", *older.body.splitlines()]
    after = [f"# {newer.title}", "", *newer.body.splitlines()]
    lines: list[DiffLine] = []
    for group in difflib.SequenceMatcher(None, before, after).get_grouped_opcodes(3):
        if lines:
            lines.append(DiffLine("gap", "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines.extend(DiffLine("same", text) for text in before[i1:i2])
                continue
            lines.extend(DiffLine("removed", text) for text in before[i1:i2])
            lines.extend(DiffLine("added", text) for text in after[j1:j2])
    return lines


def article_attachments(article: Article) -> QuerySet[ArticleAttachment]:
    return article.attachments.order_by("-id")


def article_feedback(article: Article, *, limit: int = 20) -> QuerySet[ArticleFeedback]:
    return article.feedback.order_by("-id")[:limit]


def linkable_articles(slugs: list[str], language: str, *, public_only: bool) -> dict[str, Article]:
    """The articles ``[[slug]]`` links in a body written in ``language`` reach: the one in that
    language, else the default language's; public ones only for the help center."""
    scope = public_articles() if public_only else Article.objects.all()
    found: dict[str, Article] = {}
    for article in scope.filter(slug__in=slugs).order_by("id"):
        current = found.get(article.slug)
        if current is None or article.language == language:
            found[article.slug] = article
    return found


def _links(
    body: str, language: str, *, public_only: bool, url_for: Callable[[Article], str]
) -> Callable[[str], tuple[str, str] | None]:
    """What each ``[[slug]]`` of ``body`` leads to: (url, title) of an article the reader may
    see, found in one query, or None."""
    found = linkable_articles(linked_slugs(body), language, public_only=public_only)

    def link_for(slug: str) -> tuple[str, str] | None:
        article = found.get(slug)
        return (url_for(article), article.title) if article is not None else None

    return link_for


def body_html(
    body: str, language: str, *, public_only: bool, url_for: Callable[[Article], str]
) -> str:
    """The Markdown ``body`` of an article in ``language`` as sanitised HTML."""
    return render(body, _links(body, language, public_only=public_only, url_for=url_for))


def body_text(article: Article, *, url_for: Callable[[Article], str]) -> str:
    """The article as plain text for a reply, its links to public articles as addresses."""
    links = _links(article.body, article.language, public_only=True, url_for=url_for)
    return plain_text(article.body, links)


def articles_due_for_review(today: datetime.date) -> QuerySet[Article]:
    """Published articles whose review date has come and whose owner was not yet reminded of
    this date."""
    return (
        Article.objects.filter(
            status=ArticleStatus.PUBLISHED, review_due__lte=today, owner__isnull=False
        )
        .exclude(review_reminded_for=F("review_due"))
        .select_related("owner")
        .order_by("id")
    )


# The help center: public, published articles only


def public_articles() -> QuerySet[Article]:
    """What anybody may read: published, public articles in a category."""
    return Article.objects.filter(
        status=ArticleStatus.PUBLISHED, visibility=Visibility.PUBLIC, category__isnull=False
    )


def public_article_texts() -> list[tuple[Article, str]]:
    """Every public article with its body as plain text (links as their words), by id: what
    the chat bot answers from."""
    articles = public_articles().order_by("id")
    return [(article, plain_text(article.body, lambda slug: None)) for article in articles]


def _in_language(articles: QuerySet[Article], language: str) -> QuerySet[Article]:
    """One article per translation group: the one in ``language``, else the default
    language's (shown with a notice)."""
    group = Coalesce("source_id", "id", output_field=IntegerField())
    articles = articles.annotate(group=group)
    if language == default_language():
        return articles.filter(language=language)
    translated = public_articles().filter(language=language).annotate(group=group).values("group")
    return articles.filter(
        Q(language=language) | (Q(language=default_language()) & ~Q(group__in=translated))
    )


def help_center_categories(language: str) -> list[tuple[Category, list[Article]]]:
    """The categories with something to read in ``language`` (or its fallback), each with its
    articles by title."""
    articles = _in_language(public_articles(), language).order_by("title")
    by_category: dict[int, list[Article]] = {}
    for article in articles:
        assert article.category_id is not None  # noqa: S101 - public articles have one
        by_category.setdefault(article.category_id, []).append(article)
    return [
        (category, by_category[category.pk])
        for category in categories().filter(pk__in=list(by_category))
    ]


def help_center_category(language: str, slug: str) -> tuple[Category, list[Article]]:
    category = category_by_slug(slug)
    if category is None:
        raise NotFound(f"Category {slug} not found")
    articles = _in_language(public_articles().filter(category=category), language)
    found = list(articles.order_by("title"))
    if not found:
        raise NotFound(f"Category {slug} has nothing public")
    return category, found


def popular_articles(language: str, *, limit: int = 6) -> list[Article]:
    articles = _in_language(public_articles(), language).select_related("category")
    return list(articles.order_by("-views", "title")[:limit])


def help_center_article(language: str, slug: str) -> Article:
    """The public article a help-center address names: ``slug`` in ``language``; else the
    ``language`` version of the article that has ``slug`` in another language; else that
    article itself (the page says it is not available in ``language``)."""
    articles = public_articles().select_related("category")
    article = articles.filter(language=language, slug=slug).first()
    if article is not None:
        return article
    same_slug = sorted(articles.filter(slug=slug), key=lambda a: a.language != default_language())
    other = same_slug[0] if same_slug else None
    if other is None:
        raise NotFound(f"Article {slug} not found")
    group_id = other.group_id
    translated = articles.filter(Q(pk=group_id) | Q(source_id=group_id), language=language).first()
    return translated or other


def access_public_article(article_id: int) -> Article:
    """A published public article by id, as anybody may read it; else ``NotFound``."""
    try:
        return public_articles().get(pk=article_id)
    except Article.DoesNotExist as error:
        raise NotFound(f"Article {article_id} not found") from error


def public_translations(article: Article) -> list[Article]:
    """The published public language versions of the article, itself included."""
    group_id = article.group_id
    return list(
        public_articles().filter(Q(pk=group_id) | Q(source_id=group_id)).order_by("language")
    )


def public_related(article: Article) -> list[Article]:
    return list(public_articles().filter(related=article).order_by("title"))


def sitemap_articles() -> QuerySet[Article]:
    return public_articles().order_by("language", "slug")


def access_public_attachment(attachment_id: int) -> ArticleAttachment:
    """A file of a public, published article: anybody may fetch it."""
    try:
        return ArticleAttachment.objects.get(pk=attachment_id, article__in=public_articles())
    except ArticleAttachment.DoesNotExist as error:
        raise NotFound(f"File {attachment_id} not found") from error


def access_attachment(agent: Agent, attachment_id: int) -> ArticleAttachment:
    if not agent.is_active:
        raise NotFound(f"File {attachment_id} not found")
    try:
        return ArticleAttachment.objects.get(pk=attachment_id)
    except ArticleAttachment.DoesNotExist as error:
        raise NotFound(f"File {attachment_id} not found") from error


# Deflection

# A customer who opened a suggested article and has not submitted their request this long after
# was answered by it; until then they may still be reading.
DEFLECTION_DECIDED_AFTER = datetime.timedelta(hours=1)
DEFLECTION_DAYS = 30


@dataclass(frozen=True)
class DeflectionRate:
    """How often an article the portal suggested answered a customer's question, among the
    new requests in which a customer opened one: ``deflected`` were not submitted (within
    ``DEFLECTION_DECIDED_AFTER``), ``submitted`` were sent anyway, ``undecided`` are recent."""

    days: int
    deflected: int
    submitted: int
    undecided: int

    @property
    def decided(self) -> int:
        return self.deflected + self.submitted

    @property
    def rate(self) -> float | None:
        """Deflected of the decided attempts, 0..1; None before any."""
        return self.deflected / self.decided if self.decided else None


def deflection_rate(
    *, days: int = DEFLECTION_DAYS, now: datetime.datetime | None = None
) -> DeflectionRate:
    """The deflection rate over the attempts of the last ``days`` days, in one query."""
    now = now or timezone.now()
    decided_before = now - DEFLECTION_DECIDED_AFTER
    not_submitted = Q(submitted_at__isnull=True)
    counts = DeflectionAttempt.objects.filter(
        opened_at__gte=now - datetime.timedelta(days=days)
    ).aggregate(
        deflected=Count("pk", filter=not_submitted & Q(opened_at__lt=decided_before)),
        submitted=Count("pk", filter=~not_submitted),
        undecided=Count("pk", filter=not_submitted & Q(opened_at__gte=decided_before)),
    )
    return DeflectionRate(days=days, **counts)


def brand() -> Brand:
    """The help center's look; an unsaved default until an admin sets one."""
    return Brand.objects.order_by("pk").first() or Brand()


def export_documents() -> tuple[list[CategoryInput], list[ArticleDocument]]:
    """Every category and article as an export writes them."""
    exported_categories = [
        CategoryInput(
            slug=category.slug,
            name=category.name,
            description=category.description,
            position=category.position,
            translations=category.translations,
        )
        for category in categories()
    ]
    articles = (
        Article.objects.select_related("category", "source", "owner")
        .prefetch_related("related")
        .order_by("language", "slug")
    )
    documents = [
        ArticleDocument(
            slug=article.slug,
            language=article.language,
            title=article.title,
            body=article.body,
            category=article.category.slug if article.category else "",
            status=article.status,
            visibility=article.visibility,
            owner=article.owner.email if article.owner else "",
            review_due=article.review_due,
            translation_of=(
                f"{article.source.language}/{article.source.slug}" if article.source else ""
            ),
            related=tuple(
                sorted(f"{other.language}/{other.slug}" for other in article.related.all())
            ),
        )
        for article in articles
    ]
    return exported_categories, documents
