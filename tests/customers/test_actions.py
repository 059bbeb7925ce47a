"""Customer actions: identities, matching, merging, deleting and organisations."""

import datetime

import pytest
from django.utils import timezone

from okienko.accounts.choices import Role
from okienko.core.errors import Conflict, InvalidInput
from okienko.core.events import DomainEvent
from okienko.customers.actions import (
    IdentityInput,
    NewCustomer,
    do_add_identity,
    do_create_customer,
    do_create_customers_by_identity,
    do_create_organisation,
    do_delete_customer,
    do_delete_tier,
    do_get_or_create_customer_by_identity,
    do_merge_customers,
    do_save_tier,
    do_undo_customer_merge,
    do_update_organisation,
)
from okienko.customers.choices import IdentityKind
from okienko.customers.models import Customer, CustomerMerge, Identity, Organisation, Tier
from okienko.customers.selectors import consent_in_force
from okienko.testing.factories import make_agent, make_consent, make_customer, make_ticket
from okienko.tickets.actions import do_add_customer_message, do_save_view
from okienko.tickets.choices import AuthorKind, EventKind
from okienko.tickets.models import Message, Ticket, TicketEvent


def addresses_of(customer: Customer) -> list[tuple[str, str]]:
    return list(customer.identities.order_by("kind", "address").values_list("kind", "address"))


# Creating customers and matching identities


@pytest.mark.django_db
def test_create_customer_normalises_identities():
    customer = do_create_customer(
        name="  Jan Kowalski  ",
        identities=[
            IdentityInput(IdentityKind.EMAIL, " Jan.Kowalski@Poczta.Example "),
            IdentityInput(IdentityKind.PHONE, "601 234 567"),
            IdentityInput(IdentityKind.WHATSAPP, "0048 (601) 234-568"),
            IdentityInput(IdentityKind.TELEGRAM, "jan_k", is_verified=True),
        ],
        acting_user=None,
    )

    assert customer.name == "Jan Kowalski"
    assert customer.tier.slug == "consumer"
    assert addresses_of(customer) == [
        ("email", "jan.kowalski@poczta.example"),
        ("phone", "+48601234567"),
        ("telegram", "jan_k"),
        ("whatsapp", "+48601234568"),
    ]
    assert list(customer.identities.filter(is_verified=True).values_list("kind", flat=True)) == [
        "telegram"
    ]


@pytest.mark.django_db
def test_create_customer_publishes_customer_created(published, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        customer = make_customer()

    assert published == [DomainEvent("customer.created", {"customer_id": customer.pk})]


@pytest.mark.django_db
def test_identity_of_another_customer_conflicts_and_creates_no_customer():
    existing = make_customer(email="anna@poczta.example")

    with pytest.raises(Conflict):
        do_create_customer(
            name="Anna druga",
            identities=[
                IdentityInput(IdentityKind.PHONE, "+48 601 234 567"),
                IdentityInput(IdentityKind.EMAIL, "ANNA@poczta.example"),
            ],
            acting_user=None,
        )

    assert list(Customer.objects.values_list("id", flat=True)) == [existing.pk]
    assert list(Identity.objects.values_list("address", flat=True)) == ["anna@poczta.example"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "address"),
    [
        (IdentityKind.EMAIL, "to nie jest adres"),
        (IdentityKind.PHONE, "12-34"),
        (IdentityKind.TELEGRAM, "   "),
        ("fax", "+48 22 123 45 67"),
    ],
)
def test_invalid_identity_is_refused_and_creates_no_customer(kind, address):
    with pytest.raises(InvalidInput):
        do_create_customer(name="Ktoś", identities=[IdentityInput(kind, address)], acting_user=None)

    assert Customer.objects.count() == 0


@pytest.mark.django_db
def test_add_identity_that_belongs_to_someone_else_conflicts():
    make_customer(email="anna@poczta.example")
    other = make_customer(email="piotr@poczta.example")

    with pytest.raises(Conflict):
        do_add_identity(
            customer=other,
            identity=IdentityInput(IdentityKind.EMAIL, "Anna@Poczta.example"),
            acting_user=None,
        )

    assert addresses_of(other) == [("email", "piotr@poczta.example")]


