import pytest

from okienko.accounts.choices import Role
from okienko.customers.models import Customer, CustomerMerge, Identity, Organisation
from okienko.testing.factories import (
    make_agent,
    make_consent,
    make_customer,
    make_ticket,
    make_token,
)
from tests.api.conftest import ApiClient, assert_problem

VALID_NIP = "5260250274"


@pytest.mark.django_db
def test_create_customer_with_identities(admin_api):
    response = admin_api.post(
        "/customers",
        {
            "name": "Zofia Wójcik",
            "language": "pl",
            "tier": "premium",
            "identities": [
                {"kind": "email", "address": "Zofia@Example.PL"},
                {"kind": "phone", "address": "601 234 567"},
            ],
        },
    )

    assert response.status_code == 201
    body = response.json()
    assert body["tier"]["slug"] == "premium"
    assert sorted((i["kind"], i["address"]) for i in body["identities"]) == [
        ("email", "zofia@example.pl"),
        ("phone", "+48601234567"),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"name": "X", "identities": [{"kind": "email", "address": "nope"}]}, 422),
        ({"name": "X", "identities": [{"kind": "fax", "address": "1"}]}, 422),
        ({"name": "X", "tier": "gold"}, 404),
        ({"name": "X", "organisation_id": 999999}, 404),
        ({"name": "X", "language": "de"}, 422),
    ],
)
def test_create_customer_rejects_bad_input(admin_api, payload, status):
    assert_problem(admin_api.post("/customers", payload), status)
    assert Customer.objects.count() == 0


@pytest.mark.django_db
def test_identity_of_another_customer_is_a_conflict(admin_api):
    make_customer(email="jan@example.pl")

    response = admin_api.post(
        "/customers",
        {
            "name": "Jan bis",
            "identities": [{"kind": "email", "address": "JAN@example.pl"}],
        },
    )

    assert_problem(response, 409)
    assert Customer.objects.count() == 1


@pytest.mark.django_db
def test_get_update_and_search_customers(admin_api):
    customer = make_customer(name="Grzegorz Szczęsny", email="grzegorz@example.pl")
    make_customer(name="Ktoś Inny")

    assert admin_api.get(f"/customers/{customer.pk}").json()["name"] == "Grzegorz Szczęsny"
    updated = admin_api.patch(
        f"/customers/{customer.pk}", {"tier": "business", "language": "en"}
    ).json()
    assert (updated["tier"]["slug"], updated["language"]) == ("business", "en")
    found = admin_api.get("/customers?q=grzegorz@").json()["items"]
    assert [c["id"] for c in found] == [customer.pk]
    assert_problem(admin_api.get("/customers/999999"), 404)
    assert_problem(admin_api.patch(f"/customers/{customer.pk}", {"tier": None}), 422)


@pytest.mark.django_db
def test_identities_endpoints(admin_api):
    customer = make_customer(email="ala@example.pl")

    added = admin_api.post(
        f"/customers/{customer.pk}/identities", {"kind": "telegram", "address": "ala_tg"}
    )
    listed = admin_api.get(f"/customers/{customer.pk}/identities").json()
    removed = admin_api.delete(f"/customers/{customer.pk}/identities/{added.json()['id']}")

    assert added.status_code == 201
    assert sorted(i["kind"] for i in listed) == ["email", "telegram"]
    assert removed.status_code == 204
    assert list(Identity.objects.filter(customer=customer).values_list("kind", flat=True)) == [
        "email"
    ]
    other = make_customer()
    other_identity = other.identities.get()
    path = f"/customers/{customer.pk}/identities/{other_identity.pk}"
    assert_problem(admin_api.delete(path), 404)
    assert Identity.objects.filter(pk=other_identity.pk).exists()


@pytest.mark.django_db
def test_consent_answers_are_listed_and_an_agent_records_one(admin_api, admin):
    customer = make_customer(email="ala@example.pl")
    given = make_consent(customer, source_reference="conversation-4")

    recorded = admin_api.post(
        f"/customers/{customer.pk}/consents",
        {"purpose": "marketing", "is_given": False, "source": "phone", "text": "ignored"},
    )
    listed = admin_api.get(f"/customers/{customer.pk}/consents").json()

    assert recorded.status_code == 201
    assert [
        (
            c["purpose"],
            c["is_given"],
            c["text"],
            c["source"],
            c["source_reference"],
            c["recorded_by"],
        )
        for c in listed
    ] == [
        ("marketing", False, "", "phone", "", admin.pk),
        ("marketing", True, given.text, "chat", "conversation-4", None),
    ]
    bad = admin_api.post(
        f"/customers/{customer.pk}/consents", {"purpose": "spam", "is_given": True, "source": "x"}
    )
    assert bad.status_code == 422
    assert_problem(
        admin_api.post(
            "/customers/999999/consents", {"purpose": "marketing", "is_given": True, "source": "x"}
        ),
        404,
    )
    assert customer.consents.count() == 2


@pytest.mark.django_db
def test_customer_tickets_across_channels(admin_api):
    customer = make_customer()
    by_mail = make_ticket(requester=customer, channel="email")
    by_phone = make_ticket(requester=customer, channel="phone")
    make_ticket()

    items = admin_api.get(f"/customers/{customer.pk}/tickets").json()["items"]

    assert [(t["id"], t["channel"]) for t in items] == [
        (by_phone.pk, "phone"),
        (by_mail.pk, "email"),
    ]


