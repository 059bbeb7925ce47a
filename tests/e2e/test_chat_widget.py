"""The chat widget in a real browser, embedded by its script tag on another site's page: a
visitor writes, the connection drops in the middle, and nothing is lost or doubled."""

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core import mail

from okienko.ai.actions import do_set_inbox_bot
from okienko.customers.actions import do_undo_customer_merge
from okienko.customers.models import CustomerMerge
from okienko.routing.actions import do_set_presence
from okienko.routing.choices import Presence
from okienko.testing.factories import (
    make_agent,
    make_chat_widget,
    make_customer,
    make_round_the_clock_policy,
    make_team,
    make_ticket,
)
from okienko.tickets.choices import EventKind
from okienko.tickets.models import Message, Ticket
from tests.e2e.conftest import sign_in

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "okienko-demo-1"
EMAIL_LINK = re.compile(r"(http://\S+/chat/verify/[\w-]+/)")


def shop_page(server_url: str, public_key: str) -> str:
    return (
        '<!doctype html><html lang="pl"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Sklep</title></head><body><h1>Sklep testowy</h1>"
        f'<script src="{server_url}/static/chat/widget.js" data-okienko-chat="{public_key}" '
        "async></script></body></html>"
    )


class ShopSite:
    """Another site (its own origin on this machine) whose page embeds the widget."""

    def __init__(self) -> None:
        self.html = b""
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(site.html)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def open(self, page, server_url: str, public_key: str) -> None:
        self.html = shop_page(server_url, public_key).encode()
        page.goto(self.url)


@pytest.fixture
def shop() -> Iterator[ShopSite]:
    site = ShopSite()
    yield site
    site.server.shutdown()


