"""REST endpoints of the knowledge base for agents: categories and articles, versions, diff,
restore. The public help center reads articles through pages, not through this API."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from okienko.accounts.selectors import access_agent
from okienko.api.auth import acting_agent
from okienko.api.idempotency import run_idempotent
from okienko.api.pagination import (
    DEFAULT_PAGE_SIZE,
    check_limit,
    decode_cursor,
    decode_offset_cursor,
    next_cursor,
)
from okienko.core.errors import PermissionDenied
from okienko.kb import actions
from okienko.kb.actions import EDITOR_ROLES
from okienko.kb.choices import ArticleStatus, Visibility
from okienko.kb.documents import CategoryInput
from okienko.kb.models import Article
from okienko.kb.schemas import (
    ArticleIn,
    ArticleOut,
    ArticlePage,
    ArticleUpdateIn,
    CategoryIn,
    CategoryOut,
    DiffLineOut,
    VersionOut,
)
from okienko.kb.search import ArticleDocuments
from okienko.kb.selectors import (
    ArticleFilters,
    access_article,
    access_category,
    access_version,
    article_versions,
    categories,
    list_articles,
    version_diff,
)
from okienko.search.api import check_search_limit, search_page
from okienko.search.schemas import SearchPage
from okienko.search.selectors import search

router = Router(tags=["knowledge base"])


def _editor(request: HttpRequest) -> None:
    if acting_agent(request).role not in EDITOR_ROLES:
        raise PermissionDenied("Only supervisors and admins change knowledge-base categories")


def _category_input(payload: CategoryIn) -> CategoryInput:
    return CategoryInput(
        slug=payload.slug,
        name=payload.name,
        description=payload.description,
        position=payload.position,
        translations={lang: text.model_dump() for lang, text in payload.translations.items()},
    )


@router.get("/kb/categories", response=list[CategoryOut], summary="List categories")
def list_categories(request: HttpRequest) -> Any:
    acting_agent(request)
    return categories()


@router.post("/kb/categories", response={201: CategoryOut}, summary="Create a category")
def create_category(request: HttpRequest, payload: CategoryIn) -> Any:
    _editor(request)
    return Status(201, actions.do_save_category(data=_category_input(payload)))


@router.get("/kb/categories/{category_id}", response=CategoryOut, summary="Get a category")
def get_category(request: HttpRequest, category_id: int) -> Any:
    acting_agent(request)
    return access_category(category_id)


@router.put("/kb/categories/{category_id}", response=CategoryOut, summary="Replace a category")
def replace_category(request: HttpRequest, category_id: int, payload: CategoryIn) -> Any:
    _editor(request)
    return actions.do_save_category(
        data=_category_input(payload), category=access_category(category_id)
    )


@router.delete("/kb/categories/{category_id}", response={204: None}, summary="Delete a category")
def delete_category(request: HttpRequest, category_id: int) -> Status[None]:
    _editor(request)
    actions.do_delete_category(category=access_category(category_id))
    return Status(204, None)


@router.get("/kb/search", response=SearchPage, summary="Search articles")
def search_articles(
    request: HttpRequest,
    q: str,
    lang: str = "",
    category: str = "",
    status: ArticleStatus | None = None,
    cursor: str | None = None,
    limit: int = 20,
) -> dict[str, Any]:
    """Articles whose title or text match every word of ``q`` in any inflected form, best
    first; ``lang`` keeps one language, ``category`` one category (slug)."""
    check_search_limit(limit)
    offset = decode_offset_cursor(cursor)
    results = search(
        acting_agent(request),
        q,
        doc_types=[ArticleDocuments.name],
        filters={"language": lang, "category": category, "article_status": status or ""},
        limit=limit,
        offset=offset,
    )
    return search_page(results, offset=offset, limit=limit)


@router.get("/kb/articles", response=ArticlePage, summary="List articles (newest first)")
def list_articles_endpoint(
    request: HttpRequest,
    status: ArticleStatus | None = None,
    visibility: Visibility | None = None,
    category: int | None = None,
    owner: int | None = None,
    language: str = "",
    outdated: bool | None = None,
    q: str = "",
    cursor: str | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
) -> dict[str, Any]:
    check_limit(limit)
    filters = ArticleFilters(
        status=status or "",
        visibility=visibility or "",
        category_id=category,
        owner_id=owner,
        language=language,
        is_outdated=outdated,
        query=q,
    )
    found = list_articles(
        acting_agent(request), filters, before_id=decode_cursor(cursor), limit=limit
    )
    return {"items": found, "next_cursor": next_cursor([a.pk for a in found], limit)}


def _references(request: HttpRequest, payload: ArticleIn | ArticleUpdateIn) -> dict[str, Any]:
    """The objects the payload's ids name, each looked up through its access selector."""
    agent = acting_agent(request)
    given = payload.model_dump(exclude_unset=True)
    resolved: dict[str, Any] = {}
    if "category_id" in given:
        resolved["category"] = (
            access_category(payload.category_id) if payload.category_id is not None else None
        )
    if "owner_id" in given:
        resolved["owner"] = (
            access_agent(agent, payload.owner_id) if payload.owner_id is not None else None
        )
    if "translation_of" in given:
        resolved["source"] = (
            access_article(agent, payload.translation_of)
            if payload.translation_of is not None
            else None
        )
    if "related" in given and payload.related is not None:
        resolved["related"] = [access_article(agent, pk) for pk in payload.related]
    return resolved


