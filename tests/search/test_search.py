import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from okienko.accounts.choices import Role
from okienko.customers.actions import (
    IdentityInput,
    do_add_identity,
    do_create_organisation,
    do_merge_customers,
    do_update_organisation,
)
from okienko.search.models import SearchDocument
from okienko.search.selectors import search
from okienko.testing.factories import make_agent, make_customer, make_team, make_ticket
from okienko.tickets.actions import do_add_note, do_change_status, do_change_subject, do_reply
from okienko.tickets.choices import Status
from okienko.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _found(searcher, query, **options):
    return [(hit.doc_type, hit.object_id) for hit in search(searcher, query, **options).hits]


def _tickets(searcher, query, **options):
    return [object_id for doc_type, object_id in _found(searcher, query, **options)]


@pytest.fixture
def admin():
    return make_agent(role=Role.ADMIN)


@pytest.fixture
def shop(indexed):
    """A few Polish and English tickets of the demo shop, indexed through their events."""
    parcel = indexed(
        make_ticket,
        subject="Brak przesyłki",
        text="Moje zamówienie nie dotarło, paczka miała być we wtorek.",
    )
    invoice = indexed(
        make_ticket,
        subject="Faktura VAT",
        text="Proszę o fakturę do zamówień z marca.",
    )
    turtle = indexed(
        make_ticket,
        subject="Uszkodzona zabawka",
        text="Pluszowy żółw przyszedł z rozdartym szwem.",
    )
    english = indexed(
        make_ticket,
        subject="Order not delivered",
        text="I ordered two boxes last week and nothing was delivered yet.",
        requester=make_customer(language="en"),
    )
    return {"parcel": parcel.pk, "invoice": invoice.pk, "turtle": turtle.pk, "en": english.pk}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # One inflected form finds the others.
        ("zamówieniem", {"parcel", "invoice"}),
        ("zamówienia", {"parcel", "invoice"}),
        ("paczki", {"parcel"}),
        ("faktury", {"invoice"}),
        ("przesyłką", {"parcel"}),
        # Diacritics and case do not matter.
        ("zolw", {"turtle"}),
        ("ŻÓŁWIA", {"turtle"}),
        ("PRZESYLKI", {"parcel"}),
        # Every word must match.
        ("zamówienie paczka", {"parcel"}),
        ("faktura marzec", {"invoice"}),
        # Misspelled.
        ("przesyłkka", {"parcel"}),
        ("fakture", {"invoice"}),
        ("zabawkka", {"turtle"}),
        # English.
        ("orders", {"en"}),
        ("box", {"en"}),
        ("delivery order", {"en"}),
        ("refund order", set()),
        ("deliverd", {"en"}),
        # As you type: the last word is a prefix.
        ("uszkodz", {"turtle"}),
        ("faktura mar", {"invoice"}),
    ],
)
def test_relevance(shop, admin, query, expected):
    assert set(_tickets(admin, query, doc_types=["ticket"])) == {shop[key] for key in expected}


def test_ticket_number_finds_the_ticket(shop, admin):
    assert _tickets(admin, f"#{shop['invoice']}", doc_types=["ticket"])[0] == shop["invoice"]


def test_subject_ranks_above_a_mention_in_the_text(indexed, admin):
    mention = indexed(make_ticket, subject="Pytanie", text="Czy reklamacja jest możliwa?")
    subject = indexed(make_ticket, subject="Reklamacja butów", text="Podeszwa odpadła.")

    assert _tickets(admin, "reklamacji") == [subject.pk, mention.pk]


def test_snippet_marks_the_matched_forms_and_escapes_the_rest(indexed, admin):
    ticket = indexed(
        make_ticket,
        subject="Zamówienie <b>pilne</b>",
        text="Wstęp. " * 40 + "Proszę o <script>alert(1)</script> zamówieniem & fakturą.",
    )

    (hit,) = search(admin, "zamówień").hits

    assert hit.object_id == ticket.pk
    assert hit.title_html == f"#{ticket.pk} <mark>Zamówienie</mark> &lt;b&gt;pilne&lt;/b&gt;"
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>zamówieniem</mark> &amp;" in (
        hit.snippet_html
    )
    assert hit.snippet_html.startswith("…")
    assert "<script>" not in hit.snippet_html


def test_misspelled_words_report_what_was_searched_instead(shop, admin):
    results = search(admin, "przesyłkka")

    assert results.corrections == {"przesyłkka": ["przesylka"]}


