import datetime

import pytest
from django.utils import timezone, translation

from okienko.accounts.choices import Role
from okienko.core.errors import Conflict, InvalidInput, PermissionDenied
from okienko.kb.actions import (
    do_capture_reply,
    do_change_article_status,
    do_create_article,
    do_record_feedback,
    do_record_view,
    do_restore_version,
    do_send_review_reminders,
    do_update_article,
    make_slug,
)
from okienko.kb.choices import ArticleStatus, Visibility
from okienko.kb.markdown import render
from okienko.kb.models import Article, ArticleFeedback
from okienko.kb.selectors import (
    ArticleFilters,
    access_version,
    article_versions,
    list_articles,
    version_diff,
)
from okienko.notifications.choices import NotificationKind
from okienko.notifications.models import Notification
from okienko.testing.factories import make_agent, make_article, make_kb_category, make_ticket
from okienko.tickets.actions import do_reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return make_agent(role=Role.SUPERVISOR, name="Ewa Redaktor")


@pytest.fixture
def agent():
    return make_agent(name="Adam Agent")


def test_slug_transliterates_polish_letters():
    assert make_slug("Zwrot łóżka i ŁAŃCUCHA – jak?") == "zwrot-lozka-i-lancucha-jak"


def test_new_article_is_a_draft_with_version_one(agent):
    article = do_create_article(
        title="Jak zwrócić towar",
        body="Masz **14 dni**.",
        language="pl",
        category=make_kb_category(),
        acting_user=agent,
    )
    assert (article.status, article.slug, article.version, article.owner) == (
        ArticleStatus.DRAFT,
        "jak-zwrocic-towar",
        1,
        agent,
    )
    assert [(v.number, v.title, v.body) for v in article_versions(article)] == [
        (1, "Jak zwrócić towar", "Masz **14 dni**.")
    ]


def test_workflow_moves_and_refusals(agent, editor):
    article = make_article(status=ArticleStatus.DRAFT, acting_user=agent)
    with pytest.raises(InvalidInput):
        do_change_article_status(
            article=article, status=ArticleStatus.PUBLISHED, acting_user=editor
        )
    do_change_article_status(article=article, status=ArticleStatus.REVIEW, acting_user=agent)
    with pytest.raises(PermissionDenied):
        do_change_article_status(article=article, status=ArticleStatus.PUBLISHED, acting_user=agent)
    article.refresh_from_db()
    assert article.status == ArticleStatus.REVIEW
    assert article.published_at is None
    do_change_article_status(article=article, status=ArticleStatus.PUBLISHED, acting_user=editor)
    do_change_article_status(article=article, status=ArticleStatus.ARCHIVED, acting_user=editor)
    do_change_article_status(article=article, status=ArticleStatus.DRAFT, acting_user=agent)
    article.refresh_from_db()
    assert article.status == ArticleStatus.DRAFT
    assert article.published_at is not None


def test_stale_status_move_is_refused(agent, editor):
    article = make_article(status=ArticleStatus.REVIEW, acting_user=agent)
    stale = Article.objects.get(pk=article.pk)
    do_change_article_status(article=article, status=ArticleStatus.DRAFT, acting_user=agent)
    with pytest.raises(Conflict):
        do_change_article_status(article=stale, status=ArticleStatus.PUBLISHED, acting_user=editor)
    assert Article.objects.get(pk=article.pk).status == ArticleStatus.DRAFT


def test_publishing_needs_a_category(agent, editor):
    article = do_create_article(
        title="Bez kategorii", body="x", language="pl", category=None, acting_user=agent
    )
    do_change_article_status(article=article, status=ArticleStatus.REVIEW, acting_user=agent)
    with pytest.raises(InvalidInput):
        do_change_article_status(
            article=article, status=ArticleStatus.PUBLISHED, acting_user=editor
        )


def test_every_text_edit_is_a_version_with_diff_and_restore(agent, editor):
    article = make_article(title="Dostawa", body="Wysyłamy w 24 h.\nKurierem.", acting_user=agent)
    do_update_article(
        article=article,
        changes={"body": "Wysyłamy w 48 h.\nKurierem."},
        acting_user=editor,
        note="nowy termin",
    )
    do_update_article(article=article, changes={"review_due": None}, acting_user=editor)
    assert article.version == 2  # a change of other fields is no new version
    diff = version_diff(access_version(article, 1), access_version(article, 2))
    assert [(line.kind, line.text) for line in diff] == [
        ("same", "# Dostawa"),
        ("same", ""),
        ("removed", "Wysyłamy w 24 h."),
        ("added", "Wysyłamy w 48 h."),
        ("same", "Kurierem."),
    ]
    with translation.override("en"):
        do_restore_version(article=article, number=1, acting_user=editor)
    article.refresh_from_db()
    assert (article.version, article.body) == (3, "Wysyłamy w 24 h.\nKurierem.")
    newest = article_versions(article).first()
    assert (newest.number, newest.author, newest.note) == (3, editor, "Restored version 1")


