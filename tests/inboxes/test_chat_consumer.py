"""The chat widget's WebSocket: who may connect, acknowledgements, resends and reconnects that
lose and double nothing, history for a returning visitor, live messages both ways, typing, read
state and limits."""

import asyncio
import base64
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from channels.db import database_sync_to_async
from channels.testing.websocket import WebsocketCommunicator
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from okienko.accounts.choices import Role
from okienko.ai.actions import do_set_inbox_bot
from okienko.asgi import application
from okienko.core.errors import InvalidInput
from okienko.customers.actions import do_undo_customer_merge
from okienko.customers.models import CustomerMerge
from okienko.inboxes import actions as inbox_actions
from okienko.inboxes.chat import actions as chat_actions
from okienko.inboxes.chat import consumers
from okienko.inboxes.chat.actions import (
    RecordedMessage,
    VisitorWrite,
    do_accept_chat,
    do_end_chat,
    do_receive_visitor_message,
    do_record_visitor_message,
    do_start_conversation,
)
from okienko.inboxes.chat.adapter import VisitorMessage
from okienko.inboxes.chat.selectors import conversation_of_ticket
from okienko.inboxes.models import ChatConversation, InboundItem
from okienko.inboxes.normalised import UnprocessableInbound
from okienko.inboxes.selectors import quarantined_items
from okienko.testing.factories import make_agent, make_chat_widget, make_customer
from okienko.tickets.actions import do_add_note, do_reply
from okienko.tickets.choices import EventKind
from okienko.tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Generous: the first pipeline job of a run loads the language tools, on a busy machine too.
TIMEOUT = 10
BOT_TIMEOUT = 30
SHOP = "https://sklep.example"
EMAIL_LINK = re.compile(r"/chat/verify/[\w-]+/")


def run(scenario):
    """Run an async scenario on a loop of its own thread (Playwright may hold the main one)."""
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(asyncio.run, scenario()).result()


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


@pytest.fixture
def ola(team):
    return make_agent(name="Ola Nowicka", teams=[team])


def visitor(widget, origin: str = SHOP, client_ip: str = "203.0.113.7") -> WebsocketCommunicator:
    socket = WebsocketCommunicator(
        application, f"/ws/chat/{widget.public_key}/", headers=[(b"origin", origin.encode())]
    )
    socket.scope["client"] = (client_ip, 50000)
    return socket


def agent_cookie(agent) -> bytes:
    client = Client()
    client.force_login(agent)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


def agent_page(cookie: bytes) -> WebsocketCommunicator:
    return WebsocketCommunicator(
        application,
        "/ws/workspace/",
        headers=[(b"cookie", cookie), (b"origin", b"http://localhost")],
    )


async def hello(widget, *, token=None, after=0, lang="pl", client_ip="203.0.113.7"):
    """A connected widget after its welcome."""
    socket = visitor(widget, client_ip=client_ip)
    connected, _code = await socket.connect(timeout=TIMEOUT)
    assert connected
    await socket.send_json_to({"type": "hello", "token": token, "after": after, "lang": lang})
    welcome = await socket.receive_json_from(timeout=TIMEOUT)
    assert welcome["type"] == "welcome"
    return socket, welcome


async def drain(socket) -> None:
    """Read whatever the server still sends (the echo of the visitor's own message)."""
    while not await socket.receive_nothing(timeout=0.3):
        await socket.receive_json_from(timeout=TIMEOUT)


async def receive_until(socket, kind: str, timeout: float = TIMEOUT) -> dict:
    while True:
        message = await socket.receive_json_from(timeout=timeout)
        if message["type"] == kind:
            return message


async def own_message(socket, cid: str) -> dict:
    """The visitor's message ``cid`` back from the pipeline, as the ticket message it became."""
    while True:
        message = await receive_until(socket, "message")
        if message["message"]["cid"] == cid:
            return message["message"]


async def receive_kinds(page, kinds: set[str]) -> list[dict]:
    """What an agent's page hears of these kinds until the server falls silent."""
    heard = []
    while not await page.receive_nothing(timeout=0.5):
        message = await page.receive_json_from(timeout=TIMEOUT)
        if message["kind"] in kinds:
            heard.append(message)
    return heard


