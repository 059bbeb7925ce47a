from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class InboxKind(models.TextChoices):
    EMAIL = "email", _("E-mail")
    CHAT = "chat", _("Web chat")


class InboundStatus(models.TextChoices):
    """Where a ledger item stands: received = pending, the other two are final until an admin
    re-processes a quarantined one."""

    RECEIVED = "received", _("Received")
    PROCESSED = "processed", _("Processed")
    QUARANTINED = "quarantined", _("Quarantined")


class DeliveryStatus(models.TextChoices):
    """An outgoing message's way out: queued (also while retrying after an error), sent,
    failed (given up after the last retry) or bounced (the recipient's server refused it)."""

    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    BOUNCED = "bounced", _("Bounced")


class InboundOutcome(models.TextChoices):
    """What processing did with a ledger item."""

    TICKET_CREATED = "ticket_created", _("New ticket")
    FOLLOW_UP_CREATED = "follow_up_created", _("Follow-up of a closed ticket")
    MESSAGE_APPENDED = "message_appended", _("Added to a ticket")
    DUPLICATE = "duplicate", _("Duplicate of a message already received")
    BOUNCE_RECORDED = "bounce_recorded", _("Bounce recorded")


class ChatEmailState(models.TextChoices):
    """Where the proof of the address a chat visitor gave stands (derived from the
    conversation's timestamps, see ``chat.selectors.email_state``); the values are the widget's
    protocol. "unverified": no link could be sent (over a limit). "withdrawn": the address was
    proved, then an undone customer merge withdrew the proof and no link is out for it."""

    LINK_SENT = (
        "link_sent",
        pgettext_lazy("address", "not confirmed yet: a link was e-mailed to it"),
    )
    UNVERIFIED = "unverified", pgettext_lazy("address", "not confirmed: no link could be sent")
    VERIFIED = "verified", pgettext_lazy("address", "confirmed")
    WITHDRAWN = (
        "withdrawn",
        pgettext_lazy("address", "no longer confirmed: the customer merge was undone"),
    )
