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
from okienko.testing.llm import fake_language_model

pytestmark = pytest.mark.django_db

MODEL_FORM = {
    "is_enabled": "on",
    "base_url": "http://127.0.0.1:11434/v1",
    "model": "llama3.1",
    "api_key": "sekretny-klucz",
    "timeout_seconds": "10",
}


TEST_URL = "/settings/bot/language-model/test/"


def _save_model(url: str) -> LanguageModelSettings:
    """Saved, but not switched on: the test works before the bot uses the model."""
    return LanguageModelSettings.objects.create(
        is_enabled=False, base_url=url, model="bielik-11b", api_key="sekretny-klucz"
    )


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
    with fake_language_model("OK") as fake:
        _save_model(fake.url)
        tested = client.post(TEST_URL, headers={"HX-Request": "true"})

    assert (page.status_code, inbox.status_code, model.status_code) == (403, 403, 403)
    assert tested.status_code == 403
    assert not InboxBot.objects.exists()
    assert not LanguageModelSettings.objects.filter(model="llama3.1").exists()
    assert fake.requests == []
    assert not LanguageModelCall.objects.exists()


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


def test_an_admin_tests_the_saved_model_and_the_call_is_logged(admin_client):
    with fake_language_model("OK") as fake:
        _save_model(fake.url)
        response = admin_client.post(TEST_URL, headers={"HX-Request": "true"})

    page = response.content.decode()
    assert response.status_code == 200
    [request] = fake.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["Authorization"] == "Bearer sekretny-klucz"
    assert request["json"]["model"] == "bielik-11b"
    assert request["json"]["messages"] == [
        {"role": "user", "content": "Reply with the single word OK."}
    ]
    call = LanguageModelCall.objects.get()
    assert (call.ticket, call.model, call.answer, call.error) == (None, "bielik-11b", "OK", "")
    assert call.endpoint == f"{fake.url}/chat/completions"
    assert f"Model bielik-11b odpowiedział w {call.duration_ms} ms." in page
    assert 'id="model-calls" aria-labelledby="model-calls-title" hx-swap-oob="true"' in page
    assert "sekretny-klucz" not in page
    assert LanguageModelSettings.objects.get().is_enabled is False


@pytest.mark.parametrize(
    ("status", "explained"),
    [
        (401, "Serwer odrzucił zapytanie (HTTP 401): brakuje klucza API albo jest błędny."),
        (404, "Nie znaleziono (HTTP 404): sprawdź adres serwera i nazwę modelu bielik-11b."),
        (500, "Serwer odpowiedział błędem (HTTP 500)."),
    ],
)
def test_a_failed_test_says_why_in_plain_words(admin_client, status, explained):
    with fake_language_model(status=status) as fake:
        _save_model(fake.url)
        response = admin_client.post(TEST_URL, headers={"HX-Request": "true"})

    page = response.content.decode()
    assert response.status_code == 200
    assert explained in page
    call = LanguageModelCall.objects.get()
    assert str(status) in call.error
    assert call.answer == ""


def test_an_endpoint_nobody_listens_on_is_explained(admin_client):
    with fake_language_model() as fake:
        url = fake.url
    _save_model(url)

    response = admin_client.post(TEST_URL)

    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Bot asystent</h1>" in page
    assert f"Nie udało się połączyć z {url}/chat/completions." in page
    assert LanguageModelCall.objects.get().error.startswith("ConnectError")


def test_the_test_needs_the_csrf_token(chat_inbox):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_agent(role=Role.ADMIN))
    with fake_language_model("OK") as fake:
        _save_model(fake.url)
        response = client.post(TEST_URL, headers={"HX-Request": "true"})

    assert response.status_code == 403
    assert fake.requests == []
    assert not LanguageModelCall.objects.exists()
