"""Writes for customers, their identities and organisations."""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from okienko.accounts.models import Agent
from okienko.core.errors import Conflict, InvalidInput, PermissionDenied
from okienko.core.events import publish_on_commit
from okienko.core.persistence import insert_rows
from okienko.core.reloaded import ReloadedOnChange
from okienko.customers.choices import DEFAULT_TIER_SLUG, DEFAULT_TIERS
from okienko.customers.models import (
    Consent,
    Customer,
    CustomerMerge,
    Identity,
    Organisation,
    Tier,
)
from okienko.customers.normalize import normalize_address, normalize_nip
from okienko.customers.selectors import customer_with_identity


@dataclass(frozen=True)
class IdentityInput:
    kind: str
    address: str
    is_verified: bool = False


# Other domains that point at customers (tickets, messages...) move their rows on a merge and
# return the ids they moved, so the merge record can tell what happened; on an undo they move
# those rows back.
MergeHandler = Callable[..., list[int]]
UndoMergeHandler = Callable[..., None]
_merge_handlers: dict[str, tuple[MergeHandler, UndoMergeHandler]] = {}


def register_merge_handler(name: str, handler: MergeHandler, undo: UndoMergeHandler) -> None:
    """Let another domain take part in customer merges; ``name`` keys the moved ids."""
    _merge_handlers[name] = (handler, undo)


def _normalized(kind: str, address: str) -> str:
    try:
        return normalize_address(kind, address)
    except ValueError as error:
        raise InvalidInput(str(error), errors={"address": [str(error)]}) from error


def _default_tier_now() -> Tier:
    """The tier new customers get; recreated if an admin removed every tier, so intake never
    stops for lack of one."""
    try:
        return Tier.objects.get(slug=DEFAULT_TIER_SLUG)
    except Tier.DoesNotExist:
        tier = Tier.objects.first()
    if tier is not None:
        return tier
    slug, name, position = next(t for t in DEFAULT_TIERS if t[0] == DEFAULT_TIER_SLUG)
    tier, _ = Tier.objects.get_or_create(slug=slug, defaults={"name": name, "position": position})
    return tier


def _tiers_version() -> object:
    return tuple(Tier.objects.values_list("pk", "slug"))


# Every new customer gets it: read once, not once per customer (see ``ReloadedOnChange``).
_default_tier = ReloadedOnChange(version=_tiers_version, load=_default_tier_now)


def default_tier() -> Tier:
    """The tier new customers get (see ``_default_tier_now``)."""
    return _default_tier.get()


def forget_default_tier() -> None:
    _default_tier.forget()


def do_create_customer(
    *,
    name: str,
    identities: Iterable[IdentityInput] = (),
    language: str = "pl",
    tier: Tier | None = None,
    organisation: Organisation | None = None,
    notes: str = "",
    acting_user: Agent | None,
) -> Customer:
    """Create a customer with identities; an identity that belongs to someone else conflicts."""
    normalized = [(i.kind, _normalized(i.kind, i.address), i.is_verified) for i in identities]
    try:
        with transaction.atomic():
            customer = Customer(
                name=name.strip(),
                language=language,
                tier=tier or default_tier(),
                organisation=organisation,
                notes=notes,
            )
            insert_rows([customer])
            insert_rows(
                [
                    Identity(customer=customer, kind=kind, address=address, is_verified=verified)
                    for kind, address, verified in normalized
                ]
            )
    except IntegrityError as error:
        raise Conflict("One of these identities already belongs to another customer") from error
    publish_on_commit("customer.created", customer_id=customer.pk)
    return customer


def do_get_or_create_customer_by_identity(
    *, kind: str, address: str, name: str = "", language: str = "pl", acting_user: Agent | None
) -> tuple[Customer, bool]:
    """Match an inbound contact to its customer by identity, creating one when unknown.

    Safe under concurrency: two requests for the same new address end with one customer.
    """
    normalized = _normalized(kind, address)
    existing = customer_with_identity(kind, normalized)
    if existing is not None:
        return existing, False
    try:
        customer = do_create_customer(
            name=name,
            identities=[IdentityInput(kind, normalized)],
            language=language,
            acting_user=acting_user,
        )
    except Conflict:
        existing = customer_with_identity(kind, normalized)
        if existing is None:
            raise
        return existing, False
    return customer, True