class DroppableSockets:
    """The widget's WebSockets through Playwright, so the test can cut them like a lost
    network would and hold back the server's acknowledgements."""

    def __init__(self, page) -> None:
        self.routes: list = []
        self.hold_acks = False
        page.route_web_socket(re.compile(r"/ws/chat/"), self._route)

    def _route(self, socket) -> None:
        server = socket.connect_to_server()
        server.on_message(self._from_server(socket))
        self.routes.append(socket)

    def _from_server(self, socket):
        def forward(message) -> None:
            if self.hold_acks and '"type": "ack"' in str(message):
                return
            socket.send(message)

        return forward

    def drop(self) -> None:
        self.routes[-1].close(code=3001, reason="network lost")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_visitor_writes_and_a_dropped_connection_loses_and_doubles_nothing(
    asgi_server, shop, page, browser
):
    widget = make_chat_widget(name="Sklep Górski", team=make_team(name="Czat"))
    sockets = DroppableSockets(page)
    shop.open(page, asgi_server.url, widget.public_key)
    chat = page.locator("#okienko-chat")

    chat.get_by_role("button", name="Otwórz czat").click()
    chat.get_by_role("textbox", name="Twoja wiadomość").fill("Dzień dobry, gdzie moja paczka?")
    chat.get_by_role("button", name="Wyślij").click()
    chat.locator(".m.customer .state", has_text="✓").first.wait_for()

    # The server's acknowledgement of the next message is lost with the connection.
    sockets.hold_acks = True
    chat.get_by_role("textbox", name="Twoja wiadomość").fill("Numer zamówienia 10241.")
    chat.get_by_role("button", name="Wyślij").click()
    page.wait_for_timeout(500)
    sockets.drop()
    sockets.hold_acks = False
    chat.get_by_text("Utracono połączenie. Łączę ponownie…").wait_for()

    # Reconnected: the widget resends what was not acknowledged; the server knows it.
    chat.get_by_text("Utracono połączenie. Łączę ponownie…").wait_for(state="hidden")
    page.wait_for_function(
        "() => document.querySelector('#okienko-chat').shadowRoot"
        ".querySelectorAll('.m.customer[data-id]').length === 2"
    )
    texts = [m.text for m in Message.objects.order_by("id")]
    assert texts == ["Dzień dobry, gdzie moja paczka?", "Numer zamówienia 10241."]
    assert chat.locator(".m.customer").count() == 2

    # A reload shows the conversation again (history for a returning visitor).
    page.reload()
    chat.get_by_role("button", name="Otwórz czat").click()
    chat.locator(".m.customer[data-id]").nth(1).wait_for()
    assert chat.locator(".m.customer").count() == 2
    page.screenshot(path=SCREENSHOTS / "chat-widget.png")

    phone = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        locale="pl-PL",
        timezone_id="Europe/Warsaw",
    )
    on_phone = phone.new_page()
    shop.open(on_phone, asgi_server.url, widget.public_key)
    phone_chat = on_phone.locator("#okienko-chat")
    phone_chat.get_by_role("button", name="Otwórz czat").click()
    phone_chat.get_by_role("textbox", name="Twoja wiadomość").fill("Czy macie rozmiar 44?")
    phone_chat.get_by_role("button", name="Wyślij").click()
    phone_chat.locator(".m.customer[data-id]").wait_for()
    on_phone.screenshot(path=SCREENSHOTS / "chat-widget-phone.png")
    phone.close()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_visitor_and_an_agent_talk_live_and_a_reconnect_loses_nothing(
    asgi_server, shop, page, browser
):
    team = make_team(name="Czat sklepu")
    agent = make_agent(name="Ola Nowicka", teams=[team], password=PASSWORD)
    do_set_presence(agent=agent, presence=Presence.ONLINE)
    make_round_the_clock_policy(first_reply_minutes=2, name="Czat — 2 minuty")
    widget = make_chat_widget(name="Sklep Górski", team=team)

    desk = browser.new_context(
        locale="pl-PL", timezone_id="Europe/Warsaw", viewport={"width": 1280, "height": 900}
    )
    agent_page = desk.new_page()
    sign_in(agent_page, asgi_server.url, agent.email, PASSWORD)
    agent_page.wait_for_function("() => document.body.dataset.live === 'connected'")

    sockets = DroppableSockets(page)
    shop.open(page, asgi_server.url, widget.public_key)
    chat = page.locator("#okienko-chat")
    chat.get_by_role("button", name="Otwórz czat").click()
    chat.get_by_text("Jesteśmy tutaj.").wait_for()
    chat.get_by_role("textbox", name="Twoja wiadomość").fill("Czy buty Tatra mają rozmiar 44?")
    chat.get_by_role("button", name="Wyślij").click()

    # The agent's inbox: a cue, and the chat in the list.
    cue = agent_page.locator(".toast--chat")
    cue.wait_for()
    assert "Czy buty Tatra mają rozmiar 44?" in cue.inner_text()
    cue.get_by_role("link").click()
    agent_page.get_by_role("heading", name="Czat na żywo").wait_for()

    # The agent sees the visitor typing, accepts and answers. (Typing is repeated every 3 s
    # while it goes on; slow keys make sure one comes after the page has joined the ticket.)
    agent_page.wait_for_function("() => document.body.dataset.live === 'connected'")
    chat.get_by_role("textbox", name="Twoja wiadomość").press_sequentially("A czarne", delay=500)
    agent_page.get_by_text("Klient pisze…").wait_for()
    agent_page.get_by_role("button", name="Przyjmij czat").click()
    agent_page.get_by_text("Prowadzi: Ola Nowicka").wait_for()
    chat.get_by_text("Ola z naszego zespołu jest teraz z Tobą na czacie.").wait_for()
    composer = agent_page.locator("#composer textarea[name=text]")
    composer.fill("Dzień dobry, tak, rozmiar 44 jest dostępny.")
    agent_page.locator("#composer button[name=status_after][value='']").click()
    chat.get_by_text("Dzień dobry, tak, rozmiar 44 jest dostępny.").wait_for()
    assert chat.locator(".m.agent .who").first.inner_text() == "Ola"
    # The agent's page has taken the answer in (a fresh composer) before the next one.
    agent_page.locator("#thread").get_by_text("Dzień dobry, tak, rozmiar 44").wait_for()
    agent_page.wait_for_function(
        "() => document.querySelector('#composer textarea[name=text]').value === ''"
    )

    # The visitor's connection drops; meanwhile the agent writes again and the visitor too.
    sockets.drop()
    chat.get_by_text("Utracono połączenie. Łączę ponownie…").wait_for()
    composer.fill("Czy mam odłożyć parę?")
    agent_page.locator("#composer button[name=status_after][value='']").click()
    chat.get_by_role("textbox", name="Twoja wiadomość").fill("A czarne też?")
    chat.get_by_role("button", name="Wyślij").click()
    chat.get_by_text("Czy mam odłożyć parę?").wait_for()
    # The agent's page shows the visitor's message as soon as it is in the ledger, then the
    # ticket message the pipeline made of it in its place: once.
    agent_page.get_by_text("A czarne też?").wait_for()
    agent_page.locator("#thread").get_by_text("A czarne też?").wait_for()
    chat.locator(".m[data-id]").get_by_text("A czarne też?").wait_for()
    assert agent_page.get_by_text("A czarne też?").count() == 1
    visitor_texts = chat.locator(".m[data-id] > span:not(.who):not(.state)").all_inner_texts()
    assert visitor_texts.count("Czy mam odłożyć parę?") == 1
    assert visitor_texts.count("A czarne też?") == 1
    assert Message.objects.filter(text="A czarne też?").count() == 1
    ticket = Ticket.objects.get()
    assert ticket.first_response_at is not None

    agent_page.get_by_text("wszystko, co wysłano").wait_for()
    page.screenshot(path=SCREENSHOTS / "chat-widget-conversation.png")
    agent_page.screenshot(path=SCREENSHOTS / "chat-agent-view.png", full_page=True)

    agent_page.get_by_role("button", name="Zakończ czat").click()
    chat.get_by_text("Rozmowa zakończona. Dziękujemy!").wait_for()
    desk.close()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("returns_article")
