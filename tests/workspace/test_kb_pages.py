import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from okienko.accounts.choices import Role
from okienko.ai.actions import (
    do_answer_customer_message,
    do_set_inbox_bot,
    hand_off_to_human,
    record_bot_feedback,
)
from okienko.kb.actions import (
    do_record_request_submitted,
    do_record_suggestion_opened,
    do_send_review_reminders,
)
from okienko.kb.choices import ArticleStatus
from okienko.kb.models import Article, ArticleAttachment, DeflectionAttempt
from okienko.notifications.models import Notification
from okienko.testing.factories import (
    make_agent,
    make_article,
    make_chat_widget,
    make_customer,
    make_kb_category,
    make_ticket,
)
from okienko.testing.inbound import make_chat_ticket
from okienko.tickets.actions import do_reply
from tests.workspace.conftest import HTMX

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x9a\xa0\xb1"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def editor_client():
    client = Client()
    client.force_login(make_agent(role=Role.SUPERVISOR, name="Ewa Redaktor"))
    return client


def test_list_filters_by_status_and_outdated(agent_client):
    draft = make_article(title="Szkic o dostawie", status=ArticleStatus.DRAFT)
    make_article(title="Opublikowany o zwrotach")
    response = agent_client.get("/kb/?status=draft")
    assert response.status_code == 200
    assert [a.pk for a in response.context["articles"]] == [draft.pk]
    assert agent_client.get("/kb/?outdated=on").context["articles"] == []


def test_supervisors_see_the_deflection_rate_agents_do_not(agent_client, editor_client):
    customer = make_customer()
    article = make_article(title="Jak zwrócić towar")
    for key in ("a" * 22, "b" * 22, "c" * 22):
        do_record_suggestion_opened(key=key, customer=customer, article=article)
    DeflectionAttempt.objects.update(opened_at=timezone.now() - datetime.timedelta(hours=2))
    do_record_request_submitted(key="c" * 22, customer=customer, ticket=make_ticket())

    shown = editor_client.get("/kb/")
    hidden = agent_client.get("/kb/").content.decode()

    assert shown.context["deflection"].rate == 2 / 3
    assert "67%" in shown.content.decode()
    assert "nie wysłało zgłoszenia (2 z 3); wysłane mimo to: 1" in shown.content.decode()
    assert "deflection-rate" not in hidden


def test_agent_writes_previews_and_editor_publishes(agent_client, editor_client, agent):
    category = make_kb_category(name="Dostawa")
    response = agent_client.post(
        "/kb/new/",
        {
            "title": "Śledzenie przesyłki",
            "language": "pl",
            "category": category.pk,
            "visibility": "public",
            "owner": agent.pk,
            "body": "Numer znajdziesz w **e-mailu**.",
        },
    )
    article = Article.objects.get()
    assert response.status_code == 302
    assert (article.slug, article.status, article.owner) == (
        "sledzenie-przesylki",
        ArticleStatus.DRAFT,
        agent,
    )
    preview = agent_client.post(
        "/kb/preview/",
        {"body": "**gruby** <img src=x onerror=alert(1)>", "language": "pl"},
        headers=HTMX,
    )
    assert "<strong>gruby</strong>" in preview.content.decode()
    assert "<img" not in preview.content.decode()  # raw HTML is shown as text, never run
    agent_client.post(f"/kb/{article.pk}/status/", {"status": "review"})
    agent_client.post(f"/kb/{article.pk}/status/", {"status": "published"})
    article.refresh_from_db()
    assert article.status == ArticleStatus.REVIEW
    editor_client.post(f"/kb/{article.pk}/status/", {"status": "published"})
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED


def test_saving_an_edit_adds_a_version_and_a_stale_form_is_refused(agent_client):
    article = make_article(title="Płatności", body="BLIK i karta.")
    form = {
        "title": "Płatności",
        "slug": article.slug,
        "language": "pl",
        "category": article.category_id,
        "visibility": "public",
        "body": "BLIK, karta i przelew.",
        "version": 1,
        "note": "przelew",
    }
    assert agent_client.post(f"/kb/{article.pk}/", form).status_code == 302
    stale = agent_client.post(f"/kb/{article.pk}/", {**form, "body": "inne"})
    assert stale.status_code == 422
    article.refresh_from_db()
    assert (article.version, article.body) == (2, "BLIK, karta i przelew.")
    page = agent_client.get(f"/kb/{article.pk}/versions/")
    assert [(line.kind, line.text) for line in page.context["diff"] if line.kind != "same"] == [
        ("removed", "BLIK i karta."),
        ("added", "BLIK, karta i przelew."),
    ]
    agent_client.post(f"/kb/{article.pk}/versions/1/restore/")
    article.refresh_from_db()
    assert (article.version, article.body) == (3, "BLIK i karta.")


