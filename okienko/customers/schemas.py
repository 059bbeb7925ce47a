"""API shapes of customers, identities and organisations."""

import datetime
from typing import Any

from ninja import Field, Schema

from okienko.customers.choices import ConsentPurpose, IdentityKind


class IdentityIn(Schema):
    kind: IdentityKind
    address: str = Field(..., min_length=1, max_length=254)
    is_verified: bool = False


class IdentityOut(Schema):
    id: int
    kind: IdentityKind
    address: str
    is_verified: bool
    created_at: datetime.datetime


class ConsentIn(Schema):
    """An answer the customer gave an agent (on the phone, in a letter...), recorded by them."""

    purpose: ConsentPurpose
    is_given: bool
    # The wording the customer agreed to; ignored for a withdrawal.
    text: str = Field("", max_length=2000)
    source: str = Field(..., min_length=1, max_length=40)
    source_reference: str = Field("", max_length=100)


class ConsentOut(Schema):
    id: int
    purpose: ConsentPurpose
    is_given: bool
    text: str
    source: str
    source_reference: str
    recorded_at: datetime.datetime
    # The agent who recorded it; None when the customer gave it themself (e.g. in the chat).
    recorded_by: int | None

    @staticmethod
    def resolve_recorded_by(consent: Any) -> int | None:
        return consent.recorded_by_id  # type: ignore[no-any-return]


class TierOut(Schema):
    slug: str
    name: str


class OrganisationRef(Schema):
    id: int
    name: str


class CustomerOut(Schema):
    id: int
    name: str
    language: str
    tier: TierOut
    organisation: OrganisationRef | None
    notes: str
    identities: list[IdentityOut]
    merged_into: int | None
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_identities(customer: Any) -> list[Any]:
        return list(customer.identities.all())

    @staticmethod
    def resolve_merged_into(customer: Any) -> int | None:
        return customer.merged_into_id  # type: ignore[no-any-return]


class CustomerPage(Schema):
    items: list[CustomerOut]
    next_cursor: str | None


class CustomerCreateIn(Schema):
    name: str = Field("", max_length=200)
    language: str = Field("pl", pattern="^(pl|en)$")
    tier: str | None = Field(None, description="Tier slug; the default tier when omitted")
    organisation_id: int | None = None
    notes: str = Field("", max_length=10_000)
    identities: list[IdentityIn] = Field(default_factory=list, max_length=20)


class CustomerUpdateIn(Schema):
    name: str | None = Field(None, max_length=200)
    language: str | None = Field(None, pattern="^(pl|en)$")
    tier: str | None = None
    organisation_id: int | None = None
    notes: str | None = Field(None, max_length=10_000)


class MergeCustomerIn(Schema):
    target_id: int


class OrganisationOut(Schema):
    id: int
    name: str
    nip: str
    tier: TierOut | None
    domain: str
    is_shared_tickets: bool
    notes: str
    created_at: datetime.datetime


class OrganisationIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    nip: str = Field("", max_length=20)
    tier: str | None = None
    domain: str = Field("", max_length=200)
    is_shared_tickets: bool = False
    notes: str = Field("", max_length=10_000)


class OrganisationUpdateIn(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    nip: str | None = Field(None, max_length=20)
    tier: str | None = None
    domain: str | None = Field(None, max_length=200)
    is_shared_tickets: bool | None = None
    notes: str | None = Field(None, max_length=10_000)


class CustomerMergeOut(Schema):
    """A merge of ``source`` into ``target``; ``undone_at`` once undone."""

    id: int
    source_id: int
    target_id: int
    acting_user_id: int | None
    created_at: datetime.datetime
    undone_at: datetime.datetime | None
