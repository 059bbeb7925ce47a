import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from okienko.accounts.models import Team
from okienko.core.models import SingleUseLink
from okienko.inboxes.choices import DeliveryStatus, InboundOutcome, InboundStatus, InboxKind
from okienko.inboxes.email.oauth import validate_token_url
from okienko.tickets.models import Message


class Inbox(models.Model):
    """A configured entry point customers write to: a mailbox, later the web chat or a number."""

    name = models.CharField(pgettext_lazy("inbox", "name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=InboxKind.choices)
    # The address customers write to (a mailbox); our own replies come from it.
    address = models.CharField(_("address"), max_length=254, blank=True, default="")
    is_default = models.BooleanField(_("default for its kind"), default=False)
    team = models.ForeignKey(
        Team,
        verbose_name=_("team for new tickets"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inboxes",
    )
    is_active = models.BooleanField(pgettext_lazy("inbox", "active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("inbox")
        verbose_name_plural = _("inboxes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class InboundItem(models.Model):
    """The inbound ledger: every contact as it arrived, written before the source is
    acknowledged, so nothing is lost whatever processing later makes of it."""

    inbox = models.ForeignKey(Inbox, on_delete=models.PROTECT, related_name="items")
    # The source's own id (e-mail Message-ID); the same message fetched twice has one row.
    external_id = models.CharField(max_length=255)
    # SHA-256 of the raw bytes: two different messages that share a Message-ID both stay.
    digest = models.CharField(max_length=64)
    raw = models.BinaryField()
    status = models.CharField(
        max_length=16, choices=InboundStatus.choices, default=InboundStatus.RECEIVED
    )
    outcome = models.CharField(max_length=24, choices=InboundOutcome.choices, blank=True)
    error = models.TextField(blank=True, default="")
    attempts = models.PositiveIntegerField(default=0)
    sender = models.CharField(max_length=254, blank=True, default="")
    subject = models.CharField(max_length=255, blank=True, default="")
    message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="inbound_items"
    )
    received_at = models.DateTimeField()
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("inbound item")
        verbose_name_plural = _("inbound items")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["inbox", "external_id", "digest"], name="inbound_item_unique_source"
            )
        ]
        indexes = [
            models.Index(fields=["status", "id"], name="inbound_status_id"),
            models.Index(fields=["inbox", "status"], name="inbound_inbox_status"),
            models.Index(fields=["sender", "received_at"], name="inbound_sender_received"),
        ]

    def __str__(self) -> str:
        return f"inbound {self.pk} ({self.status})"


class ConnectionSecurity(models.TextChoices):
    TLS = "tls", _("TLS")
    STARTTLS = "starttls", _("STARTTLS")
    NONE = "none", _("None (local servers only)")


# Stored as given but never shown back (admin form, API, reprs); left empty when editing a
# mailbox, they are kept.
EMAIL_ACCOUNT_SECRETS = (
    "imap_password",
    "imap_oauth_token",
    "oauth_client_secret",
    "oauth_refresh_token",
    "smtp_password",
)


class EmailAccount(models.Model):
    """How an e-mail inbox reaches its mailbox: IMAP to fetch, SMTP to send.

    Passwords are kept as entered: the server must present them to the mail servers. Protect
    the database accordingly (they never appear in the API, logs or admin lists).
    """

    inbox = models.OneToOneField(Inbox, on_delete=models.CASCADE, related_name="email_account")
    imap_host = models.CharField(_("IMAP server"), max_length=255, blank=True, default="")
    imap_port = models.PositiveIntegerField(_("IMAP port"), default=993)
    imap_security = models.CharField(
        _("IMAP security"),
        max_length=16,
        choices=ConnectionSecurity.choices,
        default=ConnectionSecurity.TLS,
    )
    imap_username = models.CharField(_("IMAP user"), max_length=255, blank=True, default="")
    imap_password = models.CharField(_("IMAP password"), max_length=255, blank=True, default="")
    # An OAuth2 access token (XOAUTH2) instead of the passwords, when the provider needs one;
    # it logs in to IMAP and to SMTP alike (one token covers both at Google and Microsoft 365).
    imap_oauth_token = models.TextField(_("IMAP OAuth2 token"), blank=True, default="")
    # With a refresh token and the provider's token endpoint, the access token above is renewed
    # before it expires (providers give about an hour) and whenever the server refuses it.
    imap_oauth_expires_at = models.DateTimeField(_("OAuth2 token expires"), null=True, blank=True)
    oauth_token_url = models.URLField(
        _("OAuth2 token endpoint"),
        max_length=500,
        blank=True,
        default="",
        validators=[validate_token_url],
    )
    oauth_client_id = models.CharField(
        _("OAuth2 client ID"), max_length=255, blank=True, default=""
    )
    oauth_client_secret = models.CharField(
        _("OAuth2 client secret"), max_length=255, blank=True, default=""
    )
    oauth_refresh_token = models.TextField(_("OAuth2 refresh token"), blank=True, default="")
    imap_folder = models.CharField(_("IMAP folder"), max_length=255, default="INBOX")
    # Where fetched mail is moved once it is in the ledger; empty: flag it as seen instead.
    imap_archive_folder = models.CharField(
        _("IMAP folder for fetched mail"), max_length=255, blank=True, default=""
    )
    # The folder's UIDVALIDITY and the highest UID in the ledger: a restart resumes after it.
    imap_uidvalidity = models.PositiveBigIntegerField(null=True, blank=True)
    imap_last_uid = models.PositiveBigIntegerField(_("last fetched UID"), default=0)
    imap_last_error = models.TextField(_("last fetch error"), blank=True, default="")
    imap_checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    smtp_host = models.CharField(_("SMTP server"), max_length=255, blank=True, default="")
    smtp_port = models.PositiveIntegerField(_("SMTP port"), default=587)
    smtp_security = models.CharField(
        _("SMTP security"),
        max_length=16,
        choices=ConnectionSecurity.choices,
        default=ConnectionSecurity.STARTTLS,
    )
    smtp_username = models.CharField(_("SMTP user"), max_length=255, blank=True, default="")
    smtp_password = models.CharField(_("SMTP password"), max_length=255, blank=True, default="")
    sends_acknowledgement = models.BooleanField(
        _("acknowledge new tickets by e-mail"), default=True
    )
    signature = models.TextField(_("signature"), blank=True, default="")

    class Meta:
        verbose_name = _("e-mail account")
        verbose_name_plural = _("e-mail accounts")

    def __str__(self) -> str:
        return f"{self.inbox} ({self.imap_username or self.imap_host or 'no IMAP'})"

    def __repr__(self) -> str:
        # No passwords or tokens in reprs (tracebacks, debug output).
        return f"<EmailAccount {self.pk} inbox={self.inbox_id}>"

    @property
    def refreshes_oauth_token(self) -> bool:
        """Whether the OAuth2 access token is renewed with a refresh token when needed."""
        return bool(self.oauth_refresh_token and self.oauth_token_url)

    @property
    def uses_oauth_token(self) -> bool:
        """Whether IMAP and SMTP log in with an OAuth2 access token instead of passwords."""
        return bool(self.imap_oauth_token) or self.refreshes_oauth_token


class Delivery(models.Model):
    """One outgoing message on its way to the customer, with its status and retries."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    inbox = models.ForeignKey(Inbox, on_delete=models.PROTECT, related_name="deliveries")
    recipients = models.JSONField(default=list)
    copied = models.JSONField(default=list)
    # Our Message-ID (without brackets): replies and bounces find the delivery by it.
    external_id = models.CharField(max_length=255, unique=True)
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"delivery {self.pk} of message {self.message_id} ({self.status})"


def new_public_key() -> str:
    return secrets.token_urlsafe(12)


class ChatWidget(models.Model):
    """How a web chat inbox appears on the sites that embed it with one script tag."""

    inbox = models.OneToOneField(Inbox, on_delete=models.CASCADE, related_name="chat_widget")
    # Named in the embed script, so it is public: it says which inbox, it grants nothing.
    public_key = models.CharField(
        _("public key"), max_length=32, unique=True, default=new_public_key, editable=False
    )
    brand_colour = models.CharField(_("brand colour"), max_length=7, default="#0b6e4f")
    greeting_pl = models.CharField(_("greeting in Polish"), max_length=300, blank=True, default="")
    greeting_en = models.CharField(_("greeting in English"), max_length=300, blank=True, default="")
    asks_for_details = models.BooleanField(_("offer name and e-mail fields"), default=True)
    offers_marketing_consent = models.BooleanField(_("offer marketing consent"), default=True)
    # Sites allowed to open the widget, one origin a line (https://shop.example); empty: any.
    allowed_origins = models.TextField(_("allowed sites"), blank=True, default="")

    class Meta:
        verbose_name = _("chat widget")
        verbose_name_plural = _("chat widgets")

    def __str__(self) -> str:
        return str(self.inbox)


class ChatConversation(models.Model):
    """One visitor's chat through a widget: who they said they are, the ticket it became and
    how far each side has read. The visitor's browser holds a secret token; we keep its hash."""

    inbox = models.ForeignKey(Inbox, on_delete=models.PROTECT, related_name="conversations")
    visitor_token_hash = models.CharField(max_length=64, unique=True)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="chat_conversations",
    )
    # The current ticket: a follow-up replaces a closed one, the conversation goes on.
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="chat_conversations",
    )
    name = models.CharField(_("name"), max_length=200, blank=True, default="")
    email = models.CharField(_("e-mail"), max_length=254, blank=True, default="")
    language = models.CharField(max_length=8, default="pl")
    # The visitor's answer to the widget's consent question, as their widget shows it back; the
    # record of it (wording, time, where) is the customer's (customers.Consent).
    marketing_consent = models.BooleanField(_("marketing consent"), default=False)
    # Replies go out by e-mail too while the visitor is away (left a message out of hours).
    continues_by_email = models.BooleanField(default=False)
    # The address above is only what the visitor typed until they open the link e-mailed to
    # it: when that link was last asked for, and when it was opened (both for this address).
    email_link_requested_at = models.DateTimeField(null=True, blank=True)
    email_verified_at = models.DateTimeField(null=True, blank=True)
    # When an undone customer merge withdrew that proof (its link is used, none is out), until
    # the visitor saves the address again.
    email_proof_withdrawn_at = models.DateTimeField(null=True, blank=True)
    visitor_read_up_to = models.PositiveBigIntegerField(default=0)
    agent_read_up_to = models.PositiveBigIntegerField(default=0)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("chat conversation")
        verbose_name_plural = _("chat conversations")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"chat {self.pk}"


class ChatEmailVerification(SingleUseLink):
    """A link e-mailed to the address a chat visitor gave. Opening it proves the address is
    theirs; only then does their chat join the timeline of the customer with that address."""

    conversation = models.ForeignKey(
        ChatConversation, on_delete=models.CASCADE, related_name="email_verifications"
    )
    email = models.EmailField(max_length=254)

    class Meta:
        verbose_name = _("chat e-mail verification")
        verbose_name_plural = _("chat e-mail verifications")
        indexes = [models.Index(fields=["created_at"], name="chatemailverif_created")]

    def __str__(self) -> str:
        return f"e-mail verification {self.pk} of chat {self.conversation_id}"
