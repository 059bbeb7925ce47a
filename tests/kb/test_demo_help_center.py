import datetime

import pytest
from django.test import Client

from okienko.accounts.models import Agent
from okienko.demo.load import load_demo
from okienko.demo.people import ADMIN_EMAIL
from okienko.kb.choices import ArticleStatus, Visibility
from okienko.kb.models import Article, Category
from okienko.kb.selectors import ArticleFilters, list_articles

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 8, 20, 10, 30, tzinfo=datetime.UTC)


def test_demo_loads_a_polish_help_center_with_english_translations():
    load_demo(seed=3, now=NOW, customers=5, tickets=5)
    assert list(Category.objects.values_list("slug", flat=True)) == [
        "zamowienia",
        "dostawa",
        "zwroty",
        "reklamacje",
        "platnosci",
        "konto",
    ]
    articles = Article.objects.all()
    assert articles.filter(language="pl").count() == 60
    assert articles.filter(language="en", source__language="pl").count() == 8
    assert set(articles.values_list("status", flat=True)) == {ArticleStatus.PUBLISHED}
    assert articles.filter(visibility=Visibility.INTERNAL).count() == 2
    assert articles.filter(views__gt=0).count() == 66  # the public ones have readers
    admin = Agent.objects.get(email=ADMIN_EMAIL)
    assert len(list_articles(admin, ArticleFilters(is_outdated=True))) == 3
    home = Client().get("/help/pl/").content.decode()
    assert "Jak zwrócić towar kupiony w sklepie" in home
    english = Client().get("/help/en/articles/jak-zwrocic-towar/", follow=True)
    assert english.redirect_chain == [("/help/en/articles/how-to-return-an-item/", 301)]
    fallback = Client().get("/help/en/articles/faktura-vat/")
    assert fallback.context["is_fallback"] is True
