"""The workspace WebSocket: who may connect, what each agent hears, presence on a ticket, and
messages handed over from other threads (a sync view, a Huey worker thread)."""

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing.websocket import WebsocketCommunicator
from django.test import Client

from okienko.accounts.choices import Role
from okienko.asgi import application
from okienko.core import realtime
from okienko.core.events import DomainEvent
from okienko.notifications.models import Notification
from okienko.testing.factories import make_agent, make_customer, make_ticket
from okienko.tickets.actions import do_add_customer_message, do_assign, do_change_priority
from okienko.tickets.models import Ticket
from okienko.workspace.live import announce_ticket_changes

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TIMEOUT = 3


def run(scenario):
    """Run an async scenario on a loop of its own thread: the browser tests of the same session
    keep Playwright's loop running in the main thread."""
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(asyncio.run, scenario()).result()


def session_headers(agent, origin: str = "http://localhost") -> list[tuple[bytes, bytes]]:
    client = Client()
    client.force_login(agent)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    return [(b"cookie", cookie.encode()), (b"origin", origin.encode())]


def connect(headers):
    return WebsocketCommunicator(application, "/ws/workspace/", headers=headers)


def test_only_a_signed_in_agent_from_our_own_pages_may_connect(ola):
    async def scenario():
        anonymous = connect([(b"origin", b"http://localhost")])
        connected, code = await anonymous.connect(timeout=TIMEOUT)
        assert (connected, code) == (False, 4401)

        foreign = connect(await database_sync_to_async(session_headers)(ola, "http://evil.example"))
        connected, _ = await foreign.connect(timeout=TIMEOUT)
        assert connected is False

        own = connect(await database_sync_to_async(session_headers)(ola))
        connected, _ = await own.connect(timeout=TIMEOUT)
        assert connected is True
        await own.disconnect()

    run(scenario)


def test_an_agent_hears_of_changes_to_the_tickets_they_may_see_and_no_others(
    ola, orders, complaints
):
    own = make_ticket(team=orders, subject="Nasze")
    foreign = make_ticket(team=complaints, subject="Cudze")
    headers = session_headers(ola)

    async def scenario():
        page = connect(headers)
        assert (await page.connect(timeout=TIMEOUT))[0]
        await database_sync_to_async(do_change_priority)(
            ticket=foreign, priority="high", acting_user=None
        )
        assert await page.receive_nothing(timeout=0.3)
        await database_sync_to_async(do_add_customer_message)(ticket=own, text="Halo?")
        assert await page.receive_json_from(timeout=TIMEOUT) == {
            "kind": "tickets",
            "ticket_ids": [own.pk],
        }
        await page.disconnect()

    run(scenario)


def test_supervisors_hear_of_every_ticket(complaints):
    supervisor = make_agent(role=Role.SUPERVISOR, name="Szefowa")
    ticket = make_ticket(team=complaints)
    headers = session_headers(supervisor)

    async def scenario():
        page = connect(headers)
        assert (await page.connect(timeout=TIMEOUT))[0]
        await database_sync_to_async(do_change_priority)(
            ticket=ticket, priority="low", acting_user=None
        )
        message = await page.receive_json_from(timeout=TIMEOUT)
        assert message == {"kind": "tickets", "ticket_ids": [ticket.pk]}
        await page.disconnect()

    run(scenario)


def test_agents_on_the_same_ticket_see_each_other_viewing_typing_and_leaving(ola, jan, orders):
    ticket = make_ticket(team=orders)
    ola_headers, jan_headers = session_headers(ola), session_headers(jan)

    async def scenario():
        ola_page, jan_page = connect(ola_headers), connect(jan_headers)
        assert (await ola_page.connect(timeout=TIMEOUT))[0]
        assert (await jan_page.connect(timeout=TIMEOUT))[0]
        await ola_page.send_json_to({"action": "watch", "ticket_id": ticket.pk})
        await ola_page.receive_nothing(timeout=0.2)
        await jan_page.send_json_to({"action": "watch", "ticket_id": ticket.pk})
        joined = await ola_page.receive_json_from(timeout=TIMEOUT)
        assert joined == {
            "kind": "presence",
            "agent_id": jan.pk,
            "name": "Jan Kowal",
            "state": "joined",
        }
        # The page already there answers, so the newcomer learns of it too.
        await ola_page.send_json_to({"action": "viewing"})
        viewing = await jan_page.receive_json_from(timeout=TIMEOUT)
        assert (viewing["name"], viewing["state"]) == ("Ola Nowicka", "viewing")
        await jan_page.send_json_to({"action": "typing"})
        typing = await ola_page.receive_json_from(timeout=TIMEOUT)
        assert (typing["name"], typing["state"]) == ("Jan Kowal", "typing")
        await jan_page.disconnect()
        left = await ola_page.receive_json_from(timeout=TIMEOUT)
        assert (left["agent_id"], left["state"]) == (jan.pk, "left")
        await ola_page.disconnect()

    run(scenario)


