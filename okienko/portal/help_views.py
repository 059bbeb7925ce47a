"""The public help center: per-language home, category and article pages with readable
addresses, "did this help?", files of public articles and the sitemap. Anybody may read it;
it shows published public articles only, through the kb selectors."""

import mimetypes
from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate, ParamSpec

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from okienko.core.downloads import image_or_download
from okienko.core.errors import NotFound
from okienko.kb.actions import do_record_feedback, do_record_view
from okienko.kb.models import Article, Category
from okienko.kb.search import ArticleDocuments
from okienko.kb.selectors import (
    access_public_attachment,
    body_html,
    brand,
    category_text,
    help_center_article,
    help_center_categories,
    help_center_category,
    popular_articles,
    public_related,
    public_translations,
    sitemap_articles,
)
from okienko.portal import throttle
from okienko.portal.forms import ArticleFeedbackForm
from okienko.portal.views import LANGUAGE_KEY, TOO_MANY_REQUESTS, UNPROCESSABLE
from okienko.search.selectors import MAX_QUERY_LENGTH, SearchHit, search

# One reader may answer "did this help?" this often per hour (all articles together).
FEEDBACK_PER_HOUR = 20
SEARCHES_PER_MINUTE = 60
ARTICLES_PER_CATEGORY_ON_HOME = 5

P = ParamSpec("P")
HelpView = Callable[Concatenate[HttpRequest, str, P], HttpResponseBase]


def article_url(article: Article) -> str:
    return reverse("help:article", args=[article.language, article.slug])


def help_page(view: HelpView[P]) -> HelpView[P]:
    """A help-center page in the language its address names (404 for another)."""

    @wraps(view)
    def wrapped(
        request: HttpRequest, language: str, *args: P.args, **kwargs: P.kwargs
    ) -> HttpResponseBase:
        if language not in dict(settings.LANGUAGES):
            raise Http404("No such language")
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            return view(request, language, *args, **kwargs)
        except NotFound as error:
            raise Http404(error.detail) from error

    return wrapped


def _context(language: str, switch: Callable[[str], str], **extra: Any) -> dict[str, Any]:
    """What every help-center page shows; ``switch(code)`` is this page in language ``code``."""
    return {
        "brand": brand(),
        "language": language,
        "language_links": [(code, switch(code)) for code, _name in settings.LANGUAGES],
        **extra,
    }


def _category_entry(category: Category, language: str, articles: list[Article]) -> dict[str, Any]:
    name, description = category_text(category, language)
    return {"category": category, "name": name, "description": description, "articles": articles}


@require_GET
def home_redirect(request: HttpRequest) -> HttpResponse:
    """``/help/``: the home in the language chosen in the portal, else the browser's."""
    chosen = request.session.get(LANGUAGE_KEY) or request.LANGUAGE_CODE
    language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    return redirect("help:home", language=language)


@help_page
@require_GET
def home(request: HttpRequest, language: str) -> HttpResponse:
    """Categories with their first articles and the most read articles."""
    sections = [
        _category_entry(category, language, articles[:ARTICLES_PER_CATEGORY_ON_HOME])
        | {"more": len(articles) > ARTICLES_PER_CATEGORY_ON_HOME, "count": len(articles)}
        for category, articles in help_center_categories(language)
    ]
    context = _context(
        language,
        lambda code: reverse("help:home", args=[code]),
        sections=sections,
        popular=popular_articles(language),
        alternates=[(code, reverse("help:home", args=[code])) for code, _n in settings.LANGUAGES],
    )
    return render(request, "portal/help/home.html", context)


@help_page
@require_GET
def category_page(request: HttpRequest, language: str, slug: str) -> HttpResponse:
    category, articles = help_center_category(language, slug)
    context = _context(
        language,
        lambda code: reverse("help:category", args=[code, slug]),
        section=_category_entry(category, language, articles),
        alternates=[
            (code, reverse("help:category", args=[code, slug])) for code, _n in settings.LANGUAGES
        ],
    )
    return render(request, "portal/help/category.html", context)