@router.post("/kb/articles", response={201: ArticleOut}, summary="Create an article")
def create_article(request: HttpRequest, payload: ArticleIn) -> HttpResponse:
    agent = acting_agent(request)
    references = _references(request, payload)

    def create() -> dict[str, Any]:
        article = actions.do_create_article(
            title=payload.title,
            body=payload.body,
            language=payload.language,
            slug=payload.slug,
            visibility=payload.visibility,
            review_due=payload.review_due,
            category=references.get("category"),
            owner=references.get("owner"),
            source=references.get("source"),
            related=references.get("related", []),
            acting_user=agent,
        )
        actions.do_take_article_to(article=article, status=payload.status, acting_user=agent)
        return ArticleOut.from_orm(access_article(agent, article.pk)).model_dump(mode="json")

    return run_idempotent(request, agent, create)


@router.get("/kb/articles/{article_id}", response=ArticleOut, summary="Get an article")
def get_article(request: HttpRequest, article_id: int) -> Article:
    return access_article(acting_agent(request), article_id)


@router.patch("/kb/articles/{article_id}", response=ArticleOut, summary="Change an article")
def update_article(request: HttpRequest, article_id: int, payload: ArticleUpdateIn) -> Article:
    """Change fields; a changed title or body is a new version. A status moves the article
    through the workflow (draft → review → published → archived)."""
    agent = acting_agent(request)
    article = access_article(agent, article_id)
    given = payload.model_dump(exclude_unset=True)
    changes: dict[str, Any] = {
        name: given[name]
        for name in ("slug", "language", "title", "body", "visibility", "review_due")
        if name in given and given[name] is not None
    }
    changes.update(_references(request, payload))
    if changes:
        article = actions.do_update_article(
            article=article,
            changes=changes,
            acting_user=agent,
            expected_version=payload.version,
            note=payload.note,
        )
    if payload.status is not None:
        actions.do_take_article_to(article=article, status=payload.status, acting_user=agent)
    return access_article(agent, article_id)


@router.delete("/kb/articles/{article_id}", response={204: None}, summary="Delete an article")
def delete_article(request: HttpRequest, article_id: int) -> Status[None]:
    agent = acting_agent(request)
    actions.do_delete_article(article=access_article(agent, article_id), acting_user=agent)
    return Status(204, None)


@router.get(
    "/kb/articles/{article_id}/versions",
    response=list[VersionOut],
    summary="An article's versions, newest first",
)
def list_versions(request: HttpRequest, article_id: int) -> Any:
    return article_versions(access_article(acting_agent(request), article_id))


@router.get(
    "/kb/articles/{article_id}/diff",
    response=list[DiffLineOut],
    summary="What changed between two versions",
)
def diff_versions(request: HttpRequest, article_id: int, older: int, newer: int) -> Any:
    article = access_article(acting_agent(request), article_id)
    return version_diff(access_version(article, older), access_version(article, newer))


@router.post(
    "/kb/articles/{article_id}/versions/{number}/restore",
    response=ArticleOut,
    summary="Make an earlier version current again (as a new version)",
)
def restore_version(request: HttpRequest, article_id: int, number: int) -> Article:
    agent = acting_agent(request)
    actions.do_restore_version(
        article=access_article(agent, article_id), number=number, acting_user=agent
    )
    return access_article(agent, article_id)