async def open_chat(widget, cookie: bytes):
    """A visitor whose first message opened a ticket, and an agent's page watching it."""
    socket, _welcome = await hello(widget)
    await socket.send_json_to({"type": "message", "cid": "c-1", "text": "Halo?"})
    token = (await receive_until(socket, "token"))["token"]
    ack = await receive_until(socket, "ack")
    await drain(socket)
    ticket = await database_sync_to_async(Ticket.objects.get)()
    page = agent_page(cookie)
    assert (await page.connect(timeout=TIMEOUT))[0]
    await page.send_json_to({"action": "watch", "ticket_id": ticket.pk})
    await asyncio.sleep(0.3)  # the page joins the ticket's group
    await receive_kinds(page, {"tickets"})
    return socket, token, ack, page, ticket


def test_an_unknown_key_or_a_site_not_allowed_is_refused(widget):
    widget.allowed_origins = "https://sklep.example\n"
    widget.save(update_fields=["allowed_origins"])

    async def scenario():
        unknown = WebsocketCommunicator(
            application, "/ws/chat/nope/", headers=[(b"origin", SHOP.encode())]
        )
        assert (await unknown.connect(timeout=TIMEOUT)) == (False, 4404)
        assert (await visitor(widget, "https://evil.example").connect(timeout=TIMEOUT))[0] is False
        allowed = visitor(widget)
        assert (await allowed.connect(timeout=TIMEOUT))[0] is True
        await allowed.disconnect()

    run(scenario)


def test_the_welcome_carries_the_widget_in_the_visitor_language(widget):
    async def scenario():
        socket, welcome = await hello(widget, lang="en")
        await socket.disconnect()
        return welcome

    welcome = run(scenario)
    assert welcome["conversation"] == {"started": False, "ended": False, "read_by_agent": 0}
    assert welcome["messages"] == []
    assert welcome["config"]["colour"] == "#0b6e4f"
    assert welcome["config"]["text"]["send"] == "Send"
    assert welcome["config"]["text"]["title"] == "Czat sklepu"


def test_a_first_message_gets_a_token_and_an_acknowledgement(widget):
    async def scenario():
        socket, _welcome = await hello(widget)
        await socket.send_json_to({"type": "message", "cid": "c-1", "text": "Dzień dobry"})
        token = await socket.receive_json_from(timeout=TIMEOUT)
        ack = await receive_until(socket, "ack")
        await socket.disconnect()
        return token, ack

    token, ack = run(scenario)
    message = Message.objects.get()
    assert token["type"] == "token"
    assert ChatConversation.objects.get().ticket == message.ticket
    assert (ack["cid"], ack["id"]) == ("c-1", message.pk)
    assert ack["message"]["text"] == "Dzień dobry"
    assert ack["message"]["author"] == "customer"


def test_a_resend_after_a_lost_acknowledgement_is_acknowledged_again_and_kept_once(widget):
    async def scenario():
        socket, _welcome = await hello(widget)
        await socket.send_json_to({"type": "message", "cid": "c-1", "text": "Halo?"})
        token = (await receive_until(socket, "token"))["token"]
        first = await receive_until(socket, "ack")
        # The connection drops before the widget saw anything more; it reconnects and resends.
        await socket.disconnect()
        again, welcome = await hello(widget, token=token, after=0)
        await again.send_json_to({"type": "message", "cid": "c-1", "text": "Halo?"})
        second = await receive_until(again, "ack")
        await again.disconnect()
        return first, second, welcome

    first, second, welcome = run(scenario)
    assert second["id"] == first["id"]
    assert [m["id"] for m in welcome["messages"]] == [first["id"]]
    assert Message.objects.count() == 1
    assert InboundItem.objects.count() == 1


def test_a_returning_visitor_gets_their_history_and_what_they_missed(widget, ola):
    async def scenario():
        socket, _welcome = await hello(widget)
        await socket.send_json_to({"type": "message", "cid": "c-1", "text": "Gdzie paczka?"})
        token = (await receive_until(socket, "token"))["token"]
        ack = await receive_until(socket, "ack")
        await socket.disconnect()
        return token, ack["id"]

    token, first_id = run(scenario)
    ticket = Ticket.objects.get()
    reply = do_reply(ticket=ticket, text="Paczka jest w drodze.", acting_user=ola)
    do_add_note(ticket=ticket, text="Notatka tylko dla nas", acting_user=ola)

    async def back():
        socket, everything = await hello(widget, token=token)
        await socket.disconnect()
        resumed, missed = await hello(widget, token=token, after=first_id)
        await resumed.disconnect()
        return everything, missed

    everything, missed = run(back)
    assert [m["text"] for m in everything["messages"]] == ["Gdzie paczka?", "Paczka jest w drodze."]
    assert everything["conversation"]["started"] is True
    assert [m["id"] for m in missed["messages"]] == [reply.pk]
    assert missed["messages"][0]["name"] == "Ola"


