"""The web chat's pages: a visitor's files, and a page to try a widget as a shop would embed it."""

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from okienko.core.downloads import image_or_download
from okienko.core.errors import NotFound
from okienko.inboxes.chat.selectors import visitor_attachment, widget_by_key


@require_GET
def visitor_file(request: HttpRequest, token: str) -> FileResponse:
    """A file of a chat, to the visitor holding the signed link the widget was sent."""
    try:
        attachment = visitor_attachment(token)
    except NotFound as error:
        raise Http404(str(error)) from error
    return image_or_download(
        attachment.file, filename=attachment.filename, content_type=attachment.content_type
    )


@require_GET
def try_widget(request: HttpRequest, public_key: str) -> HttpResponse:
    """A small shop page with the widget embedded by its script tag, as a customer's site
    would have it: to try the widget, and the demo's shop."""
    try:
        widget = widget_by_key(public_key)
    except NotFound as error:
        raise Http404(str(error)) from error
    return render(
        request,
        "chat/try.html",
        {"widget": widget, "script_url": static("chat/widget.js"), "public_key": public_key},
    )
