"""What the widget receives: messages, the conversation and the widget's settings as JSON.

Text only, never HTML: the widget shows it with ``textContent``, so markup a customer or an
agent typed stays inert on the embedding page.
"""

from collections.abc import Collection, Sequence
from typing import Any

from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from okienko.inboxes.chat.responders import first_responder
from okienko.inboxes.chat.selectors import Availability, email_state, file_link_token
from okienko.inboxes.models import ChatConversation, ChatWidget
from okienko.tickets.choices import AuthorKind
from okienko.tickets.models import Message

IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")


def _client_id(message: Message, conversation_id: int) -> str:
    prefix = f"chat:{conversation_id}:"
    return (
        message.external_id.removeprefix(prefix) if message.external_id.startswith(prefix) else ""
    )


def _author_name(message: Message) -> str:
    if message.author_kind == AuthorKind.AGENT and message.author_agent is not None:
        return message.author_agent.name.split()[0] if message.author_agent.name else ""
    return ""


def messages_payload(messages: Sequence[Message], conversation_id: int) -> list[dict[str, Any]]:
    """Messages as the widget shows them, with "did this help?" under the bot's answers that
    ask it."""
    asks_feedback = first_responder().asks_feedback(message.pk for message in messages)
    return [
        message_payload(message, conversation_id, asks_feedback=asks_feedback)
        for message in messages
    ]


def message_payload(
    message: Message, conversation_id: int, *, asks_feedback: Collection[int] = ()
) -> dict[str, Any]:
    """One message as the visitor's widget shows it; file links are paths on our server."""
    return {
        "id": message.pk,
        "cid": _client_id(message, conversation_id),
        "author": message.author_kind,
        "name": _author_name(message),
        "text": message.text,
        "at": message.created_at.isoformat(),
        "files": [
            {
                "name": attachment.filename,
                "url": reverse("chat:file", args=[file_link_token(attachment, conversation_id)]),
                "image": attachment.content_type in IMAGE_TYPES,
            }
            for attachment in message.attachments.all()
        ],
        "feedback": message.pk in asks_feedback,
    }


def _when(moment: Any) -> str:
    local = timezone.localtime(moment)
    return formats.date_format(local, "l, j E, H:i")


def widget_texts(
    widget: ChatWidget, availability: Availability, language: str, *, offers_human: bool
) -> dict[str, Any]:
    """The widget's settings and every text it shows, in the visitor's language;
    ``offers_human`` while a bot answers (the "talk to a human" button)."""
    with translation.override(language):
        promise = availability.promise
        if availability.is_staffed:
            status = _("We are here. A person from our team answers in a moment.")
        elif promise.opens_at is not None:
            status = _(
                "We are away now. A person from our team will answer once we open: %(when)s. "
                "Leave a message and your e-mail and we will continue by e-mail in this "
                "conversation."
            ) % {"when": _when(promise.opens_at)}
        else:
            status = _(
                "Nobody from our team is available right now. Leave a message and your "
                "e-mail and we will continue by e-mail in this conversation."
            )
        if promise.due_at is not None and not availability.is_staffed:
            status += " " + _("Latest time for our answer: %(when)s.") % {
                "when": _when(promise.due_at)
            }
        greeting = widget.greeting_en if language == "en" else widget.greeting_pl
        return {
            "colour": widget.brand_colour,
            "staffed": availability.is_staffed,
            "asks_details": widget.asks_for_details,
            "offers_consent": widget.offers_marketing_consent,
            "human": offers_human,
            "text": {
                "title": widget.inbox.name,
                "greeting": greeting or _("Hello! How can we help you?"),
                "status": status,
                "open": _("Open the chat"),
                "close": _("Close the chat"),
                "message": _("Your message"),
                "send": _("Send"),
                "attach": _("Attach a file or photo"),
                "name": _("Name (optional)"),
                "email": _("E-mail (optional)"),
                "email_required": _("E-mail for our answer"),
                "consent": _(
                    "I agree to receive marketing information by e-mail. I can withdraw "
                    "this consent at any time."
                ),
                "save": _("Save"),
                "details": _("Introduce yourself (optional)"),
                "leave": _("Leave your e-mail and we will answer there too"),
                "left": _(
                    "Thank you. Once you confirm your address, we will answer by e-mail too."
                ),
                "left_proven": _("Thank you. We will answer by e-mail too."),
                "link_sent": _(
                    "We have sent you an e-mail with a link. Open it to confirm the address: "
                    "then this chat joins your earlier conversations with us."
                ),
                "link_not_sent": _(
                    "We could not send a confirmation link now. Save the address again later."
                ),
                "verified": _("Your e-mail address is confirmed."),
                "unverified": _("Your e-mail address is no longer confirmed."),
                "withdrawn": _(
                    "Your e-mail address is no longer confirmed. Save it again to get a new link."
                ),
                "human": _("Talk to a human"),
                "human_asked": _("I would like to talk to a person."),
                "helpful": _("Did this help?"),
                "yes": _("Yes"),
                "no": _("No"),
                "typing": _("%(name)s is typing…"),
                "someone": _("Our team"),
                "you": _("You"),
                "bot": _("Automatic assistant"),
                "sending": _("Sending…"),
                "seen": _("Seen"),
                "offline": _("Connection lost. Reconnecting…"),
                "ended": _("The chat has ended. Write here any time to continue."),
                "error": _("The message could not be sent:"),
                "log": _("Conversation"),
            },
        }


def conversation_payload(conversation: ChatConversation | None) -> dict[str, Any]:
    """What the widget remembers of its visitor: the details they gave and the read state."""
    if conversation is None:
        return {"started": False, "ended": False, "read_by_agent": 0}
    return {
        "started": True,
        "ended": conversation.ended_at is not None,
        "read_by_agent": conversation.agent_read_up_to,
        "name": conversation.name,
        "email": conversation.email,
        "email_state": email_state(conversation) or "",
        "consent": conversation.marketing_consent,
        "by_email": conversation.continues_by_email,
    }