def test_watching_a_ticket_of_another_team_is_refused(ola, complaints):
    hidden = make_ticket(team=complaints)
    headers = session_headers(ola)

    async def scenario():
        page = connect(headers)
        assert (await page.connect(timeout=TIMEOUT))[0]
        for ticket_id in (hidden.pk, "1", None):
            await page.send_json_to({"action": "watch", "ticket_id": ticket_id})
            refused = await page.receive_json_from(timeout=TIMEOUT)
            assert refused == {"kind": "error", "reason": "no such ticket"}
        await page.send_json_to({"action": "typing"})  # watching nothing: said to nobody
        assert await page.receive_nothing(timeout=0.2)
        await page.disconnect()

    run(scenario)


def test_a_notification_reaches_the_agents_open_pages(ola, jan, orders):
    ticket = make_ticket(team=orders, subject="Zwrot butów", requester=make_customer())
    headers = session_headers(ola)

    async def scenario():
        page = connect(headers)
        assert (await page.connect(timeout=TIMEOUT))[0]
        await database_sync_to_async(do_assign)(ticket=ticket, assignee=ola, acting_user=jan)
        messages = [await page.receive_json_from(timeout=TIMEOUT) for _ in range(2)]
        await page.disconnect()
        return messages

    messages = run(scenario)
    notification = Notification.objects.get(agent=ola)
    assert {"kind": "tickets", "ticket_ids": [ticket.pk]} in messages
    [pushed] = [message for message in messages if message["kind"] == "notification"]
    assert pushed == {
        "kind": "notification",
        "id": notification.pk,
        "text": f"Jan Kowal przypisał(a) Ci #{ticket.pk} Zwrot butów",
        "url": f"/notifications/{notification.pk}/",
        "unread": 1,
    }


def test_a_worker_thread_hands_its_message_to_the_servers_event_loop(ola):
    """The in-memory layer lives on the server's loop; a Huey thread must not use its own."""
    headers = session_headers(ola)

    def from_worker_thread():
        worker = threading.Thread(
            target=realtime.send,
            args=(realtime.agent_group(ola.pk), {"type": "tickets.changed", "ticket_ids": [7]}),
        )
        worker.start()
        worker.join()

    async def scenario():
        page = connect(headers)
        assert (await page.connect(timeout=TIMEOUT))[0]
        from_worker_thread()
        assert await page.receive_json_from(timeout=TIMEOUT) == {
            "kind": "tickets",
            "ticket_ids": [7],
        }
        await page.disconnect()

    run(scenario)


def test_a_change_reaches_the_page_while_the_database_thread_is_busy(ola):
    """The consumers' database work shares one thread; a message for a page must not queue
    behind it (Channels sent every message through it first, to close stale connections)."""
    headers = session_headers(ola)
    release = threading.Event()

    async def scenario():
        page = connect(headers)
        assert (await page.connect(timeout=TIMEOUT))[0]
        busy = asyncio.create_task(sync_to_async(release.wait)())
        try:
            realtime.send(
                realtime.agent_group(ola.pk), {"type": "tickets.changed", "ticket_ids": [7]}
            )
            heard = await page.receive_json_from(timeout=TIMEOUT)
        finally:
            release.set()
            await busy
        await page.disconnect()
        return heard

    assert run(scenario) == {"kind": "tickets", "ticket_ids": [7]}


