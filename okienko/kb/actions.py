"""Writes of the knowledge base: categories, articles and their versions, the workflow, files,
readers' views and feedback, review reminders, knowledge captured from replies, imports."""

import datetime
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from okienko.accounts.choices import Role
from okienko.accounts.models import Agent
from okienko.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from okienko.core.events import publish_on_commit
from okienko.customers.models import Customer
from okienko.kb.choices import TRANSITIONS, ArticleStatus, Visibility
from okienko.kb.documents import ArticleDocument, CategoryInput
from okienko.kb.models import (
    Article,
    ArticleAttachment,
    ArticleFeedback,
    ArticleVersion,
    Category,
    DeflectionAttempt,
)
from okienko.kb.selectors import access_version, articles_due_for_review, languages
from okienko.notifications.actions import do_notify
from okienko.notifications.choices import NotificationKind
from okienko.notifications.selectors import NotificationInput
from okienko.tickets.choices import AuthorKind
from okienko.tickets.models import Message, Ticket

# Who may publish, archive and delete: the ones who answer for what customers read.
EDITOR_ROLES = {Role.ADMIN, Role.SUPERVISOR}
MAX_COMMENT = 2000
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# Fields an edit may change besides title and body.
ARTICLE_FIELDS = {
    "category",
    "language",
    "slug",
    "visibility",
    "owner",
    "review_due",
    "source",
    "related",
}
_TRANSLITERATION = str.maketrans({"ł": "l", "Ł": "L"})


def make_slug(text: str) -> str:
    """An ASCII address part from a (Polish) title: "Zwrot łóżka" -> "zwrot-lozka"."""
    return slugify(text.translate(_TRANSLITERATION))[:150].strip("-")


def _check_language(language: str) -> None:
    if language not in dict(languages()):
        known = ", ".join(code for code, _name in languages())
        raise InvalidInput(
            f"Unknown language {language!r}", errors={"language": [f"one of {known}"]}
        )


# Categories


@transaction.atomic
def do_save_category(*, data: CategoryInput, category: Category | None = None) -> Category:
    """Create a category, or replace ``category`` with ``data``."""
    slug = make_slug(data.slug or data.name)
    if not slug or not data.name.strip():
        raise InvalidInput("A category needs a name and a slug", errors={"name": ["required"]})
    for language in data.translations:
        _check_language(language)
    clash = Category.objects.filter(slug=slug)
    if category is not None:
        clash = clash.exclude(pk=category.pk)
    if clash.exists():
        raise Conflict(f"A category with slug {slug!r} exists", errors={"slug": ["taken"]})
    category = category or Category()
    category.slug = slug
    category.name = data.name.strip()
    category.description = data.description.strip()
    category.position = data.position
    category.translations = {
        language: {"name": text.get("name", ""), "description": text.get("description", "")}
        for language, text in data.translations.items()
    }
    category.save()
    return category


def do_delete_category(*, category: Category) -> None:
    """Delete an empty category; one with articles stays (move them first)."""
    if category.articles.exists():
        raise Conflict("The category still has articles; move or delete them first")
    category.delete()


# Articles


def _require_editor(agent: Agent, what: str) -> None:
    if agent.role not in EDITOR_ROLES:
        raise PermissionDenied(f"Only supervisors and admins may {what}")


def _record_version(article: Article, *, acting_user: Agent | None, note: str) -> None:
    ArticleVersion.objects.create(
        article=article,
        number=article.version,
        title=article.title,
        body=article.body,
        author=acting_user,
        note=note[:200],
        created_at=article.updated_at,
    )