@pytest.mark.django_db
def test_delete_customer_rules(admin_api):
    lonely = make_customer()
    with_history = make_customer()
    make_ticket(requester=with_history)
    agent_api = ApiClient(make_token(make_agent(role=Role.AGENT)))

    assert_problem(agent_api.delete(f"/customers/{lonely.pk}"), 403)
    assert_problem(admin_api.delete(f"/customers/{with_history.pk}"), 409)
    assert admin_api.delete(f"/customers/{lonely.pk}").status_code == 204
    assert list(Customer.objects.values_list("pk", flat=True)) == [with_history.pk]


@pytest.mark.django_db
def test_merge_customers_endpoint(admin_api):
    source = make_customer(email="stary@example.pl")
    target = make_customer(email="nowy@example.pl")
    ticket = make_ticket(requester=source)

    body = admin_api.post(f"/customers/{source.pk}/merge", {"target_id": target.pk}).json()

    assert sorted(i["address"] for i in body["identities"]) == [
        "nowy@example.pl",
        "stary@example.pl",
    ]
    assert admin_api.get(f"/tickets/{ticket.pk}").json()["requester"]["id"] == target.pk
    assert CustomerMerge.objects.get().moved_ticket_ids == [ticket.pk]
    assert_problem(admin_api.post(f"/customers/{source.pk}/merge", {"target_id": target.pk}), 409)


@pytest.mark.django_db
def test_a_customer_merge_is_listed_and_undone(admin_api, admin):
    source = make_customer(email="stary@example.pl")
    target = make_customer(email="nowy@example.pl")
    ticket = make_ticket(requester=source)
    admin_api.post(f"/customers/{source.pk}/merge", {"target_id": target.pk})

    merges = admin_api.get(f"/customers/{target.pk}/merges").json()
    (merge,) = merges
    undone = admin_api.post(f"/customer-merges/{merge['id']}/undo")
    again = admin_api.post(f"/customer-merges/{merge['id']}/undo")

    assert (merge["source_id"], merge["target_id"], merge["acting_user_id"]) == (
        source.pk,
        target.pk,
        admin.pk,
    )
    assert merge["undone_at"] is None
    assert undone.status_code == 200
    assert (undone.json()["id"], undone.json()["merged_into"]) == (source.pk, None)
    assert [i["address"] for i in undone.json()["identities"]] == ["stary@example.pl"]
    assert admin_api.get(f"/tickets/{ticket.pk}").json()["requester"]["id"] == source.pk
    assert_problem(again, 409)
    assert admin_api.get(f"/customers/{target.pk}/merges").json() == []


@pytest.mark.django_db
def test_only_supervisors_and_admins_merge_and_undo_over_the_api(admin_api):
    agent_api = ApiClient(make_token(make_agent(role=Role.AGENT)))
    source = make_customer(email="stary@example.pl")
    target = make_customer(email="nowy@example.pl")

    refused_merge = agent_api.post(f"/customers/{source.pk}/merge", {"target_id": target.pk})
    assert_problem(refused_merge, 403)
    assert CustomerMerge.objects.count() == 0

    admin_api.post(f"/customers/{source.pk}/merge", {"target_id": target.pk})
    merge = CustomerMerge.objects.get()
    refused_undo = agent_api.post(f"/customer-merges/{merge.pk}/undo")

    assert_problem(refused_undo, 403)
    merge.refresh_from_db()
    assert merge.undone_at is None


@pytest.mark.django_db
def test_undoing_an_unknown_merge_is_not_found(admin_api):
    assert_problem(admin_api.post("/customer-merges/999999/undo"), 404)
    assert_problem(admin_api.get("/customers/999999/merges"), 404)


@pytest.mark.django_db
def test_organisations_crud(admin_api):
    created = admin_api.post(
        "/organisations",
        {"name": "Hurtownia Kowalski sp. z o.o.", "nip": "526-025-02-74", "tier": "business"},
    )
    organisation_id = created.json()["id"]
    customer = make_customer()
    admin_api.patch(f"/customers/{customer.pk}", {"organisation_id": organisation_id})

    assert created.status_code == 201
    assert created.json()["nip"] == VALID_NIP
    assert_problem(admin_api.post("/organisations", {"name": "Kopia", "nip": VALID_NIP}), 409)
    assert_problem(admin_api.post("/organisations", {"name": "Zły", "nip": "5260250275"}), 422)
    assert (
        admin_api.patch(f"/organisations/{organisation_id}", {"is_shared_tickets": True}).json()[
            "is_shared_tickets"
        ]
        is True
    )
    assert [o["id"] for o in admin_api.get("/organisations?q=hurtownia").json()] == [
        organisation_id
    ]
    members = admin_api.get(f"/organisations/{organisation_id}/customers").json()["items"]
    assert [c["id"] for c in members] == [customer.pk]
    assert_problem(admin_api.get("/organisations/999999"), 404)
    assert Organisation.objects.count() == 1


@pytest.mark.django_db
def test_customer_list_query_count(admin_api, django_assert_max_num_queries):
    for _ in range(15):
        make_customer()
    admin_api.get("/customers?limit=1")

    # token, customers with tier and organisation, prefetched identities
    with django_assert_max_num_queries(3):
        response = admin_api.get("/customers?limit=15")

    assert len(response.json()["items"]) == 15
