"""Customer and organisation pages: directory, profile with the conversation across channels,
editing, addresses, merging with an undo, and who may do what."""

import datetime

import pytest
from django.test import Client

from okienko.accounts.choices import Role
from okienko.customers.actions import do_create_organisation, do_merge_customers
from okienko.customers.models import Customer, CustomerMerge, Identity, Tier
from okienko.testing.factories import make_agent, make_consent, make_customer, make_ticket
from okienko.tickets.actions import do_add_note, do_reply
from okienko.tickets.choices import Channel
from okienko.tickets.models import TicketEvent


@pytest.fixture
def supervisor_client(db) -> Client:
    client = Client()
    client.force_login(make_agent(role=Role.SUPERVISOR))
    return client


@pytest.fixture
def anna(db):
    return make_customer(name="Anna Nowak", email="anna@poczta.example")


@pytest.mark.django_db
def test_the_directory_searches_by_name_or_address_and_hides_merged_customers(agent_client, anna):
    make_customer(name="Jan Kowalski", email="jan@poczta.example")
    duplicate = make_customer(name="Anna N.", email="anna.stara@poczta.example")
    do_merge_customers(source=duplicate, target=anna, acting_user=None)

    by_name = agent_client.get("/customers/?q=nowak")
    by_address = agent_client.get("/customers/?q=anna.stara")
    everyone = agent_client.get("/customers/")

    assert [customer.pk for customer in by_name.context["items"]] == [anna.pk]
    assert [customer.pk for customer in by_address.context["items"]] == [anna.pk]
    assert duplicate.pk not in [customer.pk for customer in everyone.context["items"]]


@pytest.mark.django_db
def test_the_profile_shows_the_conversation_across_channels_the_agent_may_see(
    agent_client, agent, orders_team, complaints_team, anna
):
    mail = make_ticket(requester=anna, team=orders_team, text="Paczka nie dotarła.")
    do_reply(ticket=mail, text="Sprawdzamy z kurierem.", acting_user=agent)
    phone = make_ticket(requester=anna, channel=Channel.PHONE, text="Dzwoniła w sprawie zwrotu.")
    do_add_note(ticket=phone, text="Oddzwonić jutro.", acting_user=agent)
    make_ticket(requester=anna, team=complaints_team, text="Reklamacja — nie dla tego agenta.")

    response = agent_client.get(f"/customers/{anna.pk}/")

    assert [message.text for message in response.context["timeline"]] == [
        "Oddzwonić jutro.",
        "Dzwoniła w sprawie zwrotu.",
        "Sprawdzamy z kurierem.",
        "Paczka nie dotarła.",
    ]
    assert [ticket.pk for ticket in response.context["tickets"]] == [phone.pk, mail.pk]
    assert "Reklamacja" not in response.content.decode()


@pytest.mark.django_db
def test_the_profile_shows_the_consent_in_force_and_every_answer_with_its_wording(
    agent_client, anna
):
    make_consent(
        anna,
        source_reference="conversation-7",
        at=datetime.datetime(2026, 11, 2, 9, 30, tzinfo=datetime.UTC),
    )
    make_consent(
        anna,
        is_given=False,
        source="phone",
        at=datetime.datetime(2026, 11, 20, 14, 0, tzinfo=datetime.UTC),
        acting_user=make_agent(name="Ola Nowak"),
    )

    page = agent_client.get(f"/customers/{anna.pk}/").content.decode()

    consents = page[page.index("Zgody") : page.index("Adresy")]
    assert "Zgoda marketingowa</dt><dd>wycofana 20.11.2026 15:00</dd>" in consents
    assert "udzielona 02.11.2026 10:30" in consents
    assert "chat conversation-7" in consents
    assert "zapisał(a) Ola Nowak" in consents
    assert "Zgadzam się na informacje marketingowe." in consents


@pytest.mark.django_db
@pytest.mark.parametrize("tickets", [1, 6])
def test_profile_queries_do_not_grow_with_tickets(
    agent_client, agent, anna, django_assert_max_num_queries, tickets
):
    for _ in range(tickets):
        ticket = make_ticket(requester=anna)
        do_reply(ticket=ticket, text="Odpowiedź", acting_user=agent)
    agent_client.get(f"/customers/{anna.pk}/")  # the first visit sets the agent online once

    # session and agent, presence, customer, identities, ticket ids, tickets, tags, timeline,
    # attachments, merges, consents, tiers, organisations, unread notifications
    with django_assert_max_num_queries(15):
        response = agent_client.get(f"/customers/{anna.pk}/")

    assert len(response.context["timeline"]) == 2 * tickets


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 12])
def test_directory_queries_do_not_grow_with_customers(
    agent_client, django_assert_max_num_queries, count
):
    organisation = do_create_organisation(name="Hurtownia", acting_user=None)
    for _ in range(count):
        make_customer(organisation=organisation)
    agent_client.get("/customers/")

    # session and agent, presence, customers, identities, unread notifications
    with django_assert_max_num_queries(6):
        response = agent_client.get("/customers/")

    assert len(response.context["items"]) == count


@pytest.mark.django_db
def test_an_agent_edits_a_customer(agent_client, anna):
    premium = Tier.objects.create(slug="premium-test", name="Premium")
    organisation = do_create_organisation(name="Hurtownia", acting_user=None)

    response = agent_client.post(
        f"/customers/{anna.pk}/edit/",
        {
            "name": "Anna Nowak-Kowalska",
            "language": "en",
            "tier": premium.pk,
            "organisation": organisation.pk,
            "notes": "Woli kontakt mailowy.",
        },
    )

    assert response.status_code == 302
    anna.refresh_from_db()
    assert (anna.name, anna.language, anna.tier, anna.organisation, anna.notes) == (
        "Anna Nowak-Kowalska",
        "en",
        premium,
        organisation,
        "Woli kontakt mailowy.",
    )