def test_images_upload_and_show_inline(agent_client):
    article = make_article()
    upload = SimpleUploadedFile("paczka.png", PNG, content_type="image/png")
    agent_client.post(f"/kb/{article.pk}/files/", {"file": upload})
    attachment = ArticleAttachment.objects.get()
    response = Client().get(f"/help/files/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "attachment" not in response.get("Content-Disposition", "")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_files_of_internal_articles_are_not_public(agent_client):
    article = make_article(visibility="internal")
    upload = SimpleUploadedFile("cennik.pdf", b"%PDF-1.4", content_type="application/pdf")
    agent_client.post(f"/kb/{article.pk}/files/", {"file": upload})
    attachment = ArticleAttachment.objects.get()
    assert Client().get(f"/help/files/{attachment.pk}/").status_code == 404
    download = agent_client.get(f"/kb/files/{attachment.pk}/")
    assert download["Content-Disposition"].startswith("attachment")


def test_picker_offers_link_and_text_for_a_reply(
    agent_client, agent, orders_team, live, tasks_run_at_once
):
    ticket = make_ticket(team=orders_team)
    live(make_article, title="Zwrot towaru", slug="zwrot-towaru", body="Masz **14 dni** na zwrot.")
    live(
        make_article,
        title="Procedura wewnętrzna",
        visibility="internal",
        body="Zwroty przyjmuje magazyn.",
    )
    live(make_article, title="Zwrot szkic", status=ArticleStatus.DRAFT)
    live(make_article, title="Dostawa", body="Kurier przyjedzie jutro.")

    # Another inflected form: search finds the title and the text.
    response = agent_client.get(f"/tickets/{ticket.pk}/articles/?q=zwrotów", headers=HTMX)

    results = [(r["article"].title, r["link"], r["text"]) for r in response.context["results"]]
    assert results == [
        (
            "Zwrot towaru",
            "http://127.0.0.1:8000/help/pl/articles/zwrot-towaru/",
            "Masz 14 dni na zwrot.",
        ),
        ("Procedura wewnętrzna", "", "Zwroty przyjmuje magazyn."),
    ]


def test_picker_tolerates_a_misspelling(agent_client, orders_team, live, tasks_run_at_once):
    ticket = make_ticket(team=orders_team)
    live(make_article, title="Reklamacja butów", body="Opisz wadę.")

    response = agent_client.get(f"/tickets/{ticket.pk}/articles/?q=reklamacij", headers=HTMX)

    assert [r["article"].title for r in response.context["results"]] == ["Reklamacja butów"]


def test_picker_is_scoped_to_tickets_the_agent_may_see(agent_client, complaints_team):
    ticket = make_ticket(team=complaints_team)
    assert agent_client.get(f"/tickets/{ticket.pk}/articles/?q=x").status_code == 404


def test_a_reply_becomes_a_draft_article(agent_client, agent, orders_team):
    ticket = make_ticket(team=orders_team, subject="Faktura na firmę")
    message = do_reply(
        ticket=ticket, text="Fakturę wystawimy na NIP z zamówienia.", acting_user=agent
    )
    response = agent_client.post(f"/tickets/{ticket.pk}/messages/{message.pk}/capture/")
    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/kb/{article.pk}/"
    assert (article.title, article.body, article.status) == (
        "Faktura na firmę",
        "Fakturę wystawimy na NIP z zamówienia.",
        ArticleStatus.DRAFT,
    )


def test_ticket_page_offers_the_picker_and_capture(agent_client, agent, orders_team):
    ticket = make_ticket(team=orders_team)
    message = do_reply(ticket=ticket, text="Odpowiedź", acting_user=agent)
    page = agent_client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert f"/tickets/{ticket.pk}/articles/" in page
    assert f"/tickets/{ticket.pk}/messages/{message.pk}/capture/" in page


def test_review_notification_opens_the_article(agent_client, agent):
    article = make_article(acting_user=agent, review_due=datetime.date(2020, 1, 1))
    do_send_review_reminders()
    notification = Notification.objects.get(agent=agent)
    response = agent_client.get(f"/notifications/{notification.pk}/")
    assert response["Location"] == f"/kb/{article.pk}/"


def test_supervisors_see_the_chat_bot_figures_agents_do_not(agent_client, editor_client):
    inbox = make_chat_widget().inbox
    do_set_inbox_bot(inbox=inbox, is_enabled=True)
    make_article(
        title="Jak zwrócić towar",
        body="Towar kupiony przez internet zwrócisz w ciągu 14 dni od odbioru.",
    )
    answered = make_chat_ticket(inbox=inbox, text="Jak mogę zwrócić towar kupiony w sklepie?")
    do_answer_customer_message(message_id=answered.messages.get().pk)
    record_bot_feedback(answered.messages.get(author_kind="bot"), helpful=True)
    hand_off_to_human(make_chat_ticket(inbox=inbox, text="Pomocy"), reason="customer_asked")

    shown = editor_client.get("/kb/").content.decode()
    hidden = agent_client.get("/kb/").content.decode()

    assert "Czat z botem, ostatnie 30 dni" in shown
    assert "czatów z odpowiedzią bez udziału człowieka (1 z 2)" in shown
    assert "Przekazane człowiekowi: 50% (1 z 2)" in shown
    assert "„Czy to pomogło?”: tak 100% (1 z 1)" in shown
    assert "bot-metrics" not in hidden
