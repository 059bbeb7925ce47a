"""``GET /api/v1/search``: one search over tickets, customers, organisations (and every other
registered type), scoped to what the agent may see."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from okienko.api.auth import acting_agent
from okienko.api.pagination import decode_offset_cursor, next_offset_cursor
from okienko.core.errors import InvalidInput
from okienko.search.schemas import SearchPage
from okienko.search.selectors import MAX_LIMIT, SearchResults, search

router = Router(tags=["search"])


@router.get("/search", response=SearchPage, summary="Search tickets, customers, organisations")
def search_endpoint(
    request: HttpRequest,
    q: str,
    type: list[str] = Query([]),  # noqa: B008 - how ninja declares a repeated parameter
    status: str = "",
    priority: str = "",
    cursor: str | None = None,
    limit: int = 20,
) -> dict[str, Any]:
    """Every word of ``q`` must match, in any inflected form (Polish and English), without
    diacritics or misspelled; the last word also as the beginning of a word. Best first."""
    check_search_limit(limit)
    offset = decode_offset_cursor(cursor)
    results = search(
        acting_agent(request),
        q,
        doc_types=type,
        filters={"status": status, "priority": priority},
        limit=limit,
        offset=offset,
    )
    return search_page(results, offset=offset, limit=limit)


def check_search_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}")


def search_page(results: SearchResults, *, offset: int, limit: int) -> dict[str, Any]:
    """A page of results as ``SearchPage`` shows it (also for ``/kb/search``)."""
    items = [
        {
            "type": hit.doc_type,
            "type_label": hit.type_label,
            "id": hit.object_id,
            "title": hit.title,
            "title_html": str(hit.title_html),
            "snippet_html": str(hit.snippet_html),
            "details": dict(hit.details),
        }
        for hit in results.hits
    ]
    return {
        "query": results.query,
        "items": items,
        "corrections": results.corrections,
        "next_cursor": next_offset_cursor(offset, results.matched, limit),
    }