@dataclass(frozen=True)
class NewCustomer:
    """A customer to create with one identity: an inbound contact nobody has yet."""

    kind: str
    address: str
    name: str


def do_create_customers_by_identity(
    contacts: Iterable[NewCustomer], *, acting_user: Agent | None
) -> dict[tuple[str, str], Customer]:
    """Create a customer for each contact with one insert of customers and one of identities
    (the new senders of a batch of inbound mail), keyed by (kind, address as given).

    Left out: an address that cannot be of its kind, and all of them when one already belongs
    to somebody (another process made it meanwhile); the caller matches those one by one with
    ``do_get_or_create_customer_by_identity``.
    """
    wanted: dict[tuple[str, str], list[NewCustomer]] = defaultdict(list)
    for contact in contacts:
        try:
            wanted[(contact.kind, normalize_address(contact.kind, contact.address))].append(contact)
        except ValueError:
            continue
    if not wanted:
        return {}
    tier = default_tier()
    customers = [Customer(name=same[0].name.strip(), tier=tier) for same in wanted.values()]
    try:
        with transaction.atomic():
            insert_rows(customers)
            insert_rows(
                [
                    Identity(customer=customer, kind=kind, address=address)
                    for (kind, address), customer in zip(wanted, customers, strict=True)
                ]
            )
    except IntegrityError:
        return {}
    created = {}
    for same, customer in zip(wanted.values(), customers, strict=True):
        publish_on_commit("customer.created", customer_id=customer.pk)
        created.update({(contact.kind, contact.address): customer for contact in same})
    return created


def do_update_customer(
    *, customer: Customer, changes: dict[str, Any], acting_user: Agent | None
) -> Customer:
    """Change a customer's name, language, tier, organisation or notes."""
    allowed = {"name", "language", "tier", "organisation", "notes"}
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput(f"Cannot change {sorted(unknown)}")
    for field, value in changes.items():
        setattr(customer, field, value)
    customer.save(update_fields=[*changes, "updated_at"])
    publish_on_commit("customer.updated", customer_id=customer.pk, fields=sorted(changes))
    return customer


def do_add_identity(
    *, customer: Customer, identity: IdentityInput, acting_user: Agent | None
) -> Identity:
    """Attach another address to ``customer``."""
    address = _normalized(identity.kind, identity.address)
    try:
        with transaction.atomic():
            created = Identity.objects.create(
                customer=customer,
                kind=identity.kind,
                address=address,
                is_verified=identity.is_verified,
            )
    except IntegrityError as error:
        raise Conflict(f"{identity.kind} {address} already belongs to a customer") from error
    publish_on_commit("customer.updated", customer_id=customer.pk, fields=["identities"])
    return created


def do_verify_identity(*, kind: str, address: str, acting_user: Agent | None) -> bool:
    """Record that whoever holds the customer's address proved it (opened a link sent to it).
    False when nobody has the address or it was verified already."""
    identities = Identity.objects.filter(
        kind=kind, address=_normalized(kind, address), is_verified=False
    )
    customer_ids = list(identities.values_list("customer_id", flat=True))
    if not identities.update(is_verified=True):
        return False
    for customer_id in customer_ids:
        publish_on_commit("customer.updated", customer_id=customer_id, fields=["identities"])
    return True


def do_remove_identity(*, identity: Identity, acting_user: Agent | None) -> None:
    """Detach an address from its customer."""
    customer_id = identity.customer_id
    identity.delete()
    publish_on_commit("customer.updated", customer_id=customer_id, fields=["identities"])


def do_record_consent(
    *,
    customer: Customer,
    purpose: str,
    is_given: bool,
    text: str = "",
    source: str,
    source_reference: str = "",
    at: datetime.datetime | None = None,
    acting_user: Agent | None,
) -> Consent:
    """Record the customer's answer to a consent question (``purpose``): given, with the
    wording they were shown, or withdrawn; where (``source`` and its reference) and when. The
    answer is in force from now; earlier ones stay on record."""
    consent = Consent.objects.create(
        customer=customer,
        purpose=purpose,
        is_given=is_given,
        text=text.strip() if is_given else "",
        source=source,
        source_reference=source_reference,
        recorded_at=at or timezone.now(),
        recorded_by=acting_user,
    )
    publish_on_commit("customer.updated", customer_id=customer.pk, fields=["consents"])
    return consent


