"""The web chat's pages: a visitor's files, the link that confirms a visitor's e-mail, and a
page to try a widget as a shop would embed it."""

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import translation
from django.views.decorators.http import require_GET, require_http_methods

from okienko.core.downloads import image_or_download
from okienko.core.errors import NotFound
from okienko.core.link_pages import link_page
from okienko.inboxes.chat.actions import check_email_link_opening, do_verify_visitor_email
from okienko.inboxes.chat.selectors import usable_email_link, visitor_attachment, widget_by_key

NOT_FOUND = 404


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


@require_http_methods(["GET", "POST"])
@link_page(count_opening=check_email_link_opening, template="chat/verify_email.html")
def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    """The link e-mailed to a visitor's address, in their chat's language. Opening it only
    asks to confirm, so that mail scanners that open links do not use it up; the confirming
    POST verifies the address."""
    link = usable_email_link(token)
    language = link.conversation.language if link is not None else translation.get_language()
    with translation.override(language):
        if request.method == "GET" or link is None:
            context = {"usable": link is not None, "link": link}
            return render(
                request, "chat/verify_email.html", context, status=200 if link else NOT_FOUND
            )
        try:
            do_verify_visitor_email(token=token)
        except NotFound:
            return render(request, "chat/verify_email.html", {"usable": False}, status=NOT_FOUND)
        return render(request, "chat/verify_email.html", {"verified": True})
