"""The global search: the top bar's suggestions as the agent types, and the results page."""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from okienko.core.errors import InvalidInput
from okienko.search.registry import document_types
from okienko.search.selectors import SearchHit, search
from okienko.tickets.choices import Status
from okienko.workspace.views import UNPROCESSABLE, _agent, _int_or_none

SUGGESTIONS = 8
RESULTS_PAGE = 25
# Shorter input suggests nothing: too many words begin with one letter.
MIN_SUGGESTION_LENGTH = 2
# Where a hit of each type opens in the workspace.
_PAGES = {
    "ticket": "workspace:ticket",
    "customer": "workspace:customer",
    "organisation": "workspace:organisation",
    "article": "workspace:kb_article",
}


@dataclass(frozen=True)
class ShownHit:
    hit: SearchHit
    url: str
    status_label: str
    # The details worth a glance, in order (requester, e-mail, NIP...).
    facts: list[str]


def _shown(hit: SearchHit) -> ShownHit:
    page = _PAGES.get(hit.doc_type)
    details = hit.details
    status = str(details.get("status") or "")
    facts = [
        str(details[key])
        for key in ("requester", "email", "organisation", "nip", "domain")
        if details.get(key)
    ]
    return ShownHit(
        hit=hit,
        url=reverse(page, args=[hit.object_id]) if page else "",
        status_label=str(Status(status).label) if status in Status.values else "",
        facts=facts,
    )


@login_required
@require_GET
def search_suggestions(request: HttpRequest) -> HttpResponse:
    """The best few hits for what is typed in the top bar (htmx, debounced)."""
    agent = _agent(request)
    query = request.GET.get("q", "").strip()
    context: dict[str, Any] = {"query": query, "hits": []}
    if len(query) >= MIN_SUGGESTION_LENGTH:
        try:
            results = search(agent, query, limit=SUGGESTIONS)
        except InvalidInput:
            results = None
        if results is not None:
            context["hits"] = [_shown(hit) for hit in results.hits]
    return render(request, "workspace/partials/_search_suggestions.html", context)


@login_required
@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    """Every hit, best first, by type and ticket status, a page at a time."""
    agent = _agent(request)
    query = request.GET.get("q", "").strip()
    types = document_types()
    doc_type = request.GET.get("type", "")
    doc_type = doc_type if doc_type in types else ""
    status = request.GET.get("status", "")
    status = status if status in Status.values else ""
    offset = _int_or_none(request.GET.get("offset")) or 0
    context: dict[str, Any] = {
        "query": query,
        "doc_type": doc_type,
        "types": [(name, kind.label) for name, kind in types.items()],
        "status": status,
        "statuses": Status.choices,
        "hits": [],
        "corrections": {},
        "offset": offset,
        "next_offset": None,
        "error": "",
    }
    response_status = 200
    if query:
        try:
            results = search(
                agent,
                query,
                doc_types=[doc_type] if doc_type else [],
                filters={"status": status},
                limit=RESULTS_PAGE,
                offset=offset,
            )
        except InvalidInput as error:
            context["error"], response_status = error.detail, UNPROCESSABLE
        else:
            context["hits"] = [_shown(hit) for hit in results.hits]
            context["corrections"] = results.corrections
            if results.matched == RESULTS_PAGE:
                context["next_offset"] = offset + RESULTS_PAGE
    return render(request, "workspace/search.html", context, status=response_status)