def do_move_consents(*, source: Customer, target: Customer, acting_user: Agent | None) -> list[int]:
    """Part of a customer merge: ``source``'s consent answers are ``target``'s (the newest of
    both in force). Returns the ids moved, kept on the merge record."""
    consent_ids = list(Consent.objects.filter(customer=source).values_list("id", flat=True))
    Consent.objects.filter(pk__in=consent_ids).update(customer=target)
    return consent_ids


def do_return_consents(
    *, source: Customer, target: Customer, moved_ids: Sequence[int], acting_user: Agent | None
) -> None:
    """Part of undoing a customer merge: the consent answers it moved are ``source``'s again."""
    Consent.objects.filter(pk__in=moved_ids, customer=target).update(customer=source)


def do_delete_customer(*, customer: Customer, acting_user: Agent | None) -> None:
    """Delete a customer who has no tickets; one with history must be erased under RODO."""
    if acting_user is not None and not acting_user.sees_all_tickets:
        raise PermissionDenied("Only supervisors and administrators delete customers")
    if customer.tickets.exists():
        raise Conflict("This customer has tickets; merge or erase the customer instead")
    customer_id = customer.pk
    customer.delete()
    publish_on_commit("customer.deleted", customer_id=customer_id)


@transaction.atomic
def do_merge_customers(
    *, source: Customer, target: Customer, acting_user: Agent | None
) -> CustomerMerge:
    """Merge ``source`` into ``target``: identities and history move, ``source`` is kept marked."""
    if source.pk == target.pk:
        raise InvalidInput("A customer cannot be merged into itself")
    if source.merged_into_id is not None or target.merged_into_id is not None:
        raise Conflict("One of these customers was already merged")
    moved_identity_ids = list(source.identities.values_list("id", flat=True))
    Identity.objects.filter(pk__in=moved_identity_ids).update(customer=target)
    moved: dict[str, list[int]] = {
        name: handler(source=source, target=target, acting_user=acting_user)
        for name, (handler, _undo) in _merge_handlers.items()
    }
    rows = Customer.objects.filter(pk=source.pk, merged_into__isnull=True).update(
        merged_into=target
    )
    if rows != 1:
        raise Conflict("The customer was merged meanwhile")
    source.merged_into = target
    merge = CustomerMerge.objects.create(
        source=source,
        target=target,
        moved_identity_ids=moved_identity_ids,
        moved_ids=moved,
        acting_user=acting_user,
    )
    publish_on_commit("customer.merged", source_id=source.pk, target_id=target.pk)
    return merge


@transaction.atomic
def do_undo_customer_merge(*, merge: CustomerMerge, acting_user: Agent | None) -> Customer:
    """Undo a merge from its record: the identities, tickets and other domains' rows that
    moved go back to the source, which is a customer of its own again. Returns the source."""
    source, target = merge.source, merge.target
    if Customer.objects.filter(pk=target.pk, merged_into__isnull=False).exists():
        raise Conflict("The target was merged into another customer since; undo that first")
    at = timezone.now()
    undone = CustomerMerge.objects.filter(pk=merge.pk, undone_at__isnull=True).update(
        undone_at=at, undone_by=acting_user
    )
    if undone != 1:
        raise Conflict("This merge was undone already")
    rows = Customer.objects.filter(pk=source.pk, merged_into=target).update(merged_into=None)
    if rows != 1:
        raise Conflict("The customer was changed meanwhile")
    source.merged_into = None
    merge.undone_at, merge.undone_by = at, acting_user
    # Only what is still where the merge put it: an identity removed since stays removed.
    Identity.objects.filter(pk__in=merge.moved_identity_ids, customer=target).update(
        customer=source
    )
    for name, (_handler, undo) in _merge_handlers.items():
        undo(
            source=source,
            target=target,
            moved_ids=merge.moved_ids.get(name, []),
            acting_user=acting_user,
        )
    publish_on_commit("customer.unmerged", source_id=source.pk, target_id=target.pk)
    return source