def test_another_visitor_token_sees_nothing_of_the_conversation(widget):
    async def scenario():
        socket, _welcome = await hello(widget)
        await socket.send_json_to({"type": "message", "cid": "c-1", "text": "Moje dane"})
        await receive_until(socket, "ack")
        await socket.disconnect()
        stranger, welcome = await hello(widget, token="guessed-token")
        await stranger.disconnect()
        return welcome

    welcome = run(scenario)
    assert welcome["messages"] == []
    assert welcome["conversation"]["started"] is False


def test_agent_and_visitor_talk_live_with_typing_and_read_state(widget, ola):
    cookie = agent_cookie(ola)

    async def scenario():
        socket, _welcome = await hello(widget)
        await socket.send_json_to({"type": "message", "cid": "c-1", "text": "Halo?"})
        await receive_until(socket, "ack")
        ticket = await database_sync_to_async(Ticket.objects.get)()
        conversation = await database_sync_to_async(conversation_of_ticket)(ticket.pk)

        page = agent_page(cookie)
        assert (await page.connect(timeout=TIMEOUT))[0]
        await page.send_json_to({"action": "watch", "ticket_id": ticket.pk})
        await asyncio.sleep(0.3)  # the page joins the ticket's group
        await socket.send_json_to({"type": "typing", "active": True})
        assert await page.receive_json_from(timeout=TIMEOUT) == {
            "kind": "customer_typing",
            "active": True,
        }

        await page.send_json_to({"action": "typing"})
        typing = await receive_until(socket, "typing")

        await database_sync_to_async(do_accept_chat)(conversation=conversation, acting_user=ola)
        joined = await receive_until(socket, "message")
        reply = await database_sync_to_async(do_reply)(
            ticket=conversation.ticket, text="Dzień dobry, już sprawdzam.", acting_user=ola
        )
        answer = await receive_until(socket, "message")

        await socket.send_json_to({"type": "read", "up_to": reply.pk})
        await asyncio.sleep(0.2)
        await database_sync_to_async(do_end_chat)(conversation=conversation, acting_user=ola)
        ended = await receive_until(socket, "ended")
        await page.disconnect()
        await socket.disconnect()
        return typing, joined, answer, ended, conversation

    typing, joined, answer, ended, conversation = run(scenario)
    assert typing == {"type": "typing", "active": True, "name": "Ola"}
    assert joined["message"]["author"] == "system"
    assert (answer["message"]["author"], answer["message"]["text"]) == (
        "agent",
        "Dzień dobry, już sprawdzam.",
    )
    assert ended == {"type": "ended"}
    conversation.refresh_from_db()
    assert conversation.visitor_read_up_to == answer["message"]["id"]


def test_internal_notes_never_reach_the_visitor(widget, ola):
    async def scenario():
        socket, _welcome = await hello(widget)
        await socket.send_json_to({"type": "message", "cid": "c-1", "text": "Halo?"})
        await receive_until(socket, "ack")
        await drain(socket)
        ticket = await database_sync_to_async(Ticket.objects.get)()
        await database_sync_to_async(do_add_note)(ticket=ticket, text="Tajne", acting_user=ola)
        nothing = await socket.receive_nothing(timeout=0.5)
        await socket.disconnect()
        return nothing

    assert run(scenario) is True


def test_photos_travel_in_the_message_and_come_back_as_links(widget):
    photo = base64.b64encode(b"\x89PNG\r\n\x1a\n fake").decode()

    async def scenario():
        socket, _welcome = await hello(widget)
        await socket.send_json_to(
            {
                "type": "message",
                "cid": "c-1",
                "text": "",
                "files": [{"name": "paczka.png", "type": "image/png", "data": photo}],
            }
        )
        ack = await receive_until(socket, "ack")
        await socket.disconnect()
        return ack

    ack = run(scenario)
    [file] = ack["message"]["files"]
    assert (file["name"], file["image"]) == ("paczka.png", True)
    response = Client().get(file["url"])
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert Client().get(file["url"].replace("/files/", "/files/x")).status_code == 404


