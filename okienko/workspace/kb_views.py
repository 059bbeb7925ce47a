"""Knowledge-base pages of the workspace: the article list with filters, the Markdown editor
with preview, files, versions with their differences, the workflow, and the ticket page's
article picker and knowledge capture. Thin: parse, authorise, one action or selector, render."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from okienko.accounts.models import Agent
from okienko.ai.selectors import bot_metrics
from okienko.core.downloads import image_or_download
from okienko.core.errors import DomainError, NotFound
from okienko.kb import actions
from okienko.kb.actions import EDITOR_ROLES
from okienko.kb.choices import TRANSITIONS, ArticleStatus, Visibility
from okienko.kb.models import Article
from okienko.kb.search import reply_picker
from okienko.kb.selectors import (
    ArticleFilters,
    access_article,
    access_attachment,
    access_category,
    access_version,
    article_attachments,
    article_feedback,
    article_versions,
    body_html,
    body_text,
    categories_with_article_counts,
    deflection_rate,
    list_articles,
    translations_of,
    version_diff,
)
from okienko.tickets.selectors import access_message, access_ticket
from okienko.workspace.kb_forms import (
    ArticleForm,
    ArticleListForm,
    AttachmentForm,
    KbCategoryForm,
    language_name,
)
from okienko.workspace.views import UNPROCESSABLE, _agent, _int_or_none

PAGE_SIZE = 50


def _article_or_404(agent: Agent, article_id: int) -> Article:
    try:
        return access_article(agent, article_id)
    except NotFound as error:
        raise Http404(error.detail) from error


def workspace_url(article: Article) -> str:
    return reverse("workspace:kb_article", args=[article.pk])


def help_center_url(article: Article) -> str:
    """The article's public address, as a customer opens it from a reply."""
    return settings.PUBLIC_URL + reverse("help:article", args=[article.language, article.slug])


@login_required
@require_GET
def article_list(request: HttpRequest) -> HttpResponse:
    """Every article, newest first, with filters: status, category, owner, language, due for
    review; supervisors and admins also see how often suggested articles deflect requests and
    reach the categories."""
    agent = _agent(request)
    is_editor = agent.role in EDITOR_ROLES
    form = ArticleListForm(request.GET or None)
    filters = ArticleFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = ArticleFilters(
            status=data["status"],
            category_id=data["category"].pk if data["category"] else None,
            owner_id=form.owner_id(),
            language=data["language"],
            is_outdated=True if data["outdated"] else None,
            query=data["q"].strip(),
        )
    before_id = _int_or_none(request.GET.get("before"))
    found = list_articles(agent, filters, before_id=before_id, limit=PAGE_SIZE + 1)
    query = request.GET.copy()
    query.pop("before", None)
    context = {
        "form": form,
        "articles": found[:PAGE_SIZE],
        "next_before": found[PAGE_SIZE - 1].pk if len(found) > PAGE_SIZE else None,
        "filter_query": query.urlencode(),
        "is_editor": is_editor,
        "deflection": deflection_rate() if is_editor else None,
        "bot": bot_metrics() if is_editor else None,
    }
    return render(request, "workspace/kb_list.html", context)


def _editor_context(
    agent: Agent, article: Article | None, form: ArticleForm, **extra: Any
) -> dict[str, Any]:
    context: dict[str, Any] = {"article": article, "form": form, **extra}
    if article is not None:
        translations = translations_of(article)
        context.update(
            {
                "preview": body_html(
                    article.body, article.language, public_only=False, url_for=workspace_url
                ),
                "moves": [
                    (status, ArticleStatus(status).label)
                    for status in sorted(TRANSITIONS[article.status])
                ],
                "translations": translations,
                "missing_languages": [
                    (code, name)
                    for code, name in settings.LANGUAGES
                    if code not in {other.language for other in translations}
                ],
                "attachments": article_attachments(article),
                "attachment_form": extra.get("attachment_form") or AttachmentForm(),
                "feedback": article_feedback(article),
                "public_url": help_center_url(article)
                if article.status == ArticleStatus.PUBLISHED
                and article.visibility == Visibility.PUBLIC
                else "",
            }
        )
    return context