def _check_unique(article: Article) -> None:
    clash = Article.objects.filter(language=article.language, slug=article.slug)
    if article.pk is not None:
        clash = clash.exclude(pk=article.pk)
    if clash.exists():
        raise Conflict(
            f"An article with slug {article.slug!r} exists in {article.language!r}",
            errors={"slug": ["taken in this language"]},
        )
    if article.source_id is not None:
        siblings = Article.objects.filter(language=article.language).filter(
            source_id=article.source_id
        )
        if article.pk is not None:
            siblings = siblings.exclude(pk=article.pk)
        if siblings.exists() or (
            article.source is not None and article.source.language == article.language
        ):
            raise Conflict(
                f"The article already has a {article.language!r} version",
                errors={"language": ["translated already"]},
            )


def _apply_fields(article: Article, changes: Mapping[str, Any]) -> list[Article] | None:
    """Set the plain fields of ``changes`` on ``article``; the related articles are returned
    to set after saving (None: unchanged)."""
    related = None
    for name, value in changes.items():
        if name == "related":
            related = list(value)
        elif name == "source":
            # A translation points at the original, never at another translation.
            source = value.source if value is not None and value.source_id else value
            if source is not None and article.pk is not None and source.pk == article.pk:
                raise InvalidInput(
                    "An article is no translation of itself", errors={"source": ["itself"]}
                )
            article.source = source
        elif name == "slug":
            article.slug = make_slug(value)
        else:
            setattr(article, name, value)
    if not article.slug:
        raise InvalidInput("An article needs a slug", errors={"slug": ["required"]})
    _check_language(article.language)
    return related


@transaction.atomic
def do_create_article(
    *,
    title: str,
    body: str,
    language: str,
    category: Category | None,
    acting_user: Agent | None,
    slug: str = "",
    visibility: str = Visibility.PUBLIC,
    owner: Agent | None = None,
    review_due: datetime.date | None = None,
    source: Article | None = None,
    related: Sequence[Article] = (),
    note: str = "",
) -> Article:
    """Write a new draft article (version 1); its owner is its author unless one is given."""
    if not title.strip():
        raise InvalidInput("An article needs a title", errors={"title": ["required"]})
    if visibility not in Visibility.values:
        raise InvalidInput(f"Unknown visibility {visibility!r}")
    now = timezone.now()
    article = Article(
        title=title.strip(),
        body=body.strip(),
        status=ArticleStatus.DRAFT,
        owner=owner or acting_user,
        created_at=now,
        updated_at=now,
    )
    _apply_fields(
        article,
        {
            "language": language,
            "slug": slug or title,
            "category": category,
            "visibility": visibility,
            "review_due": review_due,
            "source": source,
        },
    )
    _check_unique(article)
    try:
        with transaction.atomic():
            article.save()
    except IntegrityError as error:
        raise Conflict("An article with this slug or language exists") from error
    if related:
        article.related.set(related)
    _record_version(article, acting_user=acting_user, note=note or _("Created"))
    publish_on_commit("kb.article_changed", article_id=article.pk)
    return article


@transaction.atomic
def do_update_article(
    *,
    article: Article,
    changes: Mapping[str, Any],
    acting_user: Agent | None,
    expected_version: int | None = None,
    note: str = "",
) -> Article:
    """Change an article; a changed title or body becomes a new version. ``expected_version``
    (the version the editor started from) refuses to overwrite somebody else's newer edit."""
    unknown = set(changes) - ARTICLE_FIELDS - {"title", "body"}
    if unknown:
        raise InvalidInput(f"Unknown article fields: {', '.join(sorted(unknown))}")
    if expected_version is not None and expected_version != article.version:
        raise Conflict(
            f"The article was changed meanwhile (version {article.version}); reload it",
            errors={"version": [str(article.version)]},
        )
    title = str(changes.get("title", article.title)).strip()
    if not title:
        raise InvalidInput("An article needs a title", errors={"title": ["required"]})
    if changes.get("visibility", article.visibility) not in Visibility.values:
        raise InvalidInput(f"Unknown visibility {changes['visibility']!r}")
    body = str(changes.get("body", article.body)).strip()
    new_text = title != article.title or body != article.body
    related = _apply_fields(article, {k: v for k, v in changes.items() if k in ARTICLE_FIELDS})
    if article.status == ArticleStatus.PUBLISHED and article.category_id is None:
        raise InvalidInput("A published article needs a category", errors={"category": ["req"]})
    _check_unique(article)
    article.title = title
    article.body = body
    article.updated_at = timezone.now()
    previous_version = article.version
    if new_text:
        article.version = previous_version + 1
    # The version written is the one read: a concurrent edit makes this update miss.
    updated = Article.objects.filter(pk=article.pk, version=previous_version).update(
        **{
            name: getattr(article, name)
            for name in (
                "title",
                "body",
                "category",
                "language",
                "slug",
                "visibility",
                "owner",
                "review_due",
                "source",
                "version",
                "updated_at",
            )
        }
    )
    if not updated:
        raise Conflict("The article was changed meanwhile; reload it")
    if related is not None:
        article.related.set(related)
    if new_text:
        _record_version(article, acting_user=acting_user, note=note)
    publish_on_commit("kb.article_changed", article_id=article.pk)
    return article


