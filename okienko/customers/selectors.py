"""Reads for customers and organisations; every agent may see the customer directory."""

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from okienko.accounts.models import Agent
from okienko.core.errors import NotFound
from okienko.customers.choices import ConsentPurpose, IdentityKind
from okienko.customers.models import (
    Consent,
    Customer,
    CustomerMerge,
    Identity,
    Organisation,
    Tier,
)
from okienko.customers.normalize import normalize_address


def visible_customers(user: Agent) -> QuerySet[Customer]:
    return Customer.objects.select_related("tier", "organisation").prefetch_related("identities")


def access_customer(user: Agent, customer_id: int) -> Customer:
    try:
        return visible_customers(user).get(pk=customer_id)
    except Customer.DoesNotExist as error:
        raise NotFound(f"Customer {customer_id} not found") from error


def access_identity(user: Agent, customer: Customer, identity_id: int) -> Identity:
    try:
        return Identity.objects.get(pk=identity_id, customer=customer)
    except Identity.DoesNotExist as error:
        raise NotFound(f"Identity {identity_id} not found") from error


def consent_in_force(customer_id: int, purpose: str = ConsentPurpose.MARKETING) -> Consent | None:
    """The customer's newest answer about ``purpose`` (given or withdrawn); None if they never
    answered."""
    return Consent.objects.filter(customer_id=customer_id, purpose=purpose).first()


@dataclass(frozen=True)
class ConsentRecord:
    """A customer's consent answers, newest first, and the marketing one in force."""

    history: list[Consent]

    @property
    def marketing(self) -> Consent | None:
        return next((c for c in self.history if c.purpose == ConsentPurpose.MARKETING), None)


def consent_record(customer: Customer) -> ConsentRecord:
    """Every consent answer the customer gave, newest first, with who recorded it (an agent,
    or nobody when the customer gave it themself); one query."""
    return ConsentRecord(history=list(customer.consents.select_related("recorded_by")))


def search_customers(user: Agent, query: str) -> QuerySet[Customer]:
    """Customers whose name or any identity contains ``query``."""
    matching = Identity.objects.filter(address__icontains=query.strip()).values("customer_id")
    return visible_customers(user).filter(Q(name__icontains=query) | Q(pk__in=matching))


def list_customers(
    user: Agent,
    *,
    query: str = "",
    organisation_id: int | None = None,
    tier_slug: str = "",
    before_id: int | None,
    limit: int,
) -> list[Customer]:
    """One page of customers, newest first, after the keyset cursor ``before_id``; customers
    merged into another are left out (their profile still opens, by number)."""
    customers = search_customers(user, query) if query.strip() else visible_customers(user)
    customers = customers.filter(merged_into__isnull=True)
    if organisation_id is not None:
        customers = customers.filter(organisation_id=organisation_id)
    if tier_slug:
        customers = customers.filter(tier__slug=tier_slug)
    if before_id is not None:
        customers = customers.filter(pk__lt=before_id)
    return list(customers.order_by("-id")[:limit])


def visible_organisations(user: Agent) -> QuerySet[Organisation]:
    return Organisation.objects.select_related("tier")


def access_organisation(user: Agent, organisation_id: int) -> Organisation:
    try:
        return visible_organisations(user).get(pk=organisation_id)
    except Organisation.DoesNotExist as error:
        raise NotFound(f"Organisation {organisation_id} not found") from error


def list_organisations(
    user: Agent, *, query: str = "", before_id: int | None, limit: int
) -> list[Organisation]:
    """One page of organisations by name (or NIP, or e-mail domain), newest first."""
    organisations = visible_organisations(user)
    if query := query.strip():
        digits = query.replace("-", "").replace(" ", "")
        matches = Q(name__icontains=query) | Q(domain__icontains=query)
        if digits.isdigit():
            matches |= Q(nip__startswith=digits)
        organisations = organisations.filter(matches)
    if before_id is not None:
        organisations = organisations.filter(pk__lt=before_id)
    return list(organisations.order_by("-id")[:limit])


def organisation_members(user: Agent, organisation: Organisation) -> QuerySet[Customer]:
    return visible_customers(user).filter(organisation=organisation, merged_into__isnull=True)


def can_merge_customers(user: Agent) -> bool:
    """Merging moves tickets between customers, some perhaps out of an agent's sight: only
    those who see every ticket (supervisors, admins) merge and undo."""
    return user.sees_all_tickets