def test_an_sla_batch_reaches_each_audience_group_once_and_no_watcher_group(
    ola, orders, complaints, monkeypatch
):
    of_orders = [make_ticket(team=orders) for _ in range(3)]
    of_complaints = make_ticket(team=complaints, assignee=ola)
    sent: list[list[realtime.Message]] = []
    monkeypatch.setattr(realtime, "anyone_may_listen", lambda: True)
    monkeypatch.setattr(realtime, "send_all", sent.append)
    ids = sorted(ticket.pk for ticket in [*of_orders, of_complaints])

    announce_ticket_changes([DomainEvent("sla.warnings", {"ticket_ids": ids, "metric": "x"})])
    announce_ticket_changes([DomainEvent("ticket.updated", {"ticket_id": of_complaints.pk})])

    batch, single = ({group: m["ticket_ids"] for group, m in messages} for messages in sent)
    assert batch == {
        realtime.EVERY_TICKET: ids,
        realtime.team_group(orders.pk): sorted(ticket.pk for ticket in of_orders),
        realtime.team_group(complaints.pk): [of_complaints.pk],
        realtime.agent_group(ola.pk): [of_complaints.pk],
    }
    assert realtime.ticket_group(of_complaints.pk) in single


def test_a_batch_of_ticket_events_is_one_send_with_each_group_once(
    ola, orders, complaints, monkeypatch
):
    of_orders = [make_ticket(team=orders) for _ in range(2)]
    of_complaints = make_ticket(team=complaints, assignee=ola)
    sent: list[list[realtime.Message]] = []
    monkeypatch.setattr(realtime, "anyone_may_listen", lambda: True)
    monkeypatch.setattr(realtime, "send_all", sent.append)

    announce_ticket_changes(
        [
            _created(of_orders[0]),
            DomainEvent("ticket.message_added", {"ticket_id": of_orders[0].pk}),
            _created(of_orders[1]),
            DomainEvent("sla.warnings", {"ticket_ids": [of_complaints.pk], "metric": "x"}),
        ]
    )

    [messages] = sent
    assert {group: message["ticket_ids"] for group, message in messages} == {
        realtime.ticket_group(of_orders[0].pk): [of_orders[0].pk],
        realtime.ticket_group(of_orders[1].pk): [of_orders[1].pk],
        realtime.EVERY_TICKET: sorted([of_orders[0].pk, of_orders[1].pk, of_complaints.pk]),
        realtime.team_group(orders.pk): sorted(ticket.pk for ticket in of_orders),
        realtime.team_group(complaints.pk): [of_complaints.pk],
        realtime.agent_group(ola.pk): [of_complaints.pk],
    }


def _created(ticket) -> DomainEvent:
    return DomainEvent(
        "ticket.created",
        {"ticket_id": ticket.pk, "team_id": ticket.team_id, "assignee_id": ticket.assignee_id},
    )


def test_new_tickets_are_announced_to_the_audience_their_event_names_without_a_query(
    ola, orders, complaints, monkeypatch, django_assert_num_queries
):
    of_orders, of_complaints = make_ticket(team=orders), make_ticket(team=complaints, assignee=ola)
    sent: list[list[realtime.Message]] = []
    monkeypatch.setattr(realtime, "anyone_may_listen", lambda: True)
    monkeypatch.setattr(realtime, "send_all", sent.append)

    with django_assert_num_queries(0):
        announce_ticket_changes([_created(of_orders), _created(of_complaints)])

    [messages] = sent
    groups = {group: message["ticket_ids"] for group, message in messages}
    assert groups[realtime.team_group(orders.pk)] == [of_orders.pk]
    assert groups[realtime.agent_group(ola.pk)] == [of_complaints.pk]


def test_a_new_ticket_changed_again_in_the_same_batch_is_announced_to_its_audience_now(
    ola, orders, complaints, monkeypatch
):
    ticket = make_ticket(team=orders)
    created = _created(ticket)
    Ticket.objects.filter(pk=ticket.pk).update(team=complaints)
    sent: list[list[realtime.Message]] = []
    monkeypatch.setattr(realtime, "anyone_may_listen", lambda: True)
    monkeypatch.setattr(realtime, "send_all", sent.append)

    announce_ticket_changes(
        [created, DomainEvent("ticket.updated", {"ticket_id": ticket.pk, "field": "team"})]
    )

    [messages] = sent
    assert realtime.team_group(complaints.pk) in {group for group, _message in messages}