@pytest.mark.django_db
def test_addresses_are_added_normalised_removed_and_never_taken_from_another(agent_client, anna):
    make_customer(email="zajety@poczta.example")

    added = agent_client.post(
        f"/customers/{anna.pk}/identities/", {"kind": "phone", "address": "601 234 567"}
    )
    taken = agent_client.post(
        f"/customers/{anna.pk}/identities/", {"kind": "email", "address": "Zajety@poczta.example"}
    )

    assert added.status_code == 302
    assert taken.status_code == 422
    phone = Identity.objects.get(customer=anna, kind="phone")
    assert phone.address == "+48601234567"
    removed = agent_client.post(f"/customers/{anna.pk}/identities/{phone.pk}/delete/")
    assert removed.status_code == 302
    assert list(anna.identities.values_list("address", flat=True)) == ["anna@poczta.example"]


@pytest.mark.django_db
def test_an_address_of_another_customer_cannot_be_removed_through_this_one(agent_client, anna):
    other = make_customer(email="inna@poczta.example")
    identity = other.identities.get()

    response = agent_client.post(f"/customers/{anna.pk}/identities/{identity.pk}/delete/")

    assert response.status_code == 404
    assert Identity.objects.filter(pk=identity.pk).exists()


@pytest.mark.django_db
def test_an_organisation_is_edited_with_its_nip_checked(agent_client):
    organisation = do_create_organisation(name="Hurtownia", acting_user=None)

    wrong = agent_client.post(
        f"/organisations/{organisation.pk}/", {"name": "Hurtownia Ogrodnik", "nip": "1234567890"}
    )
    right = agent_client.post(
        f"/organisations/{organisation.pk}/",
        {"name": "Hurtownia Ogrodnik", "nip": "526-025-02-74", "is_shared_tickets": "on"},
    )

    assert wrong.status_code == 422
    assert wrong.context["form"].errors["nip"]
    assert right.status_code == 302
    organisation.refresh_from_db()
    assert (organisation.name, organisation.nip, organisation.is_shared_tickets) == (
        "Hurtownia Ogrodnik",
        "5260250274",
        True,
    )


@pytest.mark.django_db
def test_organisations_are_found_by_name_or_nip(agent_client):
    found = do_create_organisation(name="Hurtownia Ogrodnik", nip="5260250274", acting_user=None)
    do_create_organisation(name="Sklep Rowerowy", acting_user=None)

    by_nip = agent_client.get("/organisations/?q=526-025")
    by_name = agent_client.get("/organisations/?q=ogrod")

    assert [item.pk for item in by_nip.context["items"]] == [found.pk]
    assert [item.pk for item in by_name.context["items"]] == [found.pk]


@pytest.mark.django_db
def test_an_agent_may_not_merge_customers(agent_client, anna):
    duplicate = make_customer(email="anna.stara@poczta.example")

    response = agent_client.post(
        f"/customers/{anna.pk}/merge/", {"duplicate": "anna.stara@poczta.example"}
    )

    assert response.status_code == 403
    assert CustomerMerge.objects.count() == 0
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None


@pytest.mark.django_db
def test_a_supervisor_merges_a_duplicate_and_undoes_it(supervisor_client, anna):
    duplicate = make_customer(name="Anna N.", email="anna.stara@poczta.example")
    ticket = make_ticket(requester=duplicate, text="Pytanie z innego adresu.")

    merged = supervisor_client.post(
        f"/customers/{anna.pk}/merge/", {"duplicate": "Anna.Stara@poczta.example"}
    )
    merge = CustomerMerge.objects.get()
    profile = supervisor_client.get(f"/customers/{anna.pk}/")

    assert merged.status_code == 302
    assert ticket.pk in [item.pk for item in profile.context["tickets"]]
    assert profile.context["merges"] == [merge]

    undone = supervisor_client.post(f"/customers/merges/{merge.pk}/undo/")

    assert undone.status_code == 302
    assert undone["Location"] == f"/customers/{duplicate.pk}/"
    duplicate.refresh_from_db()
    ticket.refresh_from_db()
    merge.refresh_from_db()
    assert duplicate.merged_into is None
    assert ticket.requester == duplicate
    assert list(duplicate.identities.values_list("address", flat=True)) == [
        "anna.stara@poczta.example"
    ]
    assert merge.undone_at is not None
    assert list(
        TicketEvent.objects.filter(ticket=ticket, field="requester").values_list(
            "kind", "new_value"
        )
    ) == [
        ("requester_merged", {"id": anna.pk, "name": "Anna Nowak"}),
        ("field_changed", {"id": duplicate.pk, "name": "Anna N."}),
    ]
    again = supervisor_client.post(f"/customers/merges/{merge.pk}/undo/")
    assert again.status_code == 302
    assert CustomerMerge.objects.filter(undone_at__isnull=True).count() == 0


@pytest.mark.django_db
def test_merging_names_an_unknown_duplicate(supervisor_client, anna):
    response = supervisor_client.post(f"/customers/{anna.pk}/merge/", {"duplicate": "#999999"})

    assert response.status_code == 422
    assert Customer.objects.filter(merged_into__isnull=False).count() == 0
