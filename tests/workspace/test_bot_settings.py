"""The admin's page for the assistant bot: per chat inbox settings, the language model with a
write-only key, the log of what was sent to it and the bot's figures. Admins only."""

import pytest
from django.test import Client
from django.utils import timezone

from okienko.accounts.choices import Role
from okienko.ai.actions import do_set_inbox_bot
from okienko.ai.models import InboxBot, LanguageModelCall, LanguageModelSettings
from okienko.ai.selectors import language_model
from okienko.inboxes.actions import do_create_inbox
from okienko.inboxes.choices import InboxKind
from okienko.testing.factories import make_agent, make_chat_widget

pytestmark = pytest.mark.django_db

MODEL_FORM = {
    "is_enabled": "on",
    "base_url": "http://127.0.0.1:11434/v1",
    "model": "llama3.1",
    "api_key": "sekretny-klucz",
    "timeout_seconds": "10",
}


@pytest.fixture
def chat_inbox():
    return make_chat_widget(name="Czat sklepu").inbox


def _client(role: str) -> Client:
    client = Client()
    client.force_login(make_agent(role=role))
    return client


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR])
def test_only_admins_see_or_change_the_bot_settings(role, chat_inbox):
    client = _client(role)

    page = client.get("/settings/bot/")
    inbox = client.post(
        f"/settings/bot/inboxes/{chat_inbox.pk}/",
        {f"inbox-{chat_inbox.pk}-is_enabled": "on"},
    )
    model = client.post("/settings/bot/language-model/", MODEL_FORM)

    assert (page.status_code, inbox.status_code, model.status_code) == (403, 403, 403)
    assert not InboxBot.objects.exists()
    assert not LanguageModelSettings.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in():
    response = Client().get("/settings/bot/")

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_page_lists_chat_inboxes_the_figures_and_the_log(admin_client, chat_inbox):
    do_create_inbox(name="Poczta", kind=InboxKind.EMAIL, acting_user=None)
    LanguageModelCall.objects.create(
        endpoint="http://127.0.0.1:11434/v1/chat/completions",
        model="llama3.1",
        sent=[{"role": "user", "content": "Pytanie klienta o zwrot"}],
        answer="Zwrot w 14 dni [1]",
        created_at=timezone.now(),
    )

    response = admin_client.get("/settings/bot/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Czat sklepu" in page
    assert f'name="inbox-{chat_inbox.pk}-is_enabled"' in page
    assert "Poczta" not in page
    assert "Pytanie klienta o zwrot" in page
    assert "Zwrot w 14 dni [1]" in page
    assert 'class="card deflection bot-metrics"' in page


def test_an_admin_switches_the_bot_on_with_a_threshold_and_a_team(
    admin_client, chat_inbox, orders_team
):
    prefix = f"inbox-{chat_inbox.pk}"

    response = admin_client.post(
        f"/settings/bot/inboxes/{chat_inbox.pk}/",
        {
            f"{prefix}-is_enabled": "on",
            f"{prefix}-confidence_threshold": "0.7",
            f"{prefix}-hand_off_team": str(orders_team.pk),
        },
    )

    assert response.status_code == 302
    bot = InboxBot.objects.get(inbox=chat_inbox)
    assert (bot.is_enabled, bot.confidence_threshold, bot.hand_off_team) == (
        True,
        0.7,
        orders_team,
    )


def test_a_threshold_out_of_range_is_refused_and_nothing_changes(admin_client, chat_inbox):
    do_set_inbox_bot(inbox=chat_inbox, is_enabled=True, confidence_threshold=0.6)
    prefix = f"inbox-{chat_inbox.pk}"

    response = admin_client.post(
        f"/settings/bot/inboxes/{chat_inbox.pk}/",
        {f"{prefix}-is_enabled": "on", f"{prefix}-confidence_threshold": "1.5"},
    )

    assert response.status_code == 422
    assert InboxBot.objects.get(inbox=chat_inbox).confidence_threshold == 0.6


def test_an_inbox_that_is_no_chat_has_no_bot_settings(admin_client):
    mailbox = do_create_inbox(name="Poczta", kind=InboxKind.EMAIL, acting_user=None)

    response = admin_client.post(
        f"/settings/bot/inboxes/{mailbox.pk}/", {f"inbox-{mailbox.pk}-is_enabled": "on"}
    )

    assert response.status_code == 404
    assert not InboxBot.objects.exists()


def test_the_language_model_is_off_until_an_admin_sets_it_and_the_key_stays_hidden(
    admin_client,
):
    assert language_model() is None

    saved = admin_client.post("/settings/bot/language-model/", MODEL_FORM)
    kept = admin_client.post(
        "/settings/bot/language-model/", {**MODEL_FORM, "api_key": "", "model": "qwen2.5"}
    )
    page = admin_client.get("/settings/bot/").content.decode()

    assert (saved.status_code, kept.status_code) == (302, 302)
    configured = language_model()
    assert configured is not None
    assert (configured.model, configured.api_key) == ("qwen2.5", "sekretny-klucz")
    assert LanguageModelSettings.objects.count() == 1
    assert "sekretny-klucz" not in page
    assert "Klucz API jest zapisany." in page


def test_a_bad_endpoint_is_refused_and_the_model_stays_off(admin_client):
    response = admin_client.post(
        "/settings/bot/language-model/", {**MODEL_FORM, "base_url": "nie adres"}
    )

    assert response.status_code == 422
    assert language_model() is None