def test_status_filter(shop, admin, live):
    parcel = shop["parcel"]
    live(
        do_change_status,
        ticket=Ticket.objects.get(pk=parcel),
        status=Status.SOLVED,
        acting_user=admin,
    )

    assert _tickets(admin, "zamówienie", filters={"status": "solved"}) == [parcel]
    assert _tickets(admin, "zamówienie", filters={"status": "new"}) == [shop["invoice"]]


def test_an_agent_finds_only_tickets_of_their_teams_unassigned_to_them(indexed):
    returns, delivery = make_team(name="Zwroty"), make_team(name="Dostawy")
    returns_agent = make_agent(teams=[returns])
    delivery_agent = make_agent(teams=[delivery])
    supervisor = make_agent(role=Role.SUPERVISOR)
    ticket = indexed(make_ticket, subject="Zwrot kurtki", text="Chcę zwrócić kurtkę.", team=returns)

    assert _tickets(returns_agent, "kurtka") == [ticket.pk]
    assert _tickets(supervisor, "kurtka") == [ticket.pk]
    assert _tickets(delivery_agent, "kurtka") == []
    assert _tickets(delivery_agent, "kurtka", filters={"status": "new"}) == []


def test_internal_notes_are_found_by_agents_only(indexed, admin):
    customer = make_customer()
    ticket = indexed(make_ticket, subject="Zwrot", text="Odeślę buty.", requester=customer)
    indexed(do_add_note, ticket=ticket, text="Klient podejrzany o wyłudzenie.", acting_user=admin)

    assert _tickets(admin, "wyłudzenia") == [ticket.pk]
    assert _tickets(customer, "wyłudzenia") == []
    assert _tickets(customer, "buty") == [ticket.pk]
    (hit,) = search(customer, "buty").hits
    assert "wyłudzenie" not in hit.snippet_html


def test_a_customer_finds_only_their_own_tickets(indexed):
    mine, other = make_customer(), make_customer()
    ticket = indexed(make_ticket, subject="Kurtka za mała", requester=mine)
    indexed(make_ticket, subject="Kurtka za duża", requester=other)

    assert _tickets(mine, "kurtka") == [ticket.pk]
    assert _found(mine, "Klient") == []  # customers and organisations are for agents


def test_anonymous_visitors_find_no_tickets(shop):
    assert _found(None, "zamówienie") == []


def test_new_messages_and_subjects_are_indexed(indexed, admin):
    ticket = indexed(make_ticket, subject="Pytanie o rozmiar")
    assert _tickets(admin, "gwarancja") == []

    indexed(do_reply, ticket=ticket, text="Gwarancja obejmuje dwa lata.", acting_user=admin)
    indexed(do_change_subject, ticket=ticket, subject="Gwarancja na buty", acting_user=admin)

    assert _tickets(admin, "gwarancji") == [ticket.pk]
    assert _tickets(admin, "rozmiar") == []
    assert _tickets(admin, "buty") == [ticket.pk]


def test_customers_by_name_email_and_phone(indexed, admin):
    customer = indexed(make_customer, name="Zofia Wójcik", email="zofia.w@poczta.example")
    indexed(
        do_add_identity,
        customer=customer,
        identity=IdentityInput("phone", "601 234 567"),
        acting_user=admin,
    )
    expected = [("customer", customer.pk)]

    assert _found(admin, "Wójcik", doc_types=["customer"]) == expected
    assert _found(admin, "wojcikowa zofii", doc_types=["customer"]) == []
    assert _found(admin, "zofii", doc_types=["customer"]) == expected
    assert _found(admin, "zofia.w@poczta.example", doc_types=["customer"]) == expected
    assert _found(admin, "601 234 567", doc_types=["customer"]) == expected
    assert _found(admin, "+48601234567", doc_types=["customer"]) == expected
    assert _found(admin, "601234567", doc_types=["customer"]) == expected


def test_merged_customer_leaves_the_index(indexed, admin):
    source = indexed(make_customer, name="Marek Zieliński")
    target = indexed(make_customer, name="Marek Zielinski")

    indexed(do_merge_customers, source=source, target=target, acting_user=admin)

    assert _found(admin, "Zieliński", doc_types=["customer"]) == [("customer", target.pk)]


def test_organisations_by_name_and_nip(indexed, admin):
    organisation = indexed(
        do_create_organisation, name="Hurtownia Sportowa", nip="5260250274", acting_user=admin
    )
    expected = [("organisation", organisation.pk)]

    assert _found(admin, "hurtowni", doc_types=["organisation"]) == expected
    assert _found(admin, "526-025-02-74") == expected
    assert _found(admin, "5260250274") == expected

    indexed(
        do_update_organisation,
        organisation=organisation,
        changes={"name": "Sklep Rowerowy"},
        acting_user=admin,
    )
    assert _found(admin, "hurtowni") == []
    assert _found(admin, "rowerowego") == expected