def test_too_long_and_too_many_messages_are_refused_with_a_reason(widget, settings):
    # The refused long message counts too: three in all.
    settings.CHAT_MESSAGES_PER_VISITOR = 3

    async def scenario():
        socket, _welcome = await hello(widget)
        await socket.send_json_to({"type": "message", "cid": "c-0", "text": "x" * 5000})
        too_long = await receive_until(socket, "error")
        for number in (1, 2):
            await socket.send_json_to({"type": "message", "cid": f"c-{number}", "text": "Hej"})
            await receive_until(socket, "ack")
        await socket.send_json_to({"type": "message", "cid": "c-3", "text": "Hej"})
        too_many = await receive_until(socket, "error")
        await own_message(socket, "c-2")
        await socket.disconnect()
        return too_long, too_many

    too_long, too_many = run(scenario)
    assert (too_long["cid"], too_long["code"]) == ("c-0", "invalid")
    assert (too_many["cid"], too_many["code"]) == ("c-3", "rate_limited")
    assert Message.objects.count() == 2


def test_agents_of_the_team_get_a_cue_when_a_new_chat_waits(widget, ola):
    cookie = agent_cookie(ola)

    async def scenario():
        page = agent_page(cookie)
        assert (await page.connect(timeout=TIMEOUT))[0]
        socket, _welcome = await hello(widget)
        await socket.send_json_to({"type": "message", "cid": "c-1", "text": "Czy jest ktoś?"})
        await receive_until(socket, "ack")
        heard = []
        while not await page.receive_nothing(timeout=0.5):
            heard.append(await page.receive_json_from(timeout=TIMEOUT))
        await page.disconnect()
        await socket.disconnect()
        return heard

    heard = run(scenario)
    ticket = Ticket.objects.get()
    cues = [message for message in heard if message["kind"] == "chat_waiting"]
    assert cues == [
        {
            "kind": "chat_waiting",
            "ticket_id": ticket.pk,
            "subject": "Czat czeka na agenta: Czy jest ktoś?",
            "url": f"/tickets/{ticket.pk}/",
        }
    ]


@pytest.fixture
def bot_widget(team, ola, returns_article):
    """A chat whose bot answers first from a one-article help center."""
    widget = make_chat_widget(name="Czat z botem", team=team)
    do_set_inbox_bot(inbox=widget.inbox, is_enabled=True, hand_off_team=team)
    return widget


def test_talk_to_a_human_before_writing_hands_the_chat_over(bot_widget, tasks_run_at_once):
    async def scenario():
        socket, welcome = await hello(bot_widget)
        await socket.send_json_to(
            {"type": "human", "cid": "c-1", "text": "Chcę porozmawiać z człowiekiem."}
        )
        ack = await receive_until(socket, "ack")
        handed = await receive_until(socket, "handed_off")
        bot_says = await receive_until(socket, "message", BOT_TIMEOUT)
        while bot_says["message"]["author"] != "bot":
            bot_says = await receive_until(socket, "message", BOT_TIMEOUT)
        await socket.disconnect()
        return welcome, ack, handed, bot_says

    welcome, ack, handed, bot_says = run(scenario)
    ticket = Ticket.objects.get()
    assert welcome["config"]["human"] is True
    assert ack["message"]["text"] == "Chcę porozmawiać z człowiekiem."
    assert handed == {"type": "handed_off"}
    assert "osob" in bot_says["message"]["text"]
    assert ticket.events.filter(kind=EventKind.HANDED_OFF).count() == 1


def test_did_this_help_no_from_the_widget_hands_the_chat_over(bot_widget, tasks_run_at_once):
    async def scenario():
        socket, _welcome = await hello(bot_widget)
        await socket.send_json_to(
            {"type": "message", "cid": "c-1", "text": "Jak mogę zwrócić towar kupiony w sklepie?"}
        )
        # The bot's first answer in a process loads its sentence-embedding model.
        answer = await receive_until(socket, "message", BOT_TIMEOUT)
        while not answer["message"]["feedback"]:
            answer = await receive_until(socket, "message", BOT_TIMEOUT)
        await socket.send_json_to(
            {"type": "feedback", "message": answer["message"]["id"], "helpful": False}
        )
        handed = await receive_until(socket, "message")
        while "osob" not in handed["message"]["text"]:
            handed = await receive_until(socket, "message")
        await socket.disconnect()
        return answer

    answer = run(scenario)
    assert answer["message"]["author"] == "bot"
    assert "jak-zwrocic-towar" in answer["message"]["text"]
    ticket = Ticket.objects.get()
    assert ticket.events.filter(kind=EventKind.HANDED_OFF).count() == 1


