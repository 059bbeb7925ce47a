"""The e-mail channel end to end in a real browser against real mail servers: an admin connects
a mailbox (private Dovecot for IMAP, aiosmtpd for SMTP), a customer's e-mail becomes a ticket,
the agent replies, and the customer's answer lands in the same ticket."""

from pathlib import Path

import pytest

from okienko.accounts.choices import Role
from okienko.inboxes.actions import (
    RawInbound,
    do_create_inbox,
    do_process_inbound,
    do_record_inbound,
)
from okienko.inboxes.choices import InboundStatus, InboxKind
from okienko.inboxes.models import InboundItem
from okienko.inboxes.tasks import fetch_all_email
from okienko.testing.dovecot import dovecot_server
from okienko.testing.factories import make_agent, make_team
from okienko.testing.mail import make_email
from okienko.testing.smtp import smtp_server
from okienko.tickets.models import Ticket

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
MAILBOX = "pomoc@sklep.example"
MAILBOX_PASSWORD = "haslo-skrzynki-1"
PASSWORD = "okienko-demo-1"


@pytest.fixture
def mail_servers(tmp_path):
    with dovecot_server(tmp_path, {MAILBOX: MAILBOX_PASSWORD}) as imap, smtp_server() as smtp:
        yield imap, smtp


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_connect_a_mailbox_mail_it_reply_and_the_answer_lands_in_the_ticket(
    live_server, page, mail_servers, tasks_run_at_once
):
    imap, (catcher, smtp_port) = mail_servers
    admin = make_agent(role=Role.ADMIN, name="Anna Admin", password=PASSWORD)

    # The admin connects the shop's mailbox.
    page.set_viewport_size({"width": 1360, "height": 900})
    page.goto(f"{live_server.url}/admin/login/")
    page.locator("#id_username").fill(admin.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    page.goto(f"{live_server.url}/admin/inboxes/inbox/add/")
    page.locator("#id_name").fill("Sklep")
    page.locator("#id_kind").select_option("email")
    page.locator("#id_address").fill(MAILBOX)
    page.locator("#id_is_default").check()
    account = "#id_email_account-0-"
    page.locator(f"{account}imap_host").fill(imap.host)
    page.locator(f"{account}imap_port").fill(str(imap.port))
    page.locator(f"{account}imap_security").select_option("none")
    page.locator(f"{account}imap_username").fill(MAILBOX)
    page.locator(f"{account}imap_password").fill(MAILBOX_PASSWORD)
    page.locator(f"{account}smtp_host").fill("127.0.0.1")
    page.locator(f"{account}smtp_port").fill(str(smtp_port))
    page.locator(f"{account}smtp_security").select_option("none")
    page.locator(f"{account}sends_acknowledgement").uncheck()
    page.screenshot(path=str(SCREENSHOTS / "admin-mailbox.png"), full_page=True)
    page.locator("input[name=_save]").click()
    page.locator(".messagelist .success").wait_for()

    # A customer writes; the periodic poll fetches it into a ticket.
    imap.deliver(
        MAILBOX,
        make_email(
            sender="Zofia Wójcik <zofia@poczta.example>",
            to=MAILBOX,
            subject="Paczka nie dotarła",
            text="Dzień dobry, zamówienie 10241 miało być wczoraj.\n\nPozdrawiam,\nZofia",
            message_id="<zofia-1@poczta.example>",
        ),
    )
    assert fetch_all_email.call_local() == 1
    ticket = Ticket.objects.get()

    # The agent answers in the workspace; the reply goes out through SMTP.
    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    page.get_by_text("zamówienie 10241 miało być wczoraj").wait_for()
    page.get_by_label("Wiadomość", exact=True).fill("Paczka wyjechała dziś rano, jutro będzie.")
    page.get_by_role("button", name="Wyślij", exact=True).click()
    page.locator(".message--agent .delivery--sent").wait_for()
    [sent] = catcher.received
    assert sent.recipients == ["zofia@poczta.example"]
    assert sent.message["Subject"] == f"Re: Paczka nie dotarła [#{ticket.pk}]"

    # The customer answers our e-mail; it lands in the same ticket, quote cut.
    imap.deliver(
        MAILBOX,
        make_email(
            sender="Zofia Wójcik <zofia@poczta.example>",
            to=MAILBOX,
            subject=sent.message["Subject"],
            text=(
                "Dziękuję, czekam.\n\n"
                f"W dniu 23.11.2026 o 10:15, Sklep <{MAILBOX}> pisze:\n"
                "> Paczka wyjechała dziś rano, jutro będzie.\n"
            ),
            in_reply_to=sent.message["Message-ID"],
        ),
    )
    fetch_all_email.call_local()
    page.reload()
    page.locator(".message--customer", has_text="Dziękuję, czekam.").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "workspace-email-thread.png"), full_page=True)

    assert Ticket.objects.count() == 1
    assert page.locator(".message").count() == 3
    assert page.locator("details.quoted").count() == 1


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_agent_processes_a_quarantined_email_again(live_server, page, settings):
    team = make_team(name="Obsługa zamówień")
    agent = make_agent(role=Role.AGENT, name="Ola Nowicka", teams=[team], password=PASSWORD)
    inbox = do_create_inbox(
        name="Sklep", kind=InboxKind.EMAIL, address=MAILBOX, team=team, acting_user=None
    )
    settings.EMAIL_SENDER_LIMIT = 0
    [(held, _created)] = do_record_inbound(
        inbox=inbox,
        entries=[RawInbound(make_email(subject="Reklamacja: pęknięty kubek"), "")],
        notify=False,
    )
    do_process_inbound(items=[held])
    do_record_inbound(inbox=inbox, entries=[RawInbound(b"\x00\xff nie e-mail", "")], notify=False)
    do_process_inbound(items=list(InboundItem.objects.filter(status=InboundStatus.RECEIVED)))
    settings.EMAIL_SENDER_LIMIT = 30

    page.set_viewport_size({"width": 1360, "height": 760})
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("E-mail").fill(agent.email)
    page.get_by_label("Hasło").fill(PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()
    page.get_by_role("link", name="Kwarantanna").click()
    page.get_by_text("Reklamacja: pęknięty kubek").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "workspace-quarantine.png"), full_page=True)
    page.locator(f"#item-{held.pk}").get_by_role("button", name="Przetwórz ponownie").click()
    page.locator(".flash--success").wait_for()

    ticket = Ticket.objects.get()
    assert f"#{ticket.pk}" in page.locator(".flash--success").inner_text()
    assert page.locator(f"#item-{held.pk}").count() == 0
    assert page.locator("tbody tr").count() == 1