def merges_of(user: Agent, customer: Customer) -> list[CustomerMerge]:
    """The merges in force that involve the customer (merged into it, or it into another),
    newest first: what its profile offers to undo."""
    return list(
        CustomerMerge.objects.filter(Q(target=customer) | Q(source=customer))
        .filter(undone_at__isnull=True)
        .select_related("source", "target", "acting_user")
        .order_by("-id")
    )


def access_customer_merge(user: Agent, merge_id: int) -> CustomerMerge:
    try:
        return CustomerMerge.objects.select_related("source", "target").get(pk=merge_id)
    except CustomerMerge.DoesNotExist as error:
        raise NotFound(f"Customer merge {merge_id} not found") from error


def tiers() -> QuerySet[Tier]:
    return Tier.objects.order_by("position", "name")


def tier_usage(tier: Tier) -> dict[str, int]:
    """Who is in a tier: customers and organisations."""
    return {
        "customers": Customer.objects.filter(tier=tier).count(),
        "organisations": Organisation.objects.filter(tier=tier).count(),
    }


def access_tier(user: Agent, tier_id: int) -> Tier:
    try:
        return Tier.objects.get(pk=tier_id)
    except Tier.DoesNotExist as error:
        raise NotFound(f"Tier {tier_id} not found") from error


def tier_by_slug(slug: str) -> Tier:
    try:
        return Tier.objects.get(slug=slug)
    except Tier.DoesNotExist as error:
        raise NotFound(f"Tier {slug!r} not found") from error


def email_addresses_of(customers: Sequence[Customer]) -> dict[int, str]:
    """Each customer's e-mail address (their first e-mail identity), by customer id."""
    identities = Identity.objects.filter(customer__in=customers, kind=IdentityKind.EMAIL).order_by(
        "-id"
    )
    # Ordered newest first so the oldest identity wins: it is the one they wrote from first.
    return {identity.customer_id: identity.address for identity in identities}


def customer_with_identity(kind: str, address: str) -> Customer | None:
    """Whose identity this is (followed to where the customer was merged); None when nobody's
    or when ``address`` cannot be an address of this kind."""
    return customers_with_identities([(kind, address)]).get((kind, address))


# Every new ticket from e-mail, chat, the portal or the API asks this. Raw SQL into one model
# costs a third of the CPU of the ORM's select_related query, which compiles its SQL anew on
# every call.
_CUSTOMERS_BY_IDENTITY_SQL = """
    SELECT customer.*, identity.kind AS identity_kind, identity.address AS identity_address
    FROM customers_identity identity
    JOIN customers_customer customer ON customer.id = identity.customer_id
    WHERE {conditions}
"""


def customers_with_identities(
    identities: Collection[tuple[str, str]],
) -> dict[tuple[str, str], Customer]:
    """``customer_with_identity`` for many (kind, address) pairs at once (a batch of inbound
    mail), keyed by the pairs as given; those nobody has are left out."""
    wanted: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for kind, address in identities:
        try:
            wanted[(kind, normalize_address(kind, address))].append((kind, address))
        except ValueError:
            continue
    if not wanted:
        return {}
    by_kind: dict[str, list[str]] = defaultdict(list)
    for kind, normalized in wanted:
        by_kind[kind].append(normalized)
    conditions, params = [], []
    for kind, addresses in by_kind.items():
        conditions.append(
            f"(identity.kind = %s AND identity.address IN ({', '.join(['%s'] * len(addresses))}))"
        )
        params += [kind, *addresses]
    # Only placeholders go into the SQL; the kinds and addresses are parameters.
    sql = _CUSTOMERS_BY_IDENTITY_SQL.format(conditions=" OR ".join(conditions))
    found = {}
    for match in Customer.objects.raw(sql, params):
        # The identity's columns ride along as the row's extra attributes.
        identity = vars(match)
        customer = _unmerged(match)
        for asked in wanted[(identity["identity_kind"], identity["identity_address"])]:
            found[asked] = customer
    return found


def _unmerged(customer: Customer) -> Customer:
    # A merged customer's identities moved to the target, but follow the chain all the same.
    while customer.merged_into_id is not None:
        customer = Customer.objects.select_related("tier").get(pk=customer.merged_into_id)
    return customer


def portal_customer(customer_id: int) -> Customer | None:
    """The customer signed in to the portal under ``customer_id``, followed to where they were
    merged; None when they are gone."""
    customer = (
        Customer.objects.select_related("tier", "organisation").filter(pk=customer_id).first()
    )
    return _unmerged(customer) if customer is not None else None