def _article_page(
    request: HttpRequest, language: str, article: Article, form: ArticleFeedbackForm, status: int
) -> HttpResponse:
    assert article.category is not None  # noqa: S101 - public articles have a category
    category_name, _description = category_text(article.category, language)
    translations = public_translations(article)
    context = _context(
        language,
        lambda code: reverse("help:article", args=[code, article.slug]),
        article=article,
        body=body_html(article.body, article.language, public_only=True, url_for=article_url),
        category_name=category_name,
        is_fallback=article.language != language,
        article_language=translation.get_language_info(article.language)["name_translated"],
        requested_language=translation.get_language_info(language)["name_translated"],
        related=public_related(article),
        form=form,
        alternates=[(other.language, article_url(other)) for other in translations],
    )
    return render(request, "portal/help/article.html", context, status=status)


@help_page
@require_GET
def article_page(request: HttpRequest, language: str, slug: str) -> HttpResponse:
    """An article in the reader's language; its translation's own address when the slug is
    of another language; the original, with a notice, when there is no translation."""
    article = help_center_article(language, slug)
    if article.language == language and article.slug != slug:
        return redirect("help:article", language=language, slug=article.slug, permanent=True)
    do_record_view(article=article)
    return _article_page(request, language, article, ArticleFeedbackForm(), 200)


@help_page
@require_POST
def feedback(request: HttpRequest, language: str, slug: str) -> HttpResponse:
    """ "Did this help?": yes or no and an optional comment, a limited number per reader."""
    article = help_center_article(language, slug)
    form = ArticleFeedbackForm(request.POST)
    if not form.is_valid():
        return _article_page(request, language, article, form, UNPROCESSABLE)
    allowed = throttle.hit(
        "kb-feedback",
        request.META.get("REMOTE_ADDR", ""),
        limit=FEEDBACK_PER_HOUR,
        window_seconds=3600,
    )
    if not allowed:
        form.add_error(None, _("You have sent a lot of feedback; please try again later."))
        return _article_page(request, language, article, form, TOO_MANY_REQUESTS)
    do_record_feedback(
        article=article,
        is_helpful=form.cleaned_data["helpful"] == "yes",
        comment=form.cleaned_data["comment"],
    )
    messages.success(request, _("Thank you for your feedback!"))
    return redirect(f"{article_url(article)}#feedback")


@help_page
@require_GET
def search_page(request: HttpRequest, language: str) -> HttpResponse:
    """Articles matching the visitor's words in any inflected form, in their language; when
    none is, in any language (shown as such)."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    hits: list[SearchHit] = []
    status = 200
    if query:
        allowed = throttle.hit(
            "help-search",
            request.META.get("REMOTE_ADDR", ""),
            limit=SEARCHES_PER_MINUTE,
            window_seconds=60,
        )
        if allowed:
            kinds = [ArticleDocuments.name]
            hits = search(None, query, doc_types=kinds, filters={"language": language}).hits
            if not hits:
                hits = search(None, query, doc_types=kinds).hits
        else:
            status = TOO_MANY_REQUESTS
    context = _context(
        language,
        lambda code: reverse("help:search", args=[code]) + (f"?{request.GET.urlencode()}"),
        query=query,
        hits=hits,
        throttled=status == TOO_MANY_REQUESTS,
    )
    return render(request, "portal/help/search.html", context, status=status)


@require_GET
def download_file(request: HttpRequest, attachment_id: int) -> FileResponse:
    """An image or file of a published public article."""
    try:
        attachment = access_public_attachment(attachment_id)
    except NotFound as error:
        raise Http404(error.detail) from error
    return image_or_download(
        attachment.file, filename=attachment.filename, content_type=attachment.content_type
    )


@require_GET
def logo(request: HttpRequest) -> FileResponse:
    """The brand's logo, as an admin uploaded it."""
    current = brand()
    if not current.logo:
        raise Http404("No logo")
    content_type = mimetypes.guess_type(current.logo.name or "")[0] or "application/octet-stream"
    return image_or_download(current.logo, filename="logo", content_type=content_type)


@require_GET
def sitemap(request: HttpRequest) -> HttpResponse:
    """Every public help-center page, for search engines."""
    base = settings.PUBLIC_URL
    entries: list[tuple[str, Any]] = [
        (base + reverse("help:home", args=[code]), None) for code, _n in settings.LANGUAGES
    ]
    for code, _n in settings.LANGUAGES:
        entries.extend(
            (base + reverse("help:category", args=[code, category.slug]), None)
            for category, _articles in help_center_categories(code)
        )
    entries.extend(
        (base + article_url(article), article.updated_at) for article in sitemap_articles()
    )
    return render(
        request,
        "portal/help/sitemap.xml",
        {"entries": entries},
        content_type="application/xml; charset=utf-8",
    )