def do_restore_version(*, article: Article, number: int, acting_user: Agent) -> Article:
    """Make an earlier version's title and body current again, as a new version."""
    version = access_version(article, number)
    return do_update_article(
        article=article,
        changes={"title": version.title, "body": version.body},
        acting_user=acting_user,
        note=_("Restored version %(number)d") % {"number": number},
    )


@transaction.atomic
def do_change_article_status(*, article: Article, status: str, acting_user: Agent) -> Article:
    """Move the article along draft → review → published → archived (and back to draft).

    Anybody may send a draft to review or back; publishing and archiving is for supervisors
    and admins. The move is a conditional update: a concurrent move of the same article fails.
    """
    if status not in ArticleStatus.values:
        raise InvalidInput(f"Unknown status {status!r}", errors={"status": ["unknown"]})
    if status == article.status:
        return article
    if status not in TRANSITIONS[article.status]:
        raise InvalidInput(
            f"An article cannot go from {article.status} to {status}",
            errors={"status": [f"not allowed from {article.status}"]},
        )
    if status in (ArticleStatus.PUBLISHED, ArticleStatus.ARCHIVED):
        _require_editor(acting_user, "publish or archive articles")
    if status == ArticleStatus.PUBLISHED and article.category_id is None:
        raise InvalidInput("Choose a category before publishing", errors={"category": ["req"]})
    now = timezone.now()
    changes: dict[str, Any] = {"status": status, "updated_at": now}
    if status == ArticleStatus.PUBLISHED:
        changes["published_at"] = now
    moved = Article.objects.filter(pk=article.pk, status=article.status).update(**changes)
    if not moved:
        raise Conflict("The article's status was changed meanwhile; reload it")
    for name, value in changes.items():
        setattr(article, name, value)
    publish_on_commit("kb.article_changed", article_id=article.pk)
    return article


def do_delete_article(*, article: Article, acting_user: Agent) -> None:
    """Delete an article with its versions, translations, files and feedback."""
    _require_editor(acting_user, "delete articles")
    article_id = article.pk
    article.delete()
    publish_on_commit("kb.article_deleted", article_id=article_id)


def do_add_attachment(
    *, article: Article, upload: UploadedFile, acting_user: Agent
) -> ArticleAttachment:
    """Keep an image or file for the article to show or link to."""
    size = upload.size or 0
    if size > MAX_ATTACHMENT_BYTES:
        raise InvalidInput(
            f"The file is larger than {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB",
            errors={"file": ["too large"]},
        )
    name = (upload.name or "file").rsplit("/", 1)[-1][:255]
    return ArticleAttachment.objects.create(
        article=article,
        file=upload,
        filename=name,
        content_type=(upload.content_type or "application/octet-stream")[:100],
        size=size,
        uploaded_by=acting_user,
    )


# Readers


