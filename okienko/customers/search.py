"""Customers and organisations in search, for agents (the whole directory, as the API shows it).

A customer is found by name, e-mail address and phone number (typed with or without the
country code and spaces); an organisation by name, NIP (with or without dashes) and e-mail
domain. Notes are internal text.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from okienko.accounts.models import Agent
from okienko.customers.choices import IdentityKind
from okienko.customers.models import Customer, Identity, Organisation
from okienko.customers.selectors import visible_customers, visible_organisations
from okienko.search.registry import DocumentText, DocumentType, ResultSource, Searcher

POLISH_PREFIX = "+48"


def _customer(payload: dict[str, Any]) -> list[int]:
    return [payload["customer_id"]]


def _merged_customers(payload: dict[str, Any]) -> list[int]:
    return [payload["source_id"], payload["target_id"]]


def _organisation(payload: dict[str, Any]) -> list[int]:
    return [payload["organisation_id"]]


def _spellings(kind: str, address: str) -> list[str]:
    """How people type an address: a Polish number also without its country code."""
    if kind == IdentityKind.PHONE and address.startswith(POLISH_PREFIX):
        return [address, address.removeprefix(POLISH_PREFIX)]
    return [address]


def _addresses(customer_ids: Sequence[int]) -> dict[int, list[tuple[str, str]]]:
    addresses: dict[int, list[tuple[str, str]]] = {}
    rows = Identity.objects.filter(customer_id__in=customer_ids).order_by("customer_id", "kind")
    for customer_id, kind, address in rows.values_list("customer_id", "kind", "address"):
        addresses.setdefault(customer_id, []).append((kind, address))
    return addresses


class CustomerDocuments(DocumentType):
    name = "customer"
    label = _("Customer")
    events = {
        "customer.created": _customer,
        "customer.updated": _customer,
        "customer.deleted": _customer,
        # The source leaves the index: found customers are the ones still in use.
        "customer.merged": _merged_customers,
        "customer.unmerged": _merged_customers,
    }

    def objects(self) -> QuerySet[Customer]:
        return Customer.objects.filter(merged_into__isnull=True)

    def texts(self, object_ids: Sequence[int]) -> dict[int, DocumentText]:
        customers = self.objects().filter(pk__in=object_ids)
        addresses = _addresses(object_ids)
        return {
            pk: DocumentText(
                title=name,
                public=[
                    spelling
                    for kind, address in addresses.get(pk, [])
                    for spelling in _spellings(kind, address)
                ],
                internal=[notes],
                language_hint=language,
            )
            for pk, name, notes, language in customers.values_list(
                "pk", "name", "notes", "language"
            )
        }

    def visible(self, searcher: Searcher, filters: Mapping[str, str]) -> QuerySet[Any] | None:
        if not isinstance(searcher, Agent):
            return None
        return visible_customers(searcher).filter(merged_into__isnull=True).values("pk")

    def results(self, searcher: Searcher, object_ids: Sequence[int]) -> dict[int, ResultSource]:
        customers = Customer.objects.filter(pk__in=object_ids).select_related("organisation")
        addresses = _addresses(object_ids)
        results = {}
        for customer in customers:
            own = addresses.get(customer.pk, [])
            emails = [address for kind, address in own if kind == IdentityKind.EMAIL]
            results[customer.pk] = ResultSource(
                title=str(customer),
                details={
                    "email": emails[0] if emails else None,
                    "organisation": customer.organisation.name if customer.organisation else None,
                },
                texts=[" · ".join(address for _, address in own)],
            )
        return results


class OrganisationDocuments(DocumentType):
    name = "organisation"
    label = _("Organisation")
    events = {"organisation.created": _organisation, "organisation.updated": _organisation}

    def objects(self) -> QuerySet[Organisation]:
        return Organisation.objects.all()

    def texts(self, object_ids: Sequence[int]) -> dict[int, DocumentText]:
        organisations = Organisation.objects.filter(pk__in=object_ids)
        return {
            # A NIP typed with dashes is joined back into its digits by the query analysis.
            pk: DocumentText(title=name, public=[nip, domain], internal=[notes])
            for pk, name, nip, domain, notes in organisations.values_list(
                "pk", "name", "nip", "domain", "notes"
            )
        }

    def visible(self, searcher: Searcher, filters: Mapping[str, str]) -> QuerySet[Any] | None:
        if not isinstance(searcher, Agent):
            return None
        return visible_organisations(searcher).values("pk")

    def results(self, searcher: Searcher, object_ids: Sequence[int]) -> dict[int, ResultSource]:
        organisations = Organisation.objects.filter(pk__in=object_ids)
        return {
            organisation.pk: ResultSource(
                title=organisation.name,
                details={"nip": organisation.nip or None, "domain": organisation.domain or None},
                texts=[" · ".join(filter(None, [organisation.nip, organisation.domain]))],
            )
            for organisation in organisations
        }