def test_reindex_rebuilds_the_index_with_a_progress_bar(shop, admin):
    SearchDocument.objects.all().delete()
    assert _tickets(admin, "zamówienie") == []
    out, err = io.StringIO(), io.StringIO()

    call_command("search", "reindex", stdout=out, stderr=err)

    assert set(_tickets(admin, "zamówienie", doc_types=["ticket"])) == {
        shop["parcel"],
        shop["invoice"],
    }
    assert "ticket: 100%" in err.getvalue()
    assert out.getvalue().startswith("indexed ")
    assert SearchDocument.objects.filter(doc_type="ticket").count() == 4


def test_reindex_of_one_type_drops_objects_that_are_gone(shop, admin):
    SearchDocument.objects.create(
        doc_type="ticket",
        object_id=999_999,
        language="pl",
        title_terms="zamowienie",
        indexed_at=SearchDocument.objects.first().indexed_at,
    )

    with CaptureQueriesContext(connection) as captured:
        call_command("search", "reindex", "--type", "ticket", "--no-progress", stdout=io.StringIO())

    assert not SearchDocument.objects.filter(object_id=999_999).exists()
    # An anti-join: NOT IN over every ticket id is checked row by row once the ids outgrow
    # PostgreSQL's work_mem (hours at 1,000,000 tickets).
    [cleanup] = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].startswith("DELETE") and '"tickets_ticket"' in query["sql"]
    ]
    assert "NOT (EXISTS(" in cleanup
    assert " IN (SELECT" not in cleanup


def test_a_very_common_query_lists_the_newest_first(indexed, admin, monkeypatch):
    older = indexed(make_ticket, subject="Reklamacja butów", text="Podeszwa odpadła.")
    newer = indexed(make_ticket, subject="Pytanie", text="Czy reklamacja jest możliwa?")
    assert _tickets(admin, "reklamacja") == [older.pk, newer.pk]

    monkeypatch.setattr("okienko.search.backends.MAX_RANKED_MATCHES", 1)

    assert _tickets(admin, "reklamacja") == [newer.pk, older.pk]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL asks its planner how common a query is"
)
def test_a_query_the_planner_expects_very_common_lists_the_newest_first(
    indexed, admin, monkeypatch
):
    older = indexed(make_ticket, subject="Reklamacja butów", text="Podeszwa odpadła.")
    newer = indexed(make_ticket, subject="Pytanie", text="Czy reklamacja jest możliwa?")
    monkeypatch.setattr("okienko.search.backends.postgresql.VERY_COMMON_MATCHES", 1)
    monkeypatch.setattr("okienko.search.backends.postgresql.UNLISTED_MARGIN", 0)

    assert _tickets(admin, "reklamacja") == [newer.pk, older.pk]
    assert _tickets(admin, "podeszwa") == [older.pk]


def test_newest_first_reaches_past_matches_the_agent_may_not_see(indexed, monkeypatch):
    returns, delivery = make_team(name="Zwroty"), make_team(name="Dostawy")
    agent = make_agent(teams=[returns])
    own = indexed(make_ticket, subject="Reklamacja butów", team=returns)
    others = [indexed(make_ticket, subject="Reklamacja kurtki", team=delivery) for _ in range(3)]
    monkeypatch.setattr("okienko.search.backends.MAX_RANKED_MATCHES", 1)

    found = _tickets(agent, "reklamacja", doc_types=["ticket"])
    # A page of one: the three newest matches read first are all another team's, so the
    # matches are then checked in the statement.
    first_page = [hit.object_id for hit in search(agent, "reklamacja", limit=1).hits]

    assert found == [own.pk]
    assert first_page == [own.pk]
    assert _tickets(make_agent(teams=[delivery]), "reklamacja", doc_types=["ticket"]) == [
        ticket.pk for ticket in reversed(others)
    ]


@pytest.mark.postgres
def test_documents_keep_their_terms_out_of_the_table_rows():
    # A search reads its matches' rows for their type and id: terms inline made the table
    # outgrow the database's buffers (see migration search 0003). Where rows land on pages
    # depends on the free space earlier tests left, so the setting itself is what is checked.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reloptions FROM pg_class WHERE oid = 'search_searchdocument'::regclass"
        )
        (options,) = cursor.fetchone()

    assert "toast_tuple_target=128" in (options or [])