def do_record_view(*, article: Article, views: int = 1) -> None:
    """Count readings of the article (one, or a batch of ``views`` from elsewhere) as an
    atomic increment, no read-then-write."""
    Article.objects.filter(pk=article.pk).update(views=F("views") + views)


@transaction.atomic
def do_record_feedback(*, article: Article, is_helpful: bool, comment: str = "") -> None:
    """Keep a reader's "did this help?" answer and count it on the article."""
    ArticleFeedback.objects.create(
        article=article, is_helpful=is_helpful, comment=comment.strip()[:MAX_COMMENT]
    )
    counter = "helpful_count" if is_helpful else "not_helpful_count"
    Article.objects.filter(pk=article.pk).update(**{counter: F(counter) + 1})


# Deflection: suggested articles opened while writing a new request

# The key a new-request form carries: random, made by the portal (``secrets.token_urlsafe``).
DEFLECTION_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


def _check_deflection_key(key: str) -> None:
    if not DEFLECTION_KEY.fullmatch(key):
        raise InvalidInput("Not a request form's key", errors={"attempt": ["invalid"]})


def do_record_suggestion_opened(*, key: str, customer: Customer, article: Article) -> None:
    """Note that ``customer``, writing the new request whose form has ``key``, opened
    ``article``, which the portal suggested for it. A key that is another customer's counts
    nothing."""
    _check_deflection_key(key)
    opened_again = {"article": article, "articles_opened": F("articles_opened") + 1}
    if DeflectionAttempt.objects.filter(key=key, customer=customer).update(**opened_again):
        return
    try:
        with transaction.atomic():
            DeflectionAttempt.objects.create(
                key=key, customer=customer, article=article, opened_at=timezone.now()
            )
    except IntegrityError:
        # The same form's other tab got there first (or the key is someone else's).
        DeflectionAttempt.objects.filter(key=key, customer=customer).update(**opened_again)


def do_record_request_submitted(*, key: str, customer: Customer, ticket: Ticket) -> bool:
    """Note that the request written in the form with ``key`` was submitted as ``ticket``,
    after all; False when no suggested article was opened from that form."""
    _check_deflection_key(key)
    submitted = DeflectionAttempt.objects.filter(
        key=key, customer=customer, submitted_at__isnull=True
    ).update(ticket=ticket, submitted_at=timezone.now())
    return bool(submitted)


# Review reminders


def do_send_review_reminders(*, today: datetime.date | None = None) -> int:
    """Remind each owner of their published articles whose review date has come, once per
    review date; returns how many articles were reminded of."""
    today = today or timezone.localdate()
    due = list(articles_due_for_review(today))
    if not due:
        return 0
    with transaction.atomic():
        assert all(article.owner_id is not None for article in due)  # noqa: S101 - selector
        do_notify(
            [
                NotificationInput(
                    article.owner_id,  # type: ignore[arg-type]
                    NotificationKind.ARTICLE_REVIEW,
                    detail=f"{article.pk}:{article.title}",
                )
                for article in due
            ]
        )
        for article in due:
            Article.objects.filter(pk=article.pk).update(review_reminded_for=article.review_due)
    return len(due)


# Knowledge capture


def do_capture_reply(*, message: Message, acting_user: Agent) -> Article:
    """Turn an agent's public reply into a draft article owned by ``acting_user``: the
    ticket's subject as title, the reply as body, to edit before it goes to review."""
    if message.author_kind != AuthorKind.AGENT or not message.is_public:
        raise InvalidInput("Only an agent's public reply can become an article")
    title = message.ticket.subject.strip() or _("Answer from ticket #%d") % message.ticket_id
    slug = make_slug(title) or "article"
    taken = set(
        Article.objects.filter(language=acting_user.language, slug__startswith=slug).values_list(
            "slug", flat=True
        )
    )
    unique_slug, number = slug, 2
    while unique_slug in taken:
        unique_slug, number = f"{slug}-{number}", number + 1
    return do_create_article(
        title=title,
        body=message.text,
        language=acting_user.language if acting_user.language in dict(languages()) else "pl",
        slug=unique_slug,
        category=None,
        visibility=Visibility.INTERNAL,
        acting_user=acting_user,
        note=_("Captured from ticket #%d") % message.ticket_id,
    )


