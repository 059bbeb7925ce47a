"""The formatted view of an e-mail's HTML on the ticket page.

The HTML is shown in a sandboxed iframe whose document comes from ``message_html``: the
sanitised HTML, sanitised once more, under a CSP that lets it load nothing but its own inline
images (through the attachment download, with its permission checks), and remote images only
after the agent asked for them.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from okienko.accounts.models import Agent
from okienko.core.html import DisplayedHtml, html_for_display
from okienko.tickets.models import Message
from okienko.tickets.selectors import access_message, access_ticket

# No scripts, no forms, no top navigation; links open in a new tab outside the sandbox. Same
# origin only so that image requests carry the agent's session (nothing can run to use it).
SANDBOX = "allow-same-origin allow-popups allow-popups-to-escape-sandbox"


def _message_or_404(request: HttpRequest, ticket_id: int, message_id: int) -> Message:
    agent = request.user
    if not isinstance(agent, Agent):
        raise Http404
    message = access_message(agent, access_ticket(agent, ticket_id), message_id)
    if not message.html:
        raise Http404
    return message


def _display(
    request: HttpRequest, ticket_id: int, message_id: int
) -> tuple[Message, bool, DisplayedHtml, list[str]]:
    """The message, whether remote images were asked for, the HTML to show and the URLs of the
    inline images it may load."""
    message = _message_or_404(request, ticket_id, message_id)
    allow_remote_images = request.GET.get("remote_images") == "1"
    inline_images = {
        attachment.content_id: reverse("api-v1:download_attachment", args=[attachment.pk])
        for attachment in message.attachments.all()
        if attachment.content_id
    }
    displayed = html_for_display(
        message.html, inline_images=inline_images, allow_remote_images=allow_remote_images
    )
    return message, allow_remote_images, displayed, list(inline_images.values())


@login_required
@require_GET
def message_formatted(request: HttpRequest, ticket_id: int, message_id: int) -> HttpResponse:
    """The iframe with the message's formatted HTML, and the button for remote images."""
    message, allow_remote_images, displayed, _images = _display(request, ticket_id, message_id)
    context = {
        "message": message,
        "sandbox": SANDBOX,
        "allow_remote_images": allow_remote_images,
        "remote_images_blocked": displayed.remote_images_blocked,
    }
    return render(request, "workspace/partials/_formatted_message.html", context)


@login_required
@require_GET
@xframe_options_sameorigin
def message_html(request: HttpRequest, ticket_id: int, message_id: int) -> HttpResponse:
    """The document inside the iframe: nothing runs, nothing loads but what is allowed."""
    _message, allow_remote_images, displayed, image_urls = _display(request, ticket_id, message_id)
    response = render(request, "workspace/formatted_message.html", {"html": displayed.html})
    image_sources = ["data:", *(request.build_absolute_uri(url) for url in image_urls)]
    if allow_remote_images:
        image_sources += ["https:", "http:"]
    response["Content-Security-Policy"] = (
        f"sandbox {SANDBOX}; default-src 'none'; img-src {' '.join(image_sources)}; "
        "style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
    )
    response["Referrer-Policy"] = "no-referrer"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