@login_required
@require_http_methods(["GET", "POST"])
def article_new(request: HttpRequest) -> HttpResponse:
    """Write a new article, or a translation of one (``?translation_of=<id>&language=en``)."""
    agent = _agent(request)
    source_id = _int_or_none(request.GET.get("translation_of"))
    source = _article_or_404(agent, source_id) if source_id else None
    initial: dict[str, Any] = {"owner": agent.pk, "language": agent.language}
    if source is not None:
        initial.update(
            {
                "language": request.GET.get("language", ""),
                "category": source.category_id,
                "visibility": source.visibility,
                "slug": source.slug,
                "title": source.title,
                "body": source.body,
            }
        )
    form = ArticleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.changes()
        try:
            article = actions.do_create_article(
                title=data["title"],
                body=data["body"],
                language=data["language"],
                slug=data["slug"],
                category=data["category"],
                visibility=data["visibility"],
                owner=data["owner"],
                review_due=data["review_due"],
                source=source,
                related=data["related"],
                acting_user=agent,
            )
        except DomainError as error:
            form.add_error(None, error.detail)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("workspace:kb_article", article_id=article.pk)
    status = UNPROCESSABLE if form.errors else 200
    context = _editor_context(agent, None, form, source=source)
    return render(request, "workspace/kb_editor.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def article_edit(request: HttpRequest, article_id: int) -> HttpResponse:
    """The editor: Markdown with a live preview; saving a changed text adds a version."""
    agent = _agent(request)
    article = _article_or_404(agent, article_id)
    form = ArticleForm(request.POST or None, article=article)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_article(
                article=article,
                changes=form.changes(),
                acting_user=agent,
                expected_version=form.cleaned_data["version"],
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            form.add_error(None, error.detail)
        else:
            messages.success(request, _("Saved."))
            return redirect("workspace:kb_article", article_id=article_id)
        article = _article_or_404(agent, article_id)
    status = UNPROCESSABLE if form.errors else 200
    context = _editor_context(agent, article, form)
    return render(request, "workspace/kb_editor.html", context, status=status)


@login_required
@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    """The editor's text as readers will see it (htmx, as the agent types)."""
    _agent(request)
    language = request.POST.get("language", "")
    html = body_html(
        request.POST.get("body", ""),
        language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE,
        public_only=False,
        url_for=workspace_url,
    )
    return render(request, "workspace/partials/_kb_preview.html", {"preview": html})


@login_required
@require_POST
def change_status(request: HttpRequest, article_id: int) -> HttpResponse:
    agent = _agent(request)
    article = _article_or_404(agent, article_id)
    try:
        actions.do_change_article_status(
            article=article, status=request.POST.get("status", ""), acting_user=agent
        )
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(
            request, _("Status: %(status)s.") % {"status": ArticleStatus(article.status).label}
        )
    return redirect("workspace:kb_article", article_id=article_id)


@login_required
@require_POST
def upload_file(request: HttpRequest, article_id: int) -> HttpResponse:
    """Keep an image or file for the article; the editor offers its Markdown to insert."""
    agent = _agent(request)
    article = _article_or_404(agent, article_id)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.do_add_attachment(
                article=article, upload=form.cleaned_data["file"], acting_user=agent
            )
        except DomainError as error:
            messages.error(request, error.detail)
        else:
            messages.success(request, _("File added: insert it into the text from the list."))
    else:
        messages.error(request, _("Choose a file to upload."))
    return redirect("workspace:kb_article", article_id=article_id)


@login_required
@require_GET
def download_file(request: HttpRequest, attachment_id: int) -> FileResponse:
    try:
        attachment = access_attachment(_agent(request), attachment_id)
    except NotFound as error:
        raise Http404(error.detail) from error
    return image_or_download(
        attachment.file, filename=attachment.filename, content_type=attachment.content_type
    )


@login_required
@require_GET
def versions(request: HttpRequest, article_id: int) -> HttpResponse:
    """The article's versions; two of them compared line by line (the newest two unless
    ``older`` and ``newer`` say otherwise)."""
    agent = _agent(request)
    article = _article_or_404(agent, article_id)
    history = list(article_versions(article))
    newer_number = _int_or_none(request.GET.get("newer")) or article.version
    older_number = _int_or_none(request.GET.get("older")) or max(newer_number - 1, 1)
    try:
        older, newer = access_version(article, older_number), access_version(article, newer_number)
    except NotFound as error:
        raise Http404(error.detail) from error
    context = {
        "article": article,
        "versions": history,
        "older": older,
        "newer": newer,
        "diff": version_diff(older, newer),
    }
    return render(request, "workspace/kb_versions.html", context)


@login_required
@require_POST
def restore(request: HttpRequest, article_id: int, number: int) -> HttpResponse:
    agent = _agent(request)
    article = _article_or_404(agent, article_id)
    try:
        actions.do_restore_version(article=article, number=number, acting_user=agent)
    except NotFound as error:
        raise Http404(error.detail) from error
    messages.success(
        request, _("Version %(number)d restored as a new version.") % {"number": number}
    )
    return redirect("workspace:kb_article", article_id=article_id)


@login_required
@require_GET
def reply_articles(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Published articles matching the agent's words (through search: any inflected form),
    each with its link (public ones) and its text ready to insert into the ticket's reply."""
    agent = _agent(request)
    ticket = access_ticket(agent, ticket_id)
    query = request.GET.get("q", "").strip()
    found = reply_picker(agent, query) if query else []
    results = [
        {
            "article": article,
            "link": help_center_url(article) if article.visibility == Visibility.PUBLIC else "",
            "text": body_text(article, url_for=help_center_url),
        }
        for article in found
    ]
    context = {"ticket": ticket, "query": query, "results": results}
    return render(request, "workspace/partials/_kb_picker.html", context)


@login_required
@require_POST
def capture_reply(request: HttpRequest, ticket_id: int, message_id: int) -> HttpResponse:
    """Knowledge capture: a good reply becomes a draft article to polish and send to review."""
    agent = _agent(request)
    ticket = access_ticket(agent, ticket_id)
    try:
        message = access_message(agent, ticket, message_id)
        article = actions.do_capture_reply(message=message, acting_user=agent)
    except NotFound as error:
        raise Http404(error.detail) from error
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("workspace:ticket", ticket_id=ticket_id)
    messages.success(
        request, _("Draft article made from the reply: edit it and send it to review.")
    )
    return redirect("workspace:kb_article", article_id=article.pk)


def _category_editor(request: HttpRequest) -> Agent:
    agent = _agent(request)
    if agent.role not in EDITOR_ROLES:
        raise PermissionDenied(_("Only supervisors and administrators change categories."))
    return agent


@login_required
@require_http_methods(["GET", "POST"])
def categories_page(request: HttpRequest, category_id: int | None = None) -> HttpResponse:
    """The help center's categories in their order, with a form: a new category, or the
    category ``category_id`` (its name and description per language, address, position).
    Supervisors and admins only."""
    _category_editor(request)
    category = access_category(category_id) if category_id is not None else None
    form = KbCategoryForm(request.POST or None, category=category)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_save_category(data=form.category_input(), category=category)
        except DomainError as error:
            form.add_error("slug" if "slug" in error.errors else None, error.detail)
        else:
            messages.success(request, _("Category saved."))
            return redirect("workspace:kb_categories")
    languages = [(code, language_name(code)) for code, _name in settings.LANGUAGES]
    rows = [
        {
            "category": row,
            "names": [
                row.name
                if code == settings.LANGUAGE_CODE
                else row.translations.get(code, {}).get("name", "")
                for code, _name in languages
            ],
        }
        for row in categories_with_article_counts()
    ]
    context = {"rows": rows, "languages": languages, "form": form, "category": category}
    status = UNPROCESSABLE if form.errors else 200
    return render(request, "workspace/kb_categories.html", context, status=status)


@login_required
@require_POST
def category_delete(request: HttpRequest, category_id: int) -> HttpResponse:
    """Delete an empty category; one that still has articles stays."""
    _category_editor(request)
    category = access_category(category_id)
    try:
        actions.do_delete_category(category=category)
    except DomainError:
        messages.error(
            request,
            _("“%(name)s” still has articles: move or delete them first.") % {"name": category},
        )
    else:
        messages.success(request, _("Category “%(name)s” deleted.") % {"name": category})
    return redirect("workspace:kb_categories")
