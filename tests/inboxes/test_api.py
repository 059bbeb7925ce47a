import pytest

from okienko.accounts.choices import Role
from okienko.inboxes.actions import (
    do_create_inbox,
)
from okienko.inboxes.choices import InboundStatus, InboxKind
from okienko.inboxes.models import EmailAccount, Inbox
from okienko.testing.factories import make_agent, make_team, make_token
from okienko.testing.inbound import receive_email
from okienko.testing.mail import make_email
from tests.api.conftest import ApiClient, assert_problem


@pytest.fixture
def teams(db):
    return make_team(name="Sklep"), make_team(name="Hurt")


@pytest.fixture
def inboxes(teams):
    shop, wholesale = teams
    return (
        do_create_inbox(name="Sklep", kind=InboxKind.EMAIL, team=shop, acting_user=None),
        do_create_inbox(name="Hurt", kind=InboxKind.EMAIL, team=wholesale, acting_user=None),
    )


@pytest.mark.django_db
def test_agents_see_their_teams_inboxes_admins_see_all(teams, inboxes):
    agent = make_agent(teams=[teams[0]])
    admin = make_agent(role=Role.ADMIN)

    mine = ApiClient(make_token(agent)).get("/inboxes").json()
    everything = ApiClient(make_token(admin)).get("/inboxes").json()

    assert [inbox["name"] for inbox in mine] == ["Sklep"]
    assert [inbox["name"] for inbox in everything] == ["Hurt", "Sklep"]


@pytest.mark.django_db
def test_only_admins_create_inboxes(teams):
    admin_api = ApiClient(make_token(make_agent(role=Role.ADMIN)))
    agent_api = ApiClient(make_token(make_agent(role=Role.SUPERVISOR)))
    body = {"name": "Faktury", "address": "Faktury@Sklep.example", "team_id": teams[1].pk}

    created = admin_api.post("/inboxes", body)
    refused = agent_api.post("/inboxes", {**body, "name": "Inne"})
    duplicate = admin_api.post("/inboxes", body)
    bad_address = admin_api.post("/inboxes", {**body, "name": "Zły", "address": "faktury"})

    assert created.status_code == 201
    assert created.json()["address"] == "faktury@sklep.example"
    assert created.json()["team_id"] == teams[1].pk
    assert_problem(refused, 403)
    assert_problem(duplicate, 409)
    assert_problem(bad_address, 422)
    assert list(Inbox.objects.values_list("name", flat=True)) == ["Faktury"]


@pytest.mark.django_db
def test_quarantine_is_listed_for_the_inbox_team_only(teams, inboxes):
    shop, wholesale = inboxes
    held = receive_email(b"", shop)
    receive_email(b"", wholesale)
    processed = receive_email(make_email(), shop)
    agent_api = ApiClient(make_token(make_agent(teams=[teams[0]])))

    quarantined = agent_api.get("/inbound?status=quarantined").json()
    everything = agent_api.get("/inbound").json()

    assert [item["id"] for item in quarantined["items"]] == [held.pk]
    assert quarantined["items"][0]["status"] == "quarantined"
    assert quarantined["items"][0]["error"] == held.error
    assert [item["id"] for item in everything["items"]] == [processed.pk, held.pk]
    assert everything["items"][0]["ticket_id"] == processed.message.ticket_id


@pytest.mark.django_db
def test_raw_download_and_reprocess_are_scoped(teams, inboxes, settings):
    shop, wholesale = inboxes
    settings.EMAIL_SENDER_LIMIT = 0
    raw = make_email()
    held = receive_email(raw, shop)
    elsewhere = receive_email(make_email(subject="Inny"), wholesale)
    settings.EMAIL_SENDER_LIMIT = 30
    agent_api = ApiClient(make_token(make_agent(teams=[teams[0]])))

    download = agent_api.get(f"/inbound/{held.pk}/raw")
    reprocessed = agent_api.post(f"/inbound/{held.pk}/reprocess")
    again = agent_api.post(f"/inbound/{held.pk}/reprocess")
    hidden_raw = agent_api.get(f"/inbound/{elsewhere.pk}/raw")
    hidden_reprocess = agent_api.post(f"/inbound/{elsewhere.pk}/reprocess")

    assert download.status_code == 200
    assert download.content == raw
    assert download["X-Content-Type-Options"] == "nosniff"
    assert reprocessed.json()["status"] == InboundStatus.PROCESSED
    assert reprocessed.json()["outcome"] == "ticket_created"
    assert_problem(again, 409)
    assert_problem(hidden_raw, 404)
    assert_problem(hidden_reprocess, 404)
    elsewhere.refresh_from_db()
    assert elsewhere.status == InboundStatus.QUARANTINED


MAILBOX = {
    "imap_host": "imap.gmail.com",
    "imap_username": "pomoc@sklep.example",
    "oauth_token_url": "https://oauth2.googleapis.com/token",
    "oauth_client_id": "okienko-app.apps.googleusercontent.com",
    "oauth_client_secret": "sekret-aplikacji",
    "oauth_refresh_token": "1//odswiezajacy",
    "smtp_host": "smtp.gmail.com",
    "smtp_password": "haslo-smtp",
}


@pytest.mark.django_db
def test_admins_set_a_mailbox_with_oauth2_and_secrets_are_never_shown(inboxes):
    admin_api = ApiClient(make_token(make_agent(role=Role.ADMIN)))
    shop = inboxes[0]

    created = admin_api.put(f"/inboxes/{shop.pk}/email-account", MAILBOX)
    # Secrets left out are kept; the rest is replaced.
    changed = admin_api.put(
        f"/inboxes/{shop.pk}/email-account", {**MAILBOX, "oauth_refresh_token": None}
    )
    shown = admin_api.get(f"/inboxes/{shop.pk}/email-account")

    assert created.status_code == 200
    assert changed.status_code == 200
    body = shown.json()
    assert body["oauth_token_url"] == "https://oauth2.googleapis.com/token"
    assert body["stored_secrets"] == ["oauth_client_secret", "oauth_refresh_token", "smtp_password"]
    assert body["imap_last_error"] == ""
    assert "sekret-aplikacji" not in shown.text
    assert "1//odswiezajacy" not in shown.text
    account = shop.email_account
    account.refresh_from_db()
    assert account.oauth_refresh_token == "1//odswiezajacy"
    assert account.smtp_password == "haslo-smtp"


@pytest.mark.django_db
def test_mailbox_settings_are_for_admins_and_checked(inboxes):
    admin_api = ApiClient(make_token(make_agent(role=Role.ADMIN)))
    supervisor_api = ApiClient(make_token(make_agent(role=Role.SUPERVISOR)))
    shop = inboxes[0]
    plain_http = {**MAILBOX, "oauth_token_url": "http://oauth.example/token"}

    refused = supervisor_api.put(f"/inboxes/{shop.pk}/email-account", MAILBOX)
    not_set = admin_api.get(f"/inboxes/{shop.pk}/email-account")
    insecure = admin_api.put(f"/inboxes/{shop.pk}/email-account", plain_http)

    assert_problem(refused, 403)
    assert not_set.status_code == 404
    assert_problem(insecure, 422)
    assert "oauth_token_url" in insecure.json()["errors"]
    assert not EmailAccount.objects.filter(inbox=shop).exists()