def test_the_bot_answers_from_the_help_center_and_a_person_takes_over_on_request(
    asgi_server, shop, page, browser, tasks_run_at_once
):
    team = make_team(name="Czat sklepu")
    agent = make_agent(name="Ola Nowicka", teams=[team], password=PASSWORD)
    do_set_presence(agent=agent, presence=Presence.ONLINE)
    widget = make_chat_widget(name="Sklep Górski", team=team)
    do_set_inbox_bot(inbox=widget.inbox, is_enabled=True, hand_off_team=team)
    desk = browser.new_context(locale="pl-PL", timezone_id="Europe/Warsaw")
    agent_page = desk.new_page()
    sign_in(agent_page, asgi_server.url, agent.email, PASSWORD)
    agent_page.wait_for_function("() => document.body.dataset.live === 'connected'")

    shop.open(page, asgi_server.url, widget.public_key)
    chat = page.locator("#okienko-chat")
    chat.get_by_role("button", name="Otwórz czat").click()
    chat.get_by_role("textbox", name="Twoja wiadomość").fill("Jak mogę zwrócić towar?")
    chat.get_by_role("button", name="Wyślij").click()

    # The bot says it is a bot, links the article and asks whether it helped.
    answer = chat.locator(".m.bot").first
    answer.get_by_role("link", name=re.compile("jak-zwrocic-towar")).wait_for(timeout=60000)
    assert "bot, nie człowiek" in answer.inner_text()
    answer.get_by_role("button", name="Tak").wait_for()
    page.screenshot(path=SCREENSHOTS / "chat-widget-bot.png")

    # The visitor asks for a person; the agents hear of it; one accepts and answers.
    chat.get_by_role("button", name="Porozmawiaj z człowiekiem").click()
    chat.locator(".m.bot", has_text="osob").nth(0).wait_for()
    agent_page.goto(f"{asgi_server.url}/tickets/{Ticket.objects.get().pk}/")
    agent_page.get_by_role("button", name="Przyjmij czat").click()
    chat.get_by_text("Ola z naszego zespołu jest teraz z Tobą na czacie.").wait_for()
    agent_page.locator("#composer textarea[name=text]").fill("Dzień dobry, pomogę ze zwrotem.")
    agent_page.locator("#composer button[name=status_after][value='']").click()
    chat.get_by_text("Dzień dobry, pomogę ze zwrotem.").wait_for()
    assert Ticket.objects.get().events.filter(kind=EventKind.HANDED_OFF).count() == 1
    desk.close()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_visitor_confirms_their_e_mail_and_the_chat_joins_their_timeline(
    asgi_server, shop, page, settings, tasks_run_at_once, own_rate_limits
):
    settings.PUBLIC_URL = asgi_server.url
    widget = make_chat_widget(name="Sklep Górski", team=make_team(name="Czat"))
    zofia = make_customer(name="Zofia Wójcik", email="zofia@poczta.example")
    make_ticket(requester=zofia, subject="Reklamacja butów")
    page.set_viewport_size({"width": 1280, "height": 900})
    shop.open(page, asgi_server.url, widget.public_key)
    chat = page.locator("#okienko-chat")

    chat.get_by_role("button", name="Otwórz czat").click()
    chat.get_by_role("textbox", name="Twoja wiadomość").fill("Dzień dobry, gdzie moja paczka?")
    chat.get_by_role("button", name="Wyślij").click()
    chat.locator(".m.customer .state", has_text="✓").first.wait_for()
    # Nobody is on duty: the widget offers to leave an e-mail (its details are open).
    chat.locator("input[name=email]").fill("zofia@poczta.example")
    chat.locator("button.save").click()
    chat.get_by_text("Wysłaliśmy Ci e-mail z linkiem.").wait_for()
    page.screenshot(path=SCREENSHOTS / "chat-widget-email-link.png")

    [message] = mail.outbox
    assert message.to == ["zofia@poczta.example"]
    link = EMAIL_LINK.search(message.body)
    assert link is not None
    # The visitor confirms in another tab; the chat tab says so at once, without a reload.
    mailbox = page.context.new_page()
    mailbox.set_viewport_size({"width": 1280, "height": 900})
    mailbox.goto(link.group(1))
    mailbox.get_by_role("button", name="Potwierdź").click()
    mailbox.get_by_role("heading", name="Twój adres e-mail jest potwierdzony").wait_for()
    mailbox.screenshot(path=SCREENSHOTS / "chat-email-confirmed.png")
    chat.locator(".m.system", has_text="Twój adres e-mail jest potwierdzony.").wait_for()
    saved = chat.locator(".saved").inner_text()
    assert "Twój adres e-mail jest potwierdzony." in saved
    assert "Gdy potwierdzisz" not in saved
    page.screenshot(path=SCREENSHOTS / "chat-widget-email-confirmed.png")

    chat_ticket = Ticket.objects.get(subject__contains="gdzie moja paczka")
    assert chat_ticket.requester == zofia

    # A supervisor undoes the merge the proof made: the open widget says so at once, and its
    # saved note no longer tells of the used link but asks for the address again.
    do_undo_customer_merge(merge=CustomerMerge.objects.get(), acting_user=None)
    chat.locator(".m.system", has_text="Twój adres e-mail nie jest już potwierdzony.").wait_for()
    withdrawn = "Twój adres e-mail nie jest już potwierdzony. Zapisz go ponownie, aby otrzymać"
    chat.locator(".saved", has_text=withdrawn).wait_for()
    assert chat.locator(".saved").inner_text().startswith(withdrawn)
    assert "Wysłaliśmy Ci e-mail z linkiem." not in chat.locator(".saved").inner_text()
    page.screenshot(path=SCREENSHOTS / "chat-widget-email-unconfirmed.png")

    # After a reload the note says the same.
    page.reload()
    chat.get_by_role("button", name="Otwórz czat").click()
    chat.locator(".saved", has_text=withdrawn).wait_for()

    # Saving the address again sends a new link, and the note says so.
    chat.locator("button.save").click()
    chat.locator(".saved", has_text="Wysłaliśmy Ci e-mail z linkiem.").wait_for()
    assert withdrawn not in chat.locator(".saved").inner_text()
    assert [sent.to for sent in mail.outbox] == [
        ["zofia@poczta.example"],
        ["zofia@poczta.example"],
    ]
