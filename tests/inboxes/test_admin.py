import pytest
from django.test import Client

from okienko.accounts.choices import Role
from okienko.inboxes.actions import do_create_inbox
from okienko.inboxes.admin import EmailAccountForm
from okienko.inboxes.choices import InboxKind
from okienko.inboxes.models import ChatWidget, EmailAccount, Inbox
from okienko.testing.factories import make_agent, make_chat_widget

FORM = {
    "imap_host": "imap.sklep.example",
    "imap_port": "993",
    "imap_security": "tls",
    "imap_username": "pomoc@sklep.example",
    "imap_password": "",
    "imap_oauth_token": "",
    "imap_folder": "INBOX",
    "imap_archive_folder": "",
    "smtp_host": "smtp.sklep.example",
    "smtp_port": "587",
    "smtp_security": "starttls",
    "smtp_username": "pomoc@sklep.example",
    "smtp_password": "",
    "sends_acknowledgement": "on",
    "signature": "{agent}",
}


@pytest.fixture
def account(db):
    inbox = do_create_inbox(name="Sklep", kind=InboxKind.EMAIL, acting_user=None)
    return EmailAccount.objects.create(
        inbox=inbox, imap_password="stare-haslo-imap", smtp_password="stare-haslo-smtp"
    )


@pytest.mark.django_db
def test_passwords_are_never_shown_and_an_empty_field_keeps_them(account):
    form = EmailAccountForm(data={**FORM, "smtp_password": "nowe-haslo-smtp"}, instance=account)

    rendered = EmailAccountForm(instance=account).as_p()
    assert form.is_valid(), form.errors
    form.save()
    account.refresh_from_db()
    assert "stare-haslo" not in rendered
    assert account.imap_password == "stare-haslo-imap"
    assert account.smtp_password == "nowe-haslo-smtp"
    assert account.imap_host == "imap.sklep.example"


@pytest.mark.django_db
def test_admins_configure_the_mailbox_on_the_inbox_page(account):
    admin = make_agent(role=Role.ADMIN, password="haslo-admina-123")
    client = Client()
    client.force_login(admin)

    page = client.get(f"/admin/inboxes/inbox/{account.inbox_id}/change/").content.decode()

    assert 'name="email_account-0-imap_host"' in page
    assert 'type="password" name="email_account-0-imap_password"' in page
    assert "stare-haslo-imap" not in page


@pytest.mark.django_db
def test_a_chat_inbox_page_shows_its_widget_settings_and_embed_code():
    widget = make_chat_widget(name="Czat sklepu")
    client = Client()
    client.force_login(make_agent(role=Role.ADMIN))

    response = client.get(f"/admin/inboxes/inbox/{widget.inbox_id}/change/")

    page = response.content.decode()
    assert response.status_code == 200
    assert f"data-okienko-chat=&quot;{widget.public_key}&quot;" in page
    assert f"/chat/try/{widget.public_key}/" in page
    assert "IMAP" not in page


# The e-mail section a new inbox's page shows, submitted as it came (its defaults).
UNTOUCHED_EMAIL_SECTION = {
    "email_account-TOTAL_FORMS": "1",
    "email_account-INITIAL_FORMS": "0",
    "email_account-MIN_NUM_FORMS": "0",
    "email_account-MAX_NUM_FORMS": "1",
    "email_account-0-imap_port": "993",
    "email_account-0-imap_security": "tls",
    "email_account-0-imap_folder": "INBOX",
    "email_account-0-smtp_port": "587",
    "email_account-0-smtp_security": "starttls",
    "email_account-0-sends_acknowledgement": "on",
}


def _add_in_admin(client: Client, *, name: str, kind: str) -> int:
    """Save the admin's "add inbox" page once; its status code."""
    form = {"name": name, "kind": kind, "address": "", "team": "", "is_active": "on"}
    return client.post("/admin/inboxes/inbox/add/", {**form, **UNTOUCHED_EMAIL_SECTION}).status_code


@pytest.mark.django_db
def test_a_chat_inbox_created_in_the_admin_has_a_working_widget_after_one_save():
    client = Client()
    client.force_login(make_agent(role=Role.ADMIN))

    status = _add_in_admin(client, name="Czat z admina", kind=InboxKind.CHAT)

    assert status == 302
    inbox = Inbox.objects.get(name="Czat z admina")
    widget = ChatWidget.objects.get(inbox=inbox)
    assert len(widget.public_key) >= 16
    assert not EmailAccount.objects.filter(inbox=inbox).exists()
    assert client.get(f"/chat/try/{widget.public_key}/").status_code == 200


@pytest.mark.django_db
def test_an_e_mail_inbox_created_in_the_admin_gets_no_widget():
    client = Client()
    client.force_login(make_agent(role=Role.ADMIN))

    status = _add_in_admin(client, name="Poczta z admina", kind=InboxKind.EMAIL)

    assert status == 302
    assert Inbox.objects.filter(name="Poczta z admina").exists()
    assert not ChatWidget.objects.filter(inbox__name="Poczta z admina").exists()
