"""The help center and the knowledge-base editor in a real browser: a customer on a phone
finds an article and says it helped; a supervisor edits an article with the live preview and
publishes it. Screenshots for the docs."""

from pathlib import Path

import pytest

from okienko.accounts.choices import Role
from okienko.demo.knowledge import write_help_center
from okienko.kb.choices import ArticleStatus
from okienko.kb.models import Article
from okienko.search.actions import do_reindex
from okienko.testing.factories import make_agent, make_article, make_kb_category
from tests.e2e.conftest import sign_in

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}
PASSWORD = "haslo-testowe-123"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_customer_finds_an_article_on_a_phone(live_server, page, own_cache):
    write_help_center(admin=make_agent(role=Role.ADMIN), seed=1)
    do_reindex(["article"])

    page.set_viewport_size({"width": 1200, "height": 900})
    page.goto(f"{live_server.url}/help/")
    page.get_by_role("heading", name="W czym możemy pomóc?").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "help-center-home.png"), full_page=True)

    page.set_viewport_size(PHONE)
    # An inflected word without Polish letters finds the articles.
    page.get_by_label("Szukaj w centrum pomocy").fill("reklamacji")
    page.get_by_role("button", name="Szukaj").click()
    page.get_by_role("link", name="Jak złożyć reklamację").wait_for()
    page.goto(f"{live_server.url}/help/pl/")
    page.get_by_role("link", name="Zwroty", exact=True).click()
    page.get_by_role("heading", name="Zwroty").wait_for()
    page.get_by_role("link", name="Jak zwrócić towar kupiony w sklepie").click()
    page.get_by_role("heading", name="Jak zwrócić towar kupiony w sklepie").wait_for()
    assert page.url.endswith("/help/pl/articles/jak-zwrocic-towar/")
    assert page.get_by_text("Procedura przyjęcia zwrotu").count() == 0  # internal stays hidden
    # Nothing wider than the phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(SCREENSHOTS / "help-center-article-phone.png"), full_page=True)

    page.get_by_text("Tak", exact=True).click()
    page.get_by_role("button", name="Wyślij").click()
    page.get_by_text("Dziękujemy za opinię!").wait_for()
    article = Article.objects.get(language="pl", slug="jak-zwrocic-towar")
    assert (article.helpful_count, article.views) >= (1, 1)

    # The language switch leads to the English translation of the same article.
    page.get_by_role("navigation", name="Język").get_by_role("link", name="EN").click()
    page.get_by_role("heading", name="How to return an item").wait_for()
    assert page.url.endswith("/help/en/articles/how-to-return-an-item/")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_supervisor_edits_with_preview_and_publishes(live_server, page):
    editor = make_agent(role=Role.SUPERVISOR, name="Katarzyna Nowak", password=PASSWORD)
    article = make_article(
        title="Zwrot w paczkomacie",
        slug="zwrot-w-paczkomacie",
        body="Nadaj paczkę w paczkomacie.",
        status=ArticleStatus.DRAFT,
        acting_user=editor,
    )

    page.set_viewport_size({"width": 1400, "height": 1000})
    sign_in(page, live_server.url, editor.email, PASSWORD)
    page.get_by_role("link", name="Baza wiedzy").click()
    page.get_by_role("link", name="Zwrot w paczkomacie").click()
    body = page.get_by_label("Treść (Markdown)")
    body.fill(
        "Nadaj paczkę w **dowolnym** paczkomacie InPost.\n\n"
        "1. Wygeneruj kod zwrotu na koncie.\n2. Wpisz kod na ekranie paczkomatu.\n"
    )
    page.locator("#preview strong", has_text="dowolnym").wait_for()
    page.locator("#preview ol li").nth(1).wait_for()
    page.get_by_label("Co się zmieniło").fill("kroki nadania")
    page.screenshot(path=str(SCREENSHOTS / "kb-editor.png"), full_page=True)
    page.get_by_role("button", name="Zapisz", exact=True).click()
    page.get_by_text("Zapisano.").wait_for()
    page.get_by_role("button", name="Wyślij do przeglądu").click()
    page.get_by_role("button", name="Opublikuj").click()
    page.get_by_text("Status: Opublikowany.").wait_for()

    article.refresh_from_db()
    assert (article.status, article.version) == (ArticleStatus.PUBLISHED, 2)
    page.goto(f"{live_server.url}/help/pl/articles/zwrot-w-paczkomacie/")
    page.get_by_text("Wpisz kod na ekranie paczkomatu.").wait_for()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_supervisor_orders_and_translates_categories(live_server, page):
    editor = make_agent(role=Role.SUPERVISOR, password=PASSWORD)
    returns = make_kb_category(name="Zwroty", slug="zwroty", position=1)
    make_article(category=returns)
    make_kb_category(name="Stara kategoria", slug="stara", position=5)

    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, live_server.url, editor.email, PASSWORD)
    page.goto(f"{live_server.url}/kb/")
    page.get_by_role("link", name="Kategorie", exact=True).click()
    page.get_by_label("Nazwa (polski)").fill("Płatności")
    page.get_by_label("Nazwa (angielski)").fill("Payments")
    page.get_by_label("Kolejność").fill("0")
    page.get_by_role("button", name="Zapisz").click()
    page.get_by_text("Kategoria zapisana.").wait_for()
    # In the given order, each with its English name; only the empty ones can be deleted.
    first_column = page.locator("table tbody tr td:first-child a")
    assert first_column.all_inner_texts() == ["Płatności", "Zwroty", "Stara kategoria"]
    assert page.get_by_role("cell", name="Payments").count() == 1
    assert page.get_by_role("button", name="Usuń „Zwroty”").count() == 0
    page.screenshot(path=str(SCREENSHOTS / "kb-categories.png"), full_page=True)

    page.get_by_role("button", name="Usuń „Stara kategoria”").click()
    page.get_by_text("Kategoria „Stara kategoria” usunięta.").wait_for()
    page.get_by_role("link", name="Zwroty").click()
    page.get_by_label("Nazwa (angielski)").fill("Returns")
    page.get_by_role("button", name="Zapisz").click()
    page.get_by_text("Kategoria zapisana.").wait_for()
    page.goto(f"{live_server.url}/help/en/")
    page.get_by_role("link", name="Returns").first.wait_for()