def test_no_cue_while_the_bot_answers_and_one_when_it_hands_over(bot_widget, ola):
    cookie = agent_cookie(ola)

    async def scenario():
        page = agent_page(cookie)
        assert (await page.connect(timeout=TIMEOUT))[0]
        socket, _welcome = await hello(bot_widget)
        await socket.send_json_to({"type": "message", "cid": "c-1", "text": "Dzień dobry"})
        await receive_until(socket, "ack")
        before = []
        while not await page.receive_nothing(timeout=0.5):
            before.append(await page.receive_json_from(timeout=TIMEOUT))
        await socket.send_json_to({"type": "human", "cid": "c-2", "text": ""})
        await receive_until(socket, "handed_off")
        after = []
        while not await page.receive_nothing(timeout=0.5):
            after.append(await page.receive_json_from(timeout=TIMEOUT))
        await page.disconnect()
        await socket.disconnect()
        return before, after

    before, after = run(scenario)
    assert [m for m in before if m["kind"] == "chat_waiting"] == []
    assert [m["kind"] for m in after if m["kind"] == "chat_waiting"] == ["chat_waiting"]


def test_a_pipeline_job_outlives_the_event_loop_of_the_chat_that_queued_it(widget, monkeypatch):
    """A consumer's loop may stop (a server shutting down) while the pipeline still works on
    its message: the job ends without that loop and the pipeline goes on. It used to wait for
    the stopped loop to send its announcements, holding every later chat message and the
    process's exit for good."""
    release = threading.Event()
    process = consumers._pipeline._run

    def held_until_the_loop_stopped(messages):
        release.wait(TIMEOUT)
        return process(messages)

    monkeypatch.setattr(consumers._pipeline, "_run", held_until_the_loop_stopped)

    async def second_message_acknowledged():
        socket, _welcome = await hello(widget)
        await socket.send_json_to({"type": "message", "cid": "c-1", "text": "Halo?"})
        await receive_until(socket, "ack")
        await socket.send_json_to({"type": "message", "cid": "c-2", "text": "Jest tam ktoś?"})
        await receive_until(socket, "ack")

    def on_a_loop_left_stopped():
        loop = asyncio.new_event_loop()
        loop.run_until_complete(second_message_acknowledged())
        release.set()
        try:
            consumers._pipeline._thread.submit(lambda: None).result(timeout=TIMEOUT)
        finally:
            left = asyncio.all_tasks(loop)
            for task in left:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*left, return_exceptions=True))
            loop.close()

    with ThreadPoolExecutor(max_workers=1) as executor:
        executor.submit(on_a_loop_left_stopped).result()

    texts = list(Message.objects.order_by("pk").values_list("text", flat=True))
    assert texts == ["Halo?", "Jest tam ktoś?"]


def test_a_message_on_an_open_chat_reaches_the_agent_page_from_the_ledger_and_once(widget, ola):
    cookie = agent_cookie(ola)

    async def scenario():
        socket, _token, _ack, page, ticket = await open_chat(widget, cookie)
        await socket.send_json_to({"type": "message", "cid": "c-2", "text": "<b>Gdzie</b> paczka?"})
        ack = await receive_until(socket, "ack")
        live = await page.receive_json_from(timeout=TIMEOUT)
        made = await own_message(socket, "c-2")
        heard = await receive_kinds(page, {"chat_message", "tickets"})
        await page.disconnect()
        await socket.disconnect()
        return ack, live, made, heard, ticket

    ack, live, made, heard, ticket = run(scenario)
    conversation = ChatConversation.objects.get()
    source = f"chat:{conversation.pk}:c-2"
    # Acknowledged once durable, before the pipeline made the ticket message.
    assert (ack["cid"], ack["id"], ack["message"]) == ("c-2", None, None)
    assert live == {
        "kind": "chat_message",
        "ticket_id": ticket.pk,
        "cid": "c-2",
        "source": source,
        "text": "<b>Gdzie</b> paczka?",
        "files": [],
        "held": False,
    }
    assert made["text"] == "<b>Gdzie</b> paczka?"
    # The page heard of the message once; its refresh then has the ticket message, which
    # carries the same source and replaces the arriving copy.
    assert {message["kind"] for message in heard} == {"tickets"}
    client = Client()
    client.force_login(ola)
    thread = client.get(reverse("workspace:ticket", args=[ticket.pk])).content.decode()
    assert thread.count(f'data-source="{source}"') == 1
    assert "&lt;b&gt;Gdzie&lt;/b&gt; paczka?" in thread
    assert Message.objects.filter(external_id=source).count() == 1


