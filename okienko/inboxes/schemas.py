import datetime

from ninja import Field, Schema

from okienko.inboxes.choices import InboundOutcome, InboundStatus, InboxKind


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
