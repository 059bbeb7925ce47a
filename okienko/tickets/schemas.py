"""API shapes of tickets, messages and events."""

import datetime
from typing import Any, Literal

from ninja import Field, Schema

from okienko.sla.schemas import TicketSlaOut
from okienko.sla.selectors import sla_of
from okienko.tickets.choices import Channel, Priority, Status, ViewAudience


class NamedRef(Schema):
    id: int
    name: str


class RequesterRef(Schema):
    id: int
    name: str


class TicketOut(Schema):
    id: int
    number: int
    subject: str
    status: Status
    priority: Priority
    channel: Channel
    requester: RequesterRef
    assignee: NamedRef | None
    team: NamedRef | None
    category: NamedRef | None
    tags: list[str]
    custom_fields: dict[str, Any]
    merged_into: int | None
    reply_count: int
    transfer_count: int
    reopen_count: int
    escalation_level: int = Field(description="0 first line, 1 second line, 2 supervisor")
    escalation_count: int
    created_at: datetime.datetime
    updated_at: datetime.datetime
    first_response_at: datetime.datetime | None
    solved_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    last_message_at: datetime.datetime | None
    sla_due_at: datetime.datetime | None = Field(
        description="The nearest deadline of the ticket's running SLA targets (null while they "
        "are paused or met, or no policy applies): what sort=due orders by"
    )
    sla: TicketSlaOut | None = Field(
        description="The policy the ticket falls under and each target's deadline; null when "
        "no policy applies"
    )

    @staticmethod
    def resolve_sla(ticket: Any) -> dict[str, Any] | None:
        sla = sla_of(ticket)
        return TicketSlaOut.of(sla) if sla.policy else None

    @staticmethod
    def resolve_tags(ticket: Any) -> list[str]:
        return [tag.name for tag in ticket.tags.all()]

    @staticmethod
    def resolve_merged_into(ticket: Any) -> int | None:
        return ticket.merged_into_id  # type: ignore[no-any-return]


class TicketPage(Schema):
    items: list[TicketOut]
    next_cursor: str | None


class RequesterIn(Schema):
    email: str = Field(..., min_length=3, max_length=254)
    name: str = Field("", max_length=200)


class AttachmentIn(Schema):
    filename: str = Field(..., min_length=1, max_length=255)
    content_type: str = Field("application/octet-stream", max_length=255)
    content_base64: str


class TicketCreateIn(Schema):
    subject: str = Field(..., min_length=1, max_length=255)
    message: str = Field("", max_length=200_000)
    html: str = Field("", max_length=1_000_000)
    channel: Channel = Channel.API
    requester: RequesterIn | None = None
    requester_id: int | None = None
    message_author: Literal["customer", "agent"] = "customer"
    priority: Priority = Priority.NORMAL
    assignee_id: int | None = None
    team_id: int | None = None
    category_id: int | None = None
    tags: list[str] = Field(default_factory=list, max_length=50)
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=20)


class TicketUpdateIn(Schema):
    """Only the fields sent are changed; ``null`` clears assignee, team or category."""

    subject: str | None = Field(None, min_length=1, max_length=255)
    status: Status | None = None
    priority: Priority | None = None
    assignee_id: int | None = None
    team_id: int | None = None
    category_id: int | None = None
    tags: list[str] | None = Field(None, max_length=50)
    custom_fields: dict[str, Any] | None = None


class MessageCreateIn(Schema):
    text: str = Field("", max_length=200_000)
    html: str = Field("", max_length=1_000_000)
    is_public: bool = True
    author: Literal["agent", "customer"] = "agent"
    status: Status | None = Field(None, description="Status to set with an agent's public reply")
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=20)


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    content_id: str
    url: str

    @staticmethod
    def resolve_url(attachment: Any) -> str:
        return f"/api/v1/attachments/{attachment.pk}"


class MessageOut(Schema):
    id: int
    ticket_id: int
    author_kind: str
    author_agent: NamedRef | None
    author_customer: RequesterRef | None
    direction: str
    is_public: bool
    channel: Channel
    text: str
    html: str
    external_id: str
    created_at: datetime.datetime
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_attachments(message: Any) -> list[Any]:
        return list(message.attachments.all())


class EventOut(Schema):
    id: int
    kind: str
    field: str
    old_value: Any
    new_value: Any
    actor_kind: str
    actor_agent: NamedRef | None
    rule: str
    message_id: int | None
    created_at: datetime.datetime


class MergeIn(Schema):
    target_id: int


class SavedViewFiltersIn(Schema):
    """What a saved view filters on; empty ones are left out. ``assignee``: an agent id, ``me``
    (whoever opens the view) or ``none`` (unassigned)."""

    statuses: list[Status] = []
    priorities: list[Priority] = []
    channels: list[Channel] = []
    team_id: int | None = None
    category_id: int | None = None
    tier_id: int | None = None
    assignee: str | None = None
    tag: str | None = None
    text: str | None = None


class SavedViewIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    audience: ViewAudience = Field(
        ViewAudience.PERSONAL,
        description="personal: only you; everyone or team (team_id): shared, by an admin",
    )
    team_id: int | None = None
    filters: SavedViewFiltersIn = SavedViewFiltersIn()


class SavedViewOut(Schema):
    id: int
    name: str
    audience: ViewAudience
    team: NamedRef | None
    filters: dict[str, Any]

    @staticmethod
    def resolve_audience(view: Any) -> str:
        if view.owner_id is not None:
            return ViewAudience.PERSONAL
        return ViewAudience.TEAM if view.team_id is not None else ViewAudience.EVERYONE


class BulkUpdateIn(Schema):
    """The same change to each ticket, as ``PATCH /tickets/{id}`` makes it (only the fields
    sent; ``null`` clears assignee, team or category), and tags added to those it has."""

    ticket_ids: list[int] = Field(..., min_length=1, max_length=200)
    status: Status | None = None
    priority: Priority | None = None
    assignee_id: int | None = None
    team_id: int | None = None
    category_id: int | None = None
    add_tags: list[str] = Field([], max_length=50)


class BulkMergeIn(Schema):
    ticket_ids: list[int] = Field(..., min_length=1, max_length=200)
    target_id: int


class BulkOutcomeOut(Schema):
    """What happened to each ticket: changed, already as asked, or refused with the reason
    (a ticket out of the caller's reach is refused as not found)."""

    changed: list[int]
    unchanged: list[int]
    refused: dict[int, str]