@pytest.mark.django_db
def test_get_or_create_by_identity_matches_an_existing_customer_case_insensitively():
    existing = make_customer(email="anna@poczta.example")

    customer, created = do_get_or_create_customer_by_identity(
        kind=IdentityKind.EMAIL, address="  ANNA@Poczta.Example ", acting_user=None
    )

    assert (customer.pk, created) == (existing.pk, False)
    assert Customer.objects.count() == 1


@pytest.mark.django_db
def test_get_or_create_by_identity_creates_a_customer_once():
    first, first_created = do_get_or_create_customer_by_identity(
        kind=IdentityKind.PHONE, address="601-234-567", name="Dzwoniący", acting_user=None
    )
    second, second_created = do_get_or_create_customer_by_identity(
        kind=IdentityKind.PHONE, address="+48 601 234 567", acting_user=None
    )

    assert (first_created, second_created) == (True, False)
    assert second.pk == first.pk
    assert first.name == "Dzwoniący"
    assert Customer.objects.count() == 1
    assert addresses_of(first) == [("phone", "+48601234567")]


@pytest.mark.django_db
def test_get_or_create_by_identity_refuses_an_invalid_address():
    with pytest.raises(InvalidInput):
        do_get_or_create_customer_by_identity(
            kind=IdentityKind.EMAIL, address="anna(at)poczta", acting_user=None
        )

    assert Customer.objects.count() == 0


@pytest.mark.django_db
def test_customers_are_created_together_one_per_identity():
    created = do_create_customers_by_identity(
        [
            NewCustomer(IdentityKind.EMAIL, "Anna@Poczta.Example", "Anna"),
            NewCustomer(IdentityKind.EMAIL, "anna@poczta.example", "Anna Nowak"),
            NewCustomer(IdentityKind.PHONE, "601-234-567", "Dzwoniący"),
            NewCustomer(IdentityKind.EMAIL, "anna(at)poczta", "Zły adres"),
        ],
        acting_user=None,
    )

    anna = created[(IdentityKind.EMAIL, "Anna@Poczta.Example")]
    assert created[(IdentityKind.EMAIL, "anna@poczta.example")] == anna
    assert anna.name == "Anna"
    assert addresses_of(anna) == [("email", "anna@poczta.example")]
    caller = created[(IdentityKind.PHONE, "601-234-567")]
    assert addresses_of(caller) == [("phone", "+48601234567")]
    assert (IdentityKind.EMAIL, "anna(at)poczta") not in created
    assert Customer.objects.count() == 2


@pytest.mark.django_db
def test_customers_created_together_are_none_when_one_identity_is_taken():
    make_customer(email="piotr@poczta.example")

    created = do_create_customers_by_identity(
        [
            NewCustomer(IdentityKind.EMAIL, "nowa@poczta.example", "Nowa"),
            NewCustomer(IdentityKind.EMAIL, "piotr@poczta.example", "Piotr"),
        ],
        acting_user=None,
    )

    assert created == {}
    assert Customer.objects.count() == 1


# Merging customers


@pytest.mark.django_db
def test_merge_moves_identities_and_tickets_to_the_target():
    agent = make_agent()
    source = make_customer(name="Anna (stary adres)", email="anna.stara@poczta.example")
    target = make_customer(name="Anna Nowak", email="anna@poczta.example")
    first = make_ticket(requester=source)
    second = make_ticket(requester=source)
    own = make_ticket(requester=target)
    follow_up = do_add_customer_message(ticket=first, text="Czy są jakieś wieści?")

    merge = do_merge_customers(source=source, target=target, acting_user=agent)

    assert addresses_of(target) == [
        ("email", "anna.stara@poczta.example"),
        ("email", "anna@poczta.example"),
    ]
    assert addresses_of(source) == []
    assert sorted(Ticket.objects.filter(requester=target).values_list("id", flat=True)) == sorted(
        [first.pk, second.pk, own.pk]
    )
    assert Ticket.objects.filter(requester=source).count() == 0
    assert Message.objects.get(pk=follow_up.pk).author_customer_id == target.pk
    assert Message.objects.filter(author_customer=source).count() == 0
    assert Customer.objects.get(pk=source.pk).merged_into_id == target.pk
    assert source.merged_into_id == target.pk
    assert (merge.source_id, merge.target_id, merge.acting_user_id) == (
        source.pk,
        target.pk,
        agent.pk,
    )
    assert merge.moved_identity_ids == list(
        Identity.objects.filter(address="anna.stara@poczta.example").values_list("id", flat=True)
    )
    assert sorted(merge.moved_ticket_ids) == sorted([first.pk, second.pk])