def do_save_tier(
    *, tier: Tier | None, name: str, slug: str = "", position: int, acting_user: Agent | None
) -> Tier:
    """Create a customer tier (``tier`` None) or rename and reorder one. The slug, which rules
    and SLA policies may name, is set once and unique."""
    name = name.strip()
    if not name:
        raise InvalidInput("A tier needs a name", errors={"name": ["empty"]})
    if tier is None:
        tier = Tier(slug=slug.strip().lower())
        if not tier.slug:
            raise InvalidInput("A tier needs a slug", errors={"slug": ["empty"]})
    tier.name, tier.position = name[:100], position
    _default_tier.forget_on_change()
    try:
        with transaction.atomic():
            tier.save()
    except IntegrityError as error:
        raise Conflict(
            f"A tier {tier.slug!r} already exists", errors={"slug": ["taken"]}
        ) from error
    return tier


@transaction.atomic
def do_delete_tier(*, tier: Tier, replacement: Tier | None, acting_user: Agent | None) -> None:
    """Remove a customer tier. Its customers and organisations move to ``replacement``; while
    any are in it and no replacement is chosen, it is refused (a customer always has a tier).
    Published as ``tier.deleted``: saved inbox views follow the replacement."""
    if replacement is not None and replacement.pk == tier.pk:
        raise InvalidInput(
            "Choose another tier to move the customers to", errors={"replacement": ["same"]}
        )
    customer_ids = list(Customer.objects.filter(tier=tier).values_list("id", flat=True))
    organisation_ids = list(Organisation.objects.filter(tier=tier).values_list("id", flat=True))
    if (customer_ids or organisation_ids) and replacement is None:
        raise Conflict(
            f"{len(customer_ids)} customers and {len(organisation_ids)} organisations are in "
            f"tier {tier.slug!r}; choose a tier to move them to",
            errors={"replacement": ["required"]},
        )
    Customer.objects.filter(pk__in=customer_ids).update(tier=replacement, updated_at=timezone.now())
    Organisation.objects.filter(pk__in=organisation_ids).update(tier=replacement)
    for customer_id in customer_ids:
        publish_on_commit("customer.updated", customer_id=customer_id, fields=["tier"])
    for organisation_id in organisation_ids:
        publish_on_commit("organisation.updated", organisation_id=organisation_id, fields=["tier"])
    publish_on_commit(
        "tier.deleted", tier_id=tier.pk, replacement_id=replacement.pk if replacement else None
    )
    _default_tier.forget_on_change()
    tier.delete()


def do_create_organisation(
    *,
    name: str,
    nip: str = "",
    tier: Tier | None = None,
    domain: str = "",
    is_shared_tickets: bool = False,
    notes: str = "",
    acting_user: Agent | None,
) -> Organisation:
    """Create an organisation; a NIP is checked (checksum) and must be unique."""
    organisation = Organisation(
        name=name.strip(),
        nip=_valid_nip(nip),
        tier=tier,
        domain=domain.strip().lower(),
        is_shared_tickets=is_shared_tickets,
        notes=notes,
    )
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError as error:
        raise Conflict(f"An organisation with NIP {organisation.nip} already exists") from error
    publish_on_commit("organisation.created", organisation_id=organisation.pk)
    return organisation


def do_update_organisation(
    *, organisation: Organisation, changes: dict[str, Any], acting_user: Agent | None
) -> Organisation:
    """Change an organisation's fields."""
    allowed = {"name", "nip", "tier", "domain", "is_shared_tickets", "notes"}
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput(f"Cannot change {sorted(unknown)}")
    if "nip" in changes:
        changes = {**changes, "nip": _valid_nip(changes["nip"])}
    for field, value in changes.items():
        setattr(organisation, field, value)
    try:
        with transaction.atomic():
            organisation.save(update_fields=list(changes))
    except IntegrityError as error:
        raise Conflict(f"An organisation with NIP {organisation.nip} already exists") from error
    publish_on_commit(
        "organisation.updated", organisation_id=organisation.pk, fields=sorted(changes)
    )
    return organisation


def _valid_nip(nip: str) -> str:
    if not nip.strip():
        return ""
    try:
        return normalize_nip(nip)
    except ValueError as error:
        raise InvalidInput(str(error), errors={"nip": [str(error)]}) from error