def test_a_resend_of_a_message_acknowledged_from_the_ledger_is_kept_and_announced_once(widget, ola):
    cookie = agent_cookie(ola)

    async def scenario():
        socket, token, _ack, page, _ticket = await open_chat(widget, cookie)
        await socket.send_json_to({"type": "message", "cid": "c-2", "text": "Jeszcze raz"})
        first = await receive_until(socket, "ack")
        # The connection drops before the widget saw its message come back; it resends.
        await socket.disconnect()
        again, _welcome = await hello(widget, token=token)
        await again.send_json_to({"type": "message", "cid": "c-2", "text": "Jeszcze raz"})
        second = await receive_until(again, "ack")
        await asyncio.sleep(0.5)
        heard = await receive_kinds(page, {"chat_message"})
        await page.disconnect()
        await again.disconnect()
        return first, second, heard

    first, second, heard = run(scenario)
    conversation = ChatConversation.objects.get()
    source = f"chat:{conversation.pk}:c-2"
    assert (first["cid"], second["cid"]) == ("c-2", "c-2")
    assert [message["cid"] for message in heard] == ["c-2"]
    assert Message.objects.filter(external_id=source).count() == 1
    assert InboundItem.objects.filter(external_id=source).count() == 1


def test_messages_acknowledged_from_the_ledger_keep_their_order(widget, ola):
    cookie = agent_cookie(ola)
    cids = [f"c-{number}" for number in range(2, 8)]

    async def scenario():
        socket, _token, _ack, page, ticket = await open_chat(widget, cookie)
        for cid in cids:
            await socket.send_json_to({"type": "message", "cid": cid, "text": f"Wiadomość {cid}"})
        made = [(await own_message(socket, cid))["id"] for cid in cids]
        heard = await receive_kinds(page, {"chat_message"})
        await page.disconnect()
        await socket.disconnect()
        return made, heard, ticket

    made, heard, ticket = run(scenario)
    assert made == sorted(made)
    assert [message["cid"] for message in heard] == cids
    texts = list(ticket.messages.order_by("created_at", "id").values_list("text", flat=True))
    assert texts == ["Halo?", *(f"Wiadomość {cid}" for cid in cids)]


def test_a_message_the_pipeline_quarantines_is_held_for_staff_and_both_sides_are_told(
    widget, ola, monkeypatch
):
    cookie = agent_cookie(ola)

    async def scenario():
        socket, _token, _ack, page, _ticket = await open_chat(widget, cookie)
        monkeypatch.setattr(inbox_actions, "_deliver", _refuse_to_deliver)
        await socket.send_json_to({"type": "message", "cid": "c-2", "text": "Nie przejdzie"})
        ack = await receive_until(socket, "ack")
        held = await receive_until(socket, "error")
        heard = await receive_kinds(page, {"chat_message"})
        await page.disconnect()
        await socket.disconnect()
        return ack, held, heard

    ack, held, heard = run(scenario)
    conversation = ChatConversation.objects.get()
    source = f"chat:{conversation.pk}:c-2"
    assert ack["cid"] == "c-2"
    assert (held["cid"], held["code"]) == ("c-2", "held")
    assert [(message["cid"], message["held"]) for message in heard] == [
        ("c-2", False),
        ("c-2", True),
    ]
    [item] = quarantined_items()
    assert (item.external_id, item.error) == (source, "refused by the test")
    assert not Message.objects.filter(external_id=source).exists()
    client = Client()
    client.force_login(make_agent(role=Role.ADMIN))
    assert "refused by the test" in client.get(reverse("workspace:quarantine")).content.decode()


def _refuse_to_deliver(item, inbound, known):
    raise UnprocessableInbound("refused by the test")


def test_an_attachment_that_is_not_base64_is_refused_and_nothing_else_is_lost(widget):
    async def scenario():
        socket, _welcome = await hello(widget)
        await socket.send_json_to({"type": "message", "cid": "c-1", "text": "Halo?"})
        await receive_until(socket, "ack")
        await socket.send_json_to(
            {
                "type": "message",
                "cid": "c-2",
                "text": "Zdjęcie paczki",
                "files": [{"name": "paczka.png", "type": "image/png", "data": "not base64!"}],
            }
        )
        refused = await receive_until(socket, "error")
        await socket.send_json_to({"type": "message", "cid": "c-3", "text": "Bez zdjęcia"})
        await own_message(socket, "c-3")
        await socket.disconnect()
        return refused

    refused = run(scenario)
    conversation = ChatConversation.objects.get()
    assert (refused["cid"], refused["code"]) == ("c-2", "invalid")
    assert refused["text"] == "Nie udało się odczytać pliku. Dołącz go ponownie."
    assert not InboundItem.objects.filter(external_id=f"chat:{conversation.pk}:c-2").exists()
    assert list(Message.objects.order_by("id").values_list("text", flat=True)) == [
        "Halo?",
        "Bez zdjęcia",
    ]


