"""REST endpoints of customers and organisations."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from okienko.accounts.models import Agent
from okienko.api.auth import acting_agent
from okienko.api.idempotency import run_idempotent
from okienko.api.pagination import DEFAULT_PAGE_SIZE, check_limit, decode_cursor, next_cursor
from okienko.core.errors import InvalidInput, PermissionDenied
from okienko.customers import actions
from okienko.customers.schemas import (
    ConsentIn,
    ConsentOut,
    CustomerCreateIn,
    CustomerMergeOut,
    CustomerOut,
    CustomerPage,
    CustomerUpdateIn,
    IdentityIn,
    IdentityOut,
    MergeCustomerIn,
    OrganisationIn,
    OrganisationOut,
    OrganisationUpdateIn,
)
from okienko.customers.selectors import (
    access_customer,
    access_customer_merge,
    access_identity,
    access_organisation,
    can_merge_customers,
    consent_record,
    list_customers,
    merges_of,
    tier_by_slug,
    visible_organisations,
)
from okienko.tickets.schemas import TicketPage
from okienko.tickets.selectors import TicketFilters, list_tickets

router = Router(tags=["customers"])


@router.get("/customers", response=CustomerPage, summary="List or search customers")
def list_customers_endpoint(
    request: HttpRequest,
    q: str = "",
    organisation: int | None = None,
    tier: str = "",
    cursor: str | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
) -> dict[str, Any]:
    check_limit(limit)
    customers = list_customers(
        acting_agent(request),
        query=q,
        organisation_id=organisation,
        tier_slug=tier,
        before_id=decode_cursor(cursor),
        limit=limit,
    )
    return {"items": customers, "next_cursor": next_cursor([c.pk for c in customers], limit)}


@router.post("/customers", response={201: CustomerOut}, summary="Create a customer")
def create_customer(request: HttpRequest, payload: CustomerCreateIn) -> HttpResponse:
    agent = acting_agent(request)

    def create() -> dict[str, Any]:
        customer = actions.do_create_customer(
            name=payload.name,
            language=payload.language,
            tier=tier_by_slug(payload.tier) if payload.tier else None,
            organisation=(
                access_organisation(agent, payload.organisation_id)
                if payload.organisation_id
                else None
            ),
            notes=payload.notes,
            identities=[
                actions.IdentityInput(i.kind, i.address, i.is_verified) for i in payload.identities
            ],
            acting_user=agent,
        )
        return CustomerOut.from_orm(access_customer(agent, customer.pk)).model_dump(mode="json")

    return run_idempotent(request, agent, create)


@router.get("/customers/{customer_id}", response=CustomerOut, summary="Get a customer")
def get_customer(request: HttpRequest, customer_id: int) -> Any:
    return access_customer(acting_agent(request), customer_id)


@router.patch("/customers/{customer_id}", response=CustomerOut, summary="Change a customer")
def update_customer(request: HttpRequest, customer_id: int, payload: CustomerUpdateIn) -> Any:
    agent = acting_agent(request)
    customer = access_customer(agent, customer_id)
    changes = payload.model_dump(exclude_unset=True)
    if "tier" in changes:
        if not changes["tier"]:
            raise InvalidInput("A customer always has a tier", errors={"tier": ["required"]})
        changes["tier"] = tier_by_slug(changes["tier"])
    if "organisation_id" in changes:
        organisation_id = changes.pop("organisation_id")
        changes["organisation"] = (
            access_organisation(agent, organisation_id) if organisation_id else None
        )
    actions.do_update_customer(customer=customer, changes=changes, acting_user=agent)
    return access_customer(agent, customer_id)


@router.delete("/customers/{customer_id}", response={204: None}, summary="Delete a customer")
def delete_customer(request: HttpRequest, customer_id: int) -> Status:
    agent = acting_agent(request)
    actions.do_delete_customer(customer=access_customer(agent, customer_id), acting_user=agent)
    return Status(204, None)


@router.get(
    "/customers/{customer_id}/identities",
    response=list[IdentityOut],
    summary="A customer's addresses",
)
def list_identities(request: HttpRequest, customer_id: int) -> Any:
    return access_customer(acting_agent(request), customer_id).identities.all()


@router.post(
    "/customers/{customer_id}/identities",
    response={201: IdentityOut},
    summary="Add an address to a customer",
)
def add_identity(request: HttpRequest, customer_id: int, payload: IdentityIn) -> Status:
    agent = acting_agent(request)
    identity = actions.do_add_identity(
        customer=access_customer(agent, customer_id),
        identity=actions.IdentityInput(payload.kind, payload.address, payload.is_verified),
        acting_user=agent,
    )
    return Status(201, identity)


@router.delete(
    "/customers/{customer_id}/identities/{identity_id}",
    response={204: None},
    summary="Remove an address from a customer",
)
def remove_identity(request: HttpRequest, customer_id: int, identity_id: int) -> Status:
    agent = acting_agent(request)
    customer = access_customer(agent, customer_id)
    actions.do_remove_identity(
        identity=access_identity(agent, customer, identity_id), acting_user=agent
    )
    return Status(204, None)


@router.get(
    "/customers/{customer_id}/consents",
    response=list[ConsentOut],
    summary="A customer's consent answers, newest first (the first of a purpose is in force)",
)
def list_consents(request: HttpRequest, customer_id: int) -> Any:
    return consent_record(access_customer(acting_agent(request), customer_id)).history


@router.post(
    "/customers/{customer_id}/consents",
    response={201: ConsentOut},
    summary="Record a consent answer the customer gave an agent",
)
def record_consent(request: HttpRequest, customer_id: int, payload: ConsentIn) -> Status:
    agent = acting_agent(request)
    consent = actions.do_record_consent(
        customer=access_customer(agent, customer_id),
        purpose=payload.purpose,
        is_given=payload.is_given,
        text=payload.text,
        source=payload.source.strip(),
        source_reference=payload.source_reference.strip(),
        acting_user=agent,
    )
    return Status(201, consent)


@router.get(
    "/customers/{customer_id}/tickets",
    response=TicketPage,
    summary="A customer's tickets across channels, newest first",
)
def customer_tickets(
    request: HttpRequest,
    customer_id: int,
    cursor: str | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
) -> dict[str, Any]:
    check_limit(limit)
    agent = acting_agent(request)
    customer = access_customer(agent, customer_id)
    tickets = list_tickets(
        agent, TicketFilters(requester_id=customer.pk), before_id=decode_cursor(cursor), limit=limit
    )
    return {"items": tickets, "next_cursor": next_cursor([t.pk for t in tickets], limit)}


@router.post(
    "/customers/{customer_id}/merge",
    response=CustomerOut,
    summary="Merge this customer into another; returns the target",
)
def merge_customer(request: HttpRequest, customer_id: int, payload: MergeCustomerIn) -> Any:
    agent = _merger(request)
    actions.do_merge_customers(
        source=access_customer(agent, customer_id),
        target=access_customer(agent, payload.target_id),
        acting_user=agent,
    )
    return access_customer(agent, payload.target_id)


def _merger(request: HttpRequest) -> Agent:
    agent = acting_agent(request)
    if not can_merge_customers(agent):
        raise PermissionDenied("Only supervisors and administrators merge customers")
    return agent


@router.get(
    "/customers/{customer_id}/merges",
    response=list[CustomerMergeOut],
    summary="Merges in force into or out of this customer, newest first (to undo one)",
)
def customer_merges(request: HttpRequest, customer_id: int) -> Any:
    agent = acting_agent(request)
    return merges_of(agent, access_customer(agent, customer_id))


@router.post(
    "/customer-merges/{merge_id}/undo",
    response=CustomerOut,
    summary="Undo a customer merge; returns the customer that is on its own again",
)
def undo_customer_merge(request: HttpRequest, merge_id: int) -> Any:
    agent = _merger(request)
    source = actions.do_undo_customer_merge(
        merge=access_customer_merge(agent, merge_id), acting_user=agent
    )
    return access_customer(agent, source.pk)


@router.get("/organisations", response=list[OrganisationOut], summary="List organisations")
def list_organisations(request: HttpRequest, q: str = "") -> Any:
    organisations = visible_organisations(acting_agent(request))
    return organisations.filter(name__icontains=q) if q else organisations


@router.post("/organisations", response={201: OrganisationOut}, summary="Create an organisation")
def create_organisation(request: HttpRequest, payload: OrganisationIn) -> HttpResponse:
    agent = acting_agent(request)

    def create() -> dict[str, Any]:
        organisation = actions.do_create_organisation(
            name=payload.name,
            nip=payload.nip,
            tier=tier_by_slug(payload.tier) if payload.tier else None,
            domain=payload.domain,
            is_shared_tickets=payload.is_shared_tickets,
            notes=payload.notes,
            acting_user=agent,
        )
        return OrganisationOut.from_orm(organisation).model_dump(mode="json")

    return run_idempotent(request, agent, create)


@router.get(
    "/organisations/{organisation_id}", response=OrganisationOut, summary="Get an organisation"
)
def get_organisation(request: HttpRequest, organisation_id: int) -> Any:
    return access_organisation(acting_agent(request), organisation_id)


@router.patch(
    "/organisations/{organisation_id}", response=OrganisationOut, summary="Change an organisation"
)
def update_organisation(
    request: HttpRequest, organisation_id: int, payload: OrganisationUpdateIn
) -> Any:
    agent = acting_agent(request)
    changes = payload.model_dump(exclude_unset=True)
    if "tier" in changes:
        changes["tier"] = tier_by_slug(changes["tier"]) if changes["tier"] else None
    return actions.do_update_organisation(
        organisation=access_organisation(agent, organisation_id),
        changes=changes,
        acting_user=agent,
    )


@router.get(
    "/organisations/{organisation_id}/customers",
    response=CustomerPage,
    summary="The organisation's customers",
)
def organisation_customers(
    request: HttpRequest,
    organisation_id: int,
    cursor: str | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
) -> dict[str, Any]:
    check_limit(limit)
    agent = acting_agent(request)
    organisation = access_organisation(agent, organisation_id)
    customers = list_customers(
        agent, organisation_id=organisation.pk, before_id=decode_cursor(cursor), limit=limit
    )
    return {"items": customers, "next_cursor": next_cursor([c.pk for c in customers], limit)}