@pytest.mark.django_db
def test_merge_records_requester_merged_on_each_moved_ticket():
    agent = make_agent()
    source = make_customer(name="Anna (stary adres)")
    target = make_customer(name="Anna Nowak")
    first = make_ticket(requester=source)
    second = make_ticket(requester=source)
    own = make_ticket(requester=target)

    do_merge_customers(source=source, target=target, acting_user=agent)

    merged_events = TicketEvent.objects.filter(kind=EventKind.REQUESTER_MERGED).order_by("ticket")
    assert list(
        merged_events.values_list(
            "ticket", "field", "old_value", "new_value", "actor_kind", "actor_agent"
        )
    ) == [
        (
            ticket.pk,
            "requester",
            {"id": source.pk, "name": "Anna (stary adres)"},
            {"id": target.pk, "name": "Anna Nowak"},
            AuthorKind.AGENT,
            agent.pk,
        )
        for ticket in sorted([first, second], key=lambda ticket: ticket.pk)
    ]
    assert own.events.filter(kind=EventKind.REQUESTER_MERGED).count() == 0


@pytest.mark.django_db
def test_merge_publishes_customer_merged_and_ticket_updates(
    published, django_capture_on_commit_callbacks
):
    source = make_customer()
    target = make_customer()
    ticket = make_ticket(requester=source)

    with django_capture_on_commit_callbacks(execute=True):
        do_merge_customers(source=source, target=target, acting_user=None)

    assert published == [
        DomainEvent("ticket.updated", {"ticket_id": ticket.pk, "field": "requester"}),
        DomainEvent("customer.merged", {"source_id": source.pk, "target_id": target.pk}),
    ]


@pytest.mark.django_db
def test_lookup_by_the_merged_customers_old_address_finds_the_target():
    source = make_customer(email="anna.stara@poczta.example")
    target = make_customer(email="anna@poczta.example")
    do_merge_customers(source=source, target=target, acting_user=None)

    customer, created = do_get_or_create_customer_by_identity(
        kind=IdentityKind.EMAIL, address="Anna.Stara@poczta.example", acting_user=None
    )

    assert (customer.pk, created) == (target.pk, False)
    assert Customer.objects.count() == 2


@pytest.mark.django_db
def test_customer_cannot_be_merged_twice():
    source = make_customer()
    target = make_customer()
    another = make_customer()
    do_merge_customers(source=source, target=target, acting_user=None)

    with pytest.raises(Conflict):
        do_merge_customers(source=source, target=another, acting_user=None)

    assert Customer.objects.get(pk=source.pk).merged_into_id == target.pk
    assert CustomerMerge.objects.count() == 1


@pytest.mark.django_db
def test_stale_copy_of_a_merged_customer_cannot_be_merged_again():
    source = make_customer()
    stale = Customer.objects.get(pk=source.pk)
    target = make_customer()
    another = make_customer(email="inny@poczta.example")
    ticket = make_ticket(requester=another)
    do_merge_customers(source=source, target=target, acting_user=None)

    with pytest.raises(Conflict):
        do_merge_customers(source=stale, target=another, acting_user=None)

    assert Customer.objects.get(pk=source.pk).merged_into_id == target.pk
    assert CustomerMerge.objects.count() == 1
    assert addresses_of(another) == [("email", "inny@poczta.example")]
    assert ticket.events.filter(kind=EventKind.REQUESTER_MERGED).count() == 0


@pytest.mark.django_db
def test_nothing_can_be_merged_into_a_merged_customer():
    source = make_customer()
    target = make_customer()
    another = make_customer(email="inny@poczta.example")
    do_merge_customers(source=source, target=target, acting_user=None)

    with pytest.raises(Conflict):
        do_merge_customers(source=another, target=source, acting_user=None)

    assert Customer.objects.get(pk=another.pk).merged_into_id is None
    assert addresses_of(another) == [("email", "inny@poczta.example")]


@pytest.mark.django_db
def test_customer_cannot_be_merged_into_itself():
    customer = make_customer()

    with pytest.raises(InvalidInput):
        do_merge_customers(source=customer, target=customer, acting_user=None)

    assert Customer.objects.get(pk=customer.pk).merged_into_id is None
    assert CustomerMerge.objects.count() == 0


