import datetime

from ninja import Field, Schema

from okienko.inboxes.choices import InboundOutcome, InboundStatus, InboxKind
from okienko.inboxes.models import EMAIL_ACCOUNT_SECRETS, ConnectionSecurity, EmailAccount


class InboxOut(Schema):
    id: int
    name: str
    kind: InboxKind
    address: str
    team_id: int | None
    is_default: bool
    is_active: bool


class InboxCreateIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    kind: InboxKind = InboxKind.EMAIL
    address: str = Field("", max_length=254)
    team_id: int | None = None
    is_default: bool = False


class EmailAccountIn(Schema):
    """A mailbox's settings. Secrets are write-only: a secret left out (or null) is kept,
    an empty string clears it."""

    imap_host: str = Field("", max_length=255)
    imap_port: int = Field(993, ge=1, le=65535)
    imap_security: ConnectionSecurity = ConnectionSecurity.TLS
    imap_username: str = Field("", max_length=255)
    imap_password: str | None = Field(None, max_length=255)
    # The OAuth2 access token for IMAP and SMTP alike (the name is older than SMTP's use of it).
    imap_oauth_token: str | None = None
    oauth_token_url: str = Field("", max_length=500)
    oauth_client_id: str = Field("", max_length=255)
    oauth_client_secret: str | None = Field(None, max_length=255)
    oauth_refresh_token: str | None = None
    imap_folder: str = Field("INBOX", min_length=1, max_length=255)
    imap_archive_folder: str = Field("", max_length=255)
    smtp_host: str = Field("", max_length=255)
    smtp_port: int = Field(587, ge=1, le=65535)
    smtp_security: ConnectionSecurity = ConnectionSecurity.STARTTLS
    smtp_username: str = Field("", max_length=255)
    smtp_password: str | None = Field(None, max_length=255)
    sends_acknowledgement: bool = True
    signature: str = ""


class EmailAccountOut(Schema):
    """A mailbox's settings and state; of its secrets only which ones are stored."""

    inbox_id: int
    imap_host: str
    imap_port: int
    imap_security: ConnectionSecurity
    imap_username: str
    imap_oauth_expires_at: datetime.datetime | None
    oauth_token_url: str
    oauth_client_id: str
    imap_folder: str
    imap_archive_folder: str
    imap_last_uid: int
    imap_last_error: str
    imap_checked_at: datetime.datetime | None
    smtp_host: str
    smtp_port: int
    smtp_security: ConnectionSecurity
    smtp_username: str
    sends_acknowledgement: bool
    signature: str

    # The names of the secrets stored (imap_password, oauth_refresh_token...), never their values.
    stored_secrets: list[str]

    @staticmethod
    def resolve_stored_secrets(account: EmailAccount) -> list[str]:
        return [field for field in EMAIL_ACCOUNT_SECRETS if getattr(account, field)]


class InboundItemOut(Schema):
    id: int
    inbox_id: int
    external_id: str
    status: InboundStatus
    outcome: InboundOutcome | None
    error: str
    attempts: int
    sender: str
    subject: str
    ticket_id: int | None
    message_id: int | None
    received_at: datetime.datetime
    processed_at: datetime.datetime | None

    @staticmethod
    def resolve_outcome(item: object) -> str | None:
        return getattr(item, "outcome", "") or None

    @staticmethod
    def resolve_ticket_id(item: object) -> int | None:
        message = getattr(item, "message", None)
        return message.ticket_id if message is not None else None


class InboundItemPage(Schema):
    items: list[InboundItemOut]
    next_cursor: str | None