# Import


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def do_take_article_to(*, article: Article, status: str, acting_user: Agent) -> Article:
    """Take the article to ``status`` through the workflow's own moves (a draft to publish
    goes through review): what an import or an API client asking for a status wants."""
    if status not in ArticleStatus.values:
        raise InvalidInput(f"Unknown status {status!r} of {article.language}/{article.slug}")
    paths: dict[str, list[str]] = {
        ArticleStatus.DRAFT: [],
        ArticleStatus.REVIEW: [ArticleStatus.REVIEW],
        ArticleStatus.PUBLISHED: [ArticleStatus.REVIEW, ArticleStatus.PUBLISHED],
        ArticleStatus.ARCHIVED: [ArticleStatus.ARCHIVED],
    }
    if article.status == status:
        return article
    if article.status != ArticleStatus.DRAFT and status not in TRANSITIONS[article.status]:
        do_change_article_status(
            article=article, status=ArticleStatus.DRAFT, acting_user=acting_user
        )
    for step in paths[status]:
        if article.status != step:
            do_change_article_status(article=article, status=step, acting_user=acting_user)
    return article


@transaction.atomic
def do_import_articles(
    *,
    categories: Sequence[CategoryInput],
    documents: Sequence[ArticleDocument],
    acting_user: Agent,
) -> ImportResult:
    """Create or update categories and articles (matched by slug and language), all or
    nothing. Changed text becomes a new version; originals are written before translations."""
    _require_editor(acting_user, "import articles")
    for data in categories:
        do_save_category(
            data=data, category=Category.objects.filter(slug=make_slug(data.slug)).first()
        )
    by_slug = {category.slug: category for category in Category.objects.all()}
    owners = {agent.email: agent for agent in Agent.objects.filter(is_active=True)}
    result = ImportResult()
    ordered = sorted(documents, key=lambda document: bool(document.translation_of))
    written: dict[str, Article] = {}
    for document in ordered:
        if document.category and document.category not in by_slug:
            raise InvalidInput(
                f"{document.language}/{document.slug}: unknown category {document.category!r}"
            )
        source = None
        if document.translation_of:
            source = written.get(document.translation_of) or _article_by_key(
                document.translation_of
            )
        fields: dict[str, Any] = {
            "title": document.title,
            "body": document.body,
            "category": by_slug.get(document.category),
            "visibility": document.visibility,
            "owner": owners.get(document.owner),
            "review_due": document.review_due,
            "source": source,
        }
        existing = Article.objects.filter(language=document.language, slug=document.slug).first()
        if existing is None:
            article = do_create_article(
                language=document.language,
                slug=document.slug,
                acting_user=acting_user,
                note=_("Imported"),
                **fields,
            )
            result.created += 1
        else:
            before = (existing.version, existing.title, existing.body)
            article = do_update_article(
                article=existing, changes=fields, acting_user=acting_user, note=_("Imported")
            )
            if (article.version, article.title, article.body) == before:
                result.unchanged += 1
            else:
                result.updated += 1
        do_take_article_to(article=article, status=document.status, acting_user=acting_user)
        written[f"{document.language}/{document.slug}"] = article
    for document in documents:
        if document.related:
            written[f"{document.language}/{document.slug}"].related.set(
                [written.get(key) or _article_by_key(key) for key in document.related]
            )
    return result


def _article_by_key(key: str) -> Article:
    language, _slash, slug = key.partition("/")
    article = Article.objects.filter(language=language, slug=slug).first()
    if article is None:
        raise NotFound(f"No article {key}")
    return article