def test_the_widget_hears_at_once_that_the_visitor_confirmed_their_address(
    widget, tasks_run_at_once
):
    async def scenario():
        socket, welcome = await hello(widget, lang="en")
        other, _welcome = await hello(widget)
        await other.send_json_to({"type": "message", "cid": "c-1", "text": "Halo?"})
        await receive_until(other, "ack")
        await drain(other)
        await socket.send_json_to({"type": "details", "email": "Zofia@Poczta.example"})
        saved = await receive_until(socket, "saved")
        await drain(socket)
        [message] = mail.outbox
        link = EMAIL_LINK.search(message.body)[0]

        # The visitor confirms in another tab: the open widget says so without reconnecting.
        confirmed = await database_sync_to_async(Client().post)(link)
        verified = await socket.receive_json_from(timeout=TIMEOUT)
        other_heard = await other.receive_nothing(timeout=0.5)
        await socket.disconnect()
        await other.disconnect()
        return welcome, saved, confirmed, verified, other_heard

    welcome, saved, confirmed, verified, other_heard = run(scenario)
    assert saved["conversation"]["email_state"] == "link_sent"
    assert confirmed.status_code == 200
    assert verified["type"] == "verified"
    assert verified["conversation"]["email"] == "zofia@poczta.example"
    assert verified["conversation"]["email_state"] == "verified"
    assert welcome["config"]["text"]["verified"] == "Your e-mail address is confirmed."
    assert other_heard is True


def test_the_widget_hears_at_once_when_an_undone_merge_withdraws_the_proof_of_its_address(
    widget, tasks_run_at_once
):
    make_customer(name="Zofia Wójcik", email="zofia@poczta.example")

    def undo_the_merge():
        do_undo_customer_merge(merge=CustomerMerge.objects.get(), acting_user=None)

    async def scenario():
        socket, welcome = await hello(widget, lang="en")
        await socket.send_json_to({"type": "message", "cid": "c-1", "text": "Halo?"})
        token = (await receive_until(socket, "token"))["token"]
        await receive_until(socket, "ack")
        await socket.send_json_to({"type": "details", "email": "zofia@poczta.example"})
        await receive_until(socket, "saved")
        [message] = mail.outbox
        await database_sync_to_async(Client().post)(EMAIL_LINK.search(message.body)[0])
        verified = await receive_until(socket, "verified")
        await drain(socket)

        await database_sync_to_async(undo_the_merge)()
        unverified = await receive_until(socket, "unverified")
        # After a reload the widget still knows the proof was withdrawn.
        reloaded, welcome_back = await hello(widget, token=token)
        await reloaded.disconnect()
        # Saving the address again asks for a new link.
        await socket.send_json_to({"type": "details", "email": "zofia@poczta.example"})
        saved_again = await receive_until(socket, "saved")
        await socket.disconnect()
        return welcome, verified, unverified, welcome_back, saved_again

    welcome, verified, unverified, welcome_back, saved_again = run(scenario)
    assert verified["conversation"]["email_state"] == "verified"
    assert unverified["conversation"]["email"] == "zofia@poczta.example"
    assert unverified["conversation"]["email_state"] == "withdrawn"
    assert welcome_back["conversation"]["email_state"] == "withdrawn"
    assert saved_again["conversation"]["email_state"] == "link_sent"
    assert [message.to for message in mail.outbox] == [
        ["zofia@poczta.example"],
        ["zofia@poczta.example"],
    ]
    assert welcome["config"]["text"]["unverified"] == "Your e-mail address is no longer confirmed."
    assert welcome["config"]["text"]["withdrawn"] == (
        "Your e-mail address is no longer confirmed. Save it again to get a new link."
    )
    assert welcome_back["config"]["text"]["withdrawn"] == (
        "Twój adres e-mail nie jest już potwierdzony. Zapisz go ponownie, aby otrzymać nowy link."
    )