# Deleting customers


@pytest.mark.django_db
def test_customer_with_tickets_cannot_be_deleted():
    supervisor = make_agent(role=Role.SUPERVISOR)
    customer = make_customer()
    make_ticket(requester=customer)

    with pytest.raises(Conflict):
        do_delete_customer(customer=customer, acting_user=supervisor)

    assert Customer.objects.filter(pk=customer.pk).exists()
    assert customer.identities.count() == 1


@pytest.mark.django_db
def test_customer_without_tickets_is_deleted_with_identities():
    supervisor = make_agent(role=Role.SUPERVISOR)
    customer = make_customer(email="usun@poczta.example")
    customer_id = customer.pk

    do_delete_customer(customer=customer, acting_user=supervisor)

    assert Customer.objects.filter(pk=customer_id).exists() is False
    assert Identity.objects.filter(address="usun@poczta.example").exists() is False


# Organisations


@pytest.mark.django_db
@pytest.mark.parametrize(
    "spelling",
    ["5260001246", "526-000-12-46", "PL 526-000-12-46", "pl5260001246", " 526 000 12 46 "],
)
def test_organisation_nip_is_normalised(spelling):
    organisation = do_create_organisation(
        name="  Sklep Sp. z o.o. ", nip=spelling, domain=" Sklep.Example ", acting_user=None
    )

    stored = Organisation.objects.get(pk=organisation.pk)
    assert (stored.name, stored.nip, stored.domain) == (
        "Sklep Sp. z o.o.",
        "5260001246",
        "sklep.example",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("nip", ["5260001247", "526000124", "52600012466", "PL52600O1246"])
def test_organisation_with_an_invalid_nip_is_refused(nip):
    with pytest.raises(InvalidInput) as raised:
        do_create_organisation(name="Sklep", nip=nip, acting_user=None)

    assert list(raised.value.errors) == ["nip"]
    assert Organisation.objects.count() == 0


@pytest.mark.django_db
def test_organisation_nip_is_unique_in_any_spelling():
    existing = do_create_organisation(name="Sklep", nip="5260001246", acting_user=None)

    with pytest.raises(Conflict):
        do_create_organisation(name="Sklep (duplikat)", nip="PL 526-000-12-46", acting_user=None)

    assert list(Organisation.objects.values_list("id", flat=True)) == [existing.pk]


@pytest.mark.django_db
def test_organisations_abroad_may_share_an_empty_nip():
    first = do_create_organisation(name="Shop GmbH", acting_user=None)
    second = do_create_organisation(name="Shop Ltd", nip="  ", acting_user=None)

    assert (first.nip, second.nip) == ("", "")
    assert Organisation.objects.count() == 2


@pytest.mark.django_db
def test_update_organisation_normalises_the_nip_and_refuses_a_duplicate():
    do_create_organisation(name="Sklep", nip="5260001246", acting_user=None)
    other = do_create_organisation(name="Hurtownia", acting_user=None)

    with pytest.raises(Conflict):
        do_update_organisation(
            organisation=other, changes={"nip": "526-000-12-46"}, acting_user=None
        )

    assert Organisation.objects.get(pk=other.pk).nip == ""


@pytest.mark.django_db
def test_update_organisation_refuses_an_unknown_field():
    organisation = do_create_organisation(name="Sklep", acting_user=None)

    with pytest.raises(InvalidInput):
        do_update_organisation(
            organisation=organisation,
            changes={"name": "Nowa nazwa", "created_at": None},
            acting_user=None,
        )

    assert Organisation.objects.get(pk=organisation.pk).name == "Sklep"


@pytest.mark.django_db
def test_update_organisation_stores_the_normalised_nip():
    organisation = do_create_organisation(name="Hurtownia", acting_user=None)

    do_update_organisation(
        organisation=organisation, changes={"nip": "PL 123-456-32-18"}, acting_user=None
    )

    assert Organisation.objects.get(pk=organisation.pk).nip == "1234563218"


@pytest.mark.django_db
def test_undoing_a_merge_gives_back_what_moved_and_nothing_else():
    agent = make_agent()
    source = make_customer(name="Anna (stary adres)", email="anna.stara@poczta.example")
    target = make_customer(name="Anna Nowak", email="anna@poczta.example")
    own = make_ticket(requester=target)
    moved = make_ticket(requester=source, text="Z bardzo starego adresu.")
    merge = do_merge_customers(source=source, target=target, acting_user=agent)
    later = make_ticket(requester=target)  # written after the merge: stays with the target

    returned = do_undo_customer_merge(merge=merge, acting_user=agent)

    assert returned == source
    source.refresh_from_db()
    assert source.merged_into is None
    assert dict(
        Ticket.objects.filter(pk__in=[own.pk, moved.pk, later.pk]).values_list("pk", "requester_id")
    ) == {
        own.pk: target.pk,
        moved.pk: source.pk,
        later.pk: target.pk,
    }
    assert Message.objects.get(ticket=moved).author_customer == source
    assert sorted(Identity.objects.filter(customer=source).values_list("address", flat=True)) == [
        "anna.stara@poczta.example"
    ]
    with pytest.raises(Conflict):
        do_undo_customer_merge(merge=merge, acting_user=agent)


@pytest.mark.django_db
def test_consent_answers_follow_a_merge_and_go_back_on_its_undo():
    source = make_customer(name="Anna (czat)")
    target = make_customer(name="Anna Nowak", email="anna@poczta.example")
    withdrawn = make_consent(
        target, is_given=False, source="phone", at=timezone.now() - datetime.timedelta(days=2)
    )
    given = make_consent(source, source_reference="conversation-1")

    merge = do_merge_customers(source=source, target=target, acting_user=None)
    merged_in_force = consent_in_force(target.pk)
    do_undo_customer_merge(merge=merge, acting_user=None)

    assert merge.moved_ids["consents"] == [given.pk]
    assert merged_in_force == given
    assert consent_in_force(target.pk) == withdrawn
    assert consent_in_force(source.pk) == given


@pytest.mark.django_db
def test_a_merge_is_not_undone_while_its_target_is_merged_further():
    first, second, third = make_customer(), make_customer(), make_customer()
    merge = do_merge_customers(source=first, target=second, acting_user=None)
    do_merge_customers(source=second, target=third, acting_user=None)

    with pytest.raises(Conflict):
        do_undo_customer_merge(merge=merge, acting_user=None)

    first.refresh_from_db()
    assert first.merged_into == second
    assert CustomerMerge.objects.filter(undone_at__isnull=False).count() == 0


@pytest.mark.django_db
def test_a_tier_in_use_goes_only_with_a_replacement_which_its_members_join(
    django_capture_on_commit_callbacks,
):
    gold = do_save_tier(tier=None, name="Złoty", slug="zloty", position=5, acting_user=None)
    silver = do_save_tier(tier=None, name="Srebrny", slug="srebrny", position=4, acting_user=None)
    customer = make_customer(tier=gold)
    organisation = do_create_organisation(name="Sklep Sp. z o.o.", tier=gold, acting_user=None)
    view = do_save_view(
        view=None,
        name="Złoci klienci",
        filters={"tier_id": gold.pk},
        audience="personal",
        acting_user=make_agent(),
    )

    with pytest.raises(Conflict) as refused:
        do_delete_tier(tier=gold, replacement=None, acting_user=None)
    assert refused.value.errors == {"replacement": ["required"]}

    with django_capture_on_commit_callbacks(execute=True):
        do_delete_tier(tier=gold, replacement=silver, acting_user=None)

    customer.refresh_from_db()
    view.refresh_from_db()
    assert view.filters == {"tier_id": silver.pk}
    organisation.refresh_from_db()
    assert (customer.tier, organisation.tier) == (silver, silver)
    assert not Tier.objects.filter(slug="zloty").exists()


@pytest.mark.django_db
def test_new_customers_get_the_default_tier_read_once_and_again_after_it_is_deleted(
    django_assert_num_queries, django_capture_on_commit_callbacks
):
    consumer = Tier.objects.get(slug="consumer")
    first = do_create_customer(name="Pierwsza", acting_user=None)
    with django_assert_num_queries(3):  # savepoint, the customer, release: no tier read
        second = do_create_customer(name="Druga", acting_user=None)

    assert first.tier_id == second.tier_id == consumer.pk

    business = Tier.objects.get(slug="business")
    with django_capture_on_commit_callbacks(execute=True):
        do_delete_tier(tier=consumer, replacement=business, acting_user=None)
    third = do_create_customer(name="Trzecia", acting_user=None)

    assert Customer.objects.get(pk=third.pk).tier in Tier.objects.all()