def test_edit_from_an_older_version_is_refused(agent):
    article = make_article(body="v1", acting_user=agent)
    do_update_article(article=article, changes={"body": "v2"}, acting_user=agent)
    with pytest.raises(Conflict):
        do_update_article(
            article=Article.objects.get(pk=article.pk),
            changes={"body": "mine"},
            acting_user=agent,
            expected_version=1,
        )
    assert Article.objects.get(pk=article.pk).body == "v2"
    assert article.versions.count() == 2


def test_slug_is_unique_per_language_and_one_translation_per_language(agent):
    original = make_article(title="Zwroty", slug="zwroty", acting_user=agent)
    with pytest.raises(Conflict):
        make_article(title="Inne", slug="zwroty", acting_user=agent)
    make_article(title="Zwroty", slug="zwroty", language="en", source=original, acting_user=agent)
    with pytest.raises(Conflict):
        make_article(title="Returns", language="en", source=original, acting_user=agent)
    assert Article.objects.count() == 2


def test_feedback_and_views_are_counted(agent):
    article = make_article(acting_user=agent)
    do_record_view(article=article)
    do_record_view(article=article)
    do_record_feedback(article=article, is_helpful=True)
    do_record_feedback(article=article, is_helpful=False, comment="  Brak numeru konta  ")
    article.refresh_from_db()
    assert (article.views, article.helpful_count, article.not_helpful_count) == (2, 1, 1)
    assert list(ArticleFeedback.objects.values_list("is_helpful", "comment").order_by("id")) == [
        (True, ""),
        (False, "Brak numeru konta"),
    ]


def test_review_reminder_goes_to_the_owner_once_per_due_date(agent):
    today = timezone.localdate()
    due = make_article(title="Cennik dostaw", review_due=today, acting_user=agent)
    make_article(review_due=today + datetime.timedelta(days=3), acting_user=agent)
    make_article(review_due=today, status=ArticleStatus.DRAFT, acting_user=agent)
    assert do_send_review_reminders(today=today) == 1
    assert do_send_review_reminders(today=today) == 0
    notification = Notification.objects.get()
    assert (notification.agent, notification.kind, notification.detail) == (
        agent,
        NotificationKind.ARTICLE_REVIEW,
        f"{due.pk}:Cennik dostaw",
    )
    filters = ArticleFilters(is_outdated=True)
    assert [a.pk for a in list_articles(agent, filters)] == [
        a.pk for a in Article.objects.filter(review_due=today).order_by("-id")
    ]


def test_markdown_is_sanitised_and_links_articles():
    html = render(
        "Zobacz [[zwroty]] i [[brak|to]].\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))",
        lambda slug: ("/help/pl/articles/zwroty/", "Zwroty") if slug == "zwroty" else None,
    )
    assert (
        '<a href="/help/pl/articles/zwroty/" rel="noopener noreferrer nofollow">Zwroty</a>' in html
    )
    assert "i to." in html
    assert "<script>" not in html
    assert 'href="javascript' not in html


def test_an_agent_reply_becomes_an_internal_draft(agent):
    ticket = make_ticket(subject="Zwrot po 14 dniach")
    message = do_reply(
        ticket=ticket, text="Po 14 dniach zwrot nie jest możliwy.", acting_user=agent
    )
    article = do_capture_reply(message=message, acting_user=agent)
    assert (article.title, article.body, article.status, article.visibility, article.owner) == (
        "Zwrot po 14 dniach",
        "Po 14 dniach zwrot nie jest możliwy.",
        ArticleStatus.DRAFT,
        Visibility.INTERNAL,
        agent,
    )
    again = do_capture_reply(message=message, acting_user=agent)
    assert again.slug == "zwrot-po-14-dniach-2"
    customer_message = ticket.messages.order_by("id").first()
    with pytest.raises(InvalidInput):
        do_capture_reply(message=customer_message, acting_user=agent)