def test_links_confirming_an_address_are_limited_per_client_ip(widget, settings, tasks_run_at_once):
    settings.CHAT_EMAIL_LINKS_PER_IP = 1

    async def save_address(email: str, client_ip: str) -> dict:
        socket, _welcome = await hello(widget, lang="en", client_ip=client_ip)
        await socket.send_json_to({"type": "details", "email": email})
        saved = await receive_until(socket, "saved")
        await socket.disconnect()
        return saved["conversation"]

    async def scenario():
        return [
            await save_address("a@poczta.example", "203.0.113.7"),
            await save_address("b@poczta.example", "203.0.113.7"),
            await save_address("c@poczta.example", "198.51.100.2"),
        ]

    first, over_the_limit, elsewhere = run(scenario)
    assert [first["email_state"], over_the_limit["email_state"], elsewhere["email_state"]] == [
        "link_sent",
        "unverified",
        "link_sent",
    ]
    assert [message.to for message in mail.outbox] == [["a@poczta.example"], ["c@poczta.example"]]


def in_one_turn(batches, values) -> list:
    """What ``batches`` did with each of ``values``, all taken in one turn of its thread (held
    busy until they all wait); an exception for each that failed."""
    busy = threading.Event()
    batches._thread.submit(busy.wait, TIMEOUT)

    async def scenario():
        waiting = [asyncio.ensure_future(batches.do(value)) for value in values]
        await asyncio.sleep(0.1)
        busy.set()
        return await asyncio.gather(*waiting, return_exceptions=True)

    return run(scenario)


def test_a_pipeline_batch_that_fails_as_a_whole_goes_again_message_by_message(widget, monkeypatch):
    """One message that breaks its whole batch (here: at the batch's customer lookup) fails
    only itself: the batch goes again a message at a time, the others become ticket messages,
    the bad one is quarantined with the reason (its widget hears it is held, as for any
    message the pipeline quarantines)."""
    conversations = [do_start_conversation(widget=widget, language="pl")[0] for _ in range(2)]
    for conversation in conversations:
        do_receive_visitor_message(
            conversation=conversation, message=VisitorMessage(conversation.pk, "c-1", "Halo?")
        )
    messages = []
    for conversation, text in zip(conversations, ["Dobra", "Zepsuta"], strict=True):
        item = do_record_visitor_message(
            conversation=conversation, message=VisitorMessage(conversation.pk, "c-2", text)
        )
        messages.append(RecordedMessage(conversation.pk, item.inbox_id, item.external_id))
    batches = []
    create_new_customers = inbox_actions._create_new_customers

    def failing_on_a_broken_message(readings, known):
        batches.append([reading.text for reading in readings])
        if "Zepsuta" in batches[-1]:
            raise RuntimeError("broken")
        create_new_customers(readings, known)

    monkeypatch.setattr(inbox_actions, "_create_new_customers", failing_on_a_broken_message)
    good, bad = in_one_turn(consumers._pipeline, messages)

    assert batches == [["Dobra", "Zepsuta"], ["Dobra"], ["Zepsuta"]]
    assert good is None
    assert isinstance(bad, InvalidInput)
    assert str(bad) == "unexpected error: RuntimeError: broken"
    [held] = quarantined_items()
    assert (held.external_id, held.error) == (messages[1].external_id, str(bad))
    assert Message.objects.filter(external_id=messages[0].external_id).exists()
    assert not Message.objects.filter(external_id=messages[1].external_id).exists()


def test_a_ledger_batch_that_fails_as_a_whole_goes_again_message_by_message(widget, monkeypatch):
    """Visitors whose messages shared a turn with a message that breaks the ledger write still
    get theirs recorded (and so acknowledged); only the broken one's sender gets the error."""
    conversations = [do_start_conversation(widget=widget, language="pl")[0] for _ in range(2)]
    writes = [
        VisitorWrite(conversation, VisitorMessage(conversation.pk, "c-1", text), "203.0.113.7")
        for conversation, text in zip(conversations, ["Dobra", "Zepsuta"], strict=True)
    ]
    encode = chat_actions.encode

    def failing_on_a_broken_message(message, **details):
        if message.text == "Zepsuta":
            raise RuntimeError("broken")
        return encode(message, **details)

    monkeypatch.setattr(chat_actions, "encode", failing_on_a_broken_message)
    recorded, refused = in_one_turn(consumers._ledger, writes)

    assert isinstance(recorded, InboundItem)
    assert recorded.external_id == f"chat:{conversations[0].pk}:c-1"
    assert repr(refused) == "RuntimeError('broken')"
    assert list(InboundItem.objects.values_list("external_id", flat=True)) == [recorded.external_id]
