"""The portal WebSocket: only a signed-in customer connects, only to their own requests, and
hears of what they can see (public replies, status, who handles it), never of internal notes or
the agents' presence."""

import pytest
from channels.db import database_sync_to_async
from channels.testing.websocket import WebsocketCommunicator
from django.test import Client

from okienko.asgi import application
from okienko.testing.factories import make_agent, make_customer, make_ticket
from okienko.tickets.actions import (
    do_add_note,
    do_assign,
    do_change_priority,
    do_change_status,
    do_merge_tickets,
    do_reply,
)
from okienko.tickets.choices import Status
from tests.portal.conftest import signed_in_client
from tests.workspace.test_live import TIMEOUT, run

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ORIGIN = (b"origin", b"http://localhost")


def headers_of(client: Client) -> list[tuple[bytes, bytes]]:
    return [(b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()), ORIGIN]


def connect(headers):
    return WebsocketCommunicator(application, "/ws/portal/", headers=headers)


async def watching(headers, ticket_id: int) -> WebsocketCommunicator:
    """A connected page that asked to watch ``ticket_id``."""
    page = connect(headers)
    assert (await page.connect(timeout=TIMEOUT))[0]
    await page.send_json_to({"action": "watch", "ticket_id": ticket_id})
    return page


@pytest.fixture
def agent(db):
    return make_agent(name="Ola Nowicka")


@pytest.fixture
def strangers_ticket(db):
    stranger = make_customer(name="Jan Kowalski", email="jan.kowalski@poczta.example")
    return make_ticket(requester=stranger, subject="Cudza sprawa")


def test_only_a_signed_in_customer_may_connect(customer, agent):
    agent_client = Client()
    agent_client.force_login(agent)
    agents_headers = headers_of(agent_client)
    customers_headers = headers_of(signed_in_client(customer))

    async def scenario():
        anonymous = connect([ORIGIN])
        assert await anonymous.connect(timeout=TIMEOUT) == (False, 4401)
        # An agent's sign-in is not a customer's.
        as_agent = connect(agents_headers)
        assert await as_agent.connect(timeout=TIMEOUT) == (False, 4401)
        as_customer = connect(customers_headers)
        assert (await as_customer.connect(timeout=TIMEOUT))[0] is True
        await as_customer.disconnect()

    run(scenario)


def test_the_customer_hears_of_replies_and_status_but_not_of_notes_or_internal_fields(
    customer, agent
):
    ticket = make_ticket(requester=customer, subject="Pęknięty ekran")
    headers = headers_of(signed_in_client(customer))
    changed = {"kind": "changed", "ticket_id": ticket.pk}

    async def scenario():
        page = await watching(headers, ticket.pk)
        assert await page.receive_nothing(timeout=0.2)

        await database_sync_to_async(do_add_note)(
            ticket=ticket, text="Klient ma historię zwrotów.", acting_user=agent
        )
        await database_sync_to_async(do_change_priority)(
            ticket=ticket, priority="high", acting_user=agent
        )
        assert await page.receive_nothing(timeout=0.3)

        await database_sync_to_async(do_assign)(ticket=ticket, assignee=agent, acting_user=agent)
        # Assigning opens a new ticket: two changes the customer sees, each told.
        assert [await page.receive_json_from(timeout=TIMEOUT) for _ in range(2)] == [changed] * 2

        await database_sync_to_async(do_reply)(
            ticket=ticket, text="Wyślemy kuriera.", status=Status.PENDING, acting_user=agent
        )
        assert [await page.receive_json_from(timeout=TIMEOUT) for _ in range(2)] == [changed] * 2
        await page.disconnect()

    run(scenario)


def test_a_customer_cannot_listen_to_another_customers_request(customer, agent, strangers_ticket):
    headers = headers_of(signed_in_client(customer))

    async def scenario():
        page = await watching(headers, strangers_ticket.pk)
        assert await page.receive_json_from(timeout=TIMEOUT) == {
            "kind": "error",
            "reason": "no such request",
        }
        await database_sync_to_async(do_reply)(
            ticket=strangers_ticket, text="Odpowiedź dla Jana.", acting_user=agent
        )
        assert await page.receive_nothing(timeout=0.3)
        await page.send_json_to({"action": "watch", "ticket_id": "1 or 1=1"})
        assert (await page.receive_json_from(timeout=TIMEOUT))["kind"] == "error"
        await page.disconnect()

    run(scenario)


def test_a_request_merged_away_is_gone_and_heard_of_no_more(customer, agent, strangers_ticket):
    own = make_ticket(requester=customer, subject="Moja sprawa")
    headers = headers_of(signed_in_client(customer))

    async def scenario():
        page = await watching(headers, own.pk)
        await page.receive_nothing(timeout=0.2)
        await database_sync_to_async(do_merge_tickets)(
            source=own, target=strangers_ticket, acting_user=agent
        )
        assert await page.receive_json_from(timeout=TIMEOUT) == {
            "kind": "gone",
            "ticket_id": own.pk,
        }
        await database_sync_to_async(do_change_status)(
            ticket=strangers_ticket, status=Status.SOLVED, acting_user=agent
        )
        assert await page.receive_nothing(timeout=0.3)
        await page.disconnect()

    run(scenario)


def test_the_request_page_names_its_live_parts(customer, portal_client):
    ticket = make_ticket(requester=customer, subject="Pęknięty ekran")

    page = portal_client.get(f"/portal/requests/{ticket.pk}/").content.decode()

    assert f'<div id="request" data-ticket-id="{ticket.pk}">' in page
    assert 'id="thread" data-live-part' in page
    assert 'id="reply" data-live-part="open"' in page
    assert "/static/portal/live.js" in page
