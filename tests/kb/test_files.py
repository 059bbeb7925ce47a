import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from okienko.accounts.choices import Role
from okienko.kb.choices import ArticleStatus
from okienko.kb.files import format_article, parse_article
from okienko.kb.models import Article, Category
from okienko.kb.selectors import export_documents
from okienko.testing.factories import make_agent, make_article, make_kb_category

pytestmark = pytest.mark.django_db


def test_import_export_round_trip(tmp_path):
    editor = make_agent(role=Role.ADMIN)
    orders = make_kb_category(slug="zamowienia", name="Zamówienia")
    original = make_article(
        title="Zmiana adresu: „dostawa” & co dalej?",
        slug="zmiana-adresu",
        body="# Nagłówek\n\n- punkt: z dwukropkiem\n- [[inny]]\n",
        category=orders,
        owner=editor,
        review_due=datetime.date(2027, 3, 1),
    )
    other = make_article(slug="inny", category=orders, status=ArticleStatus.ARCHIVED)
    make_article(
        title="Change of address",
        slug="change-of-address",
        language="en",
        source=original,
        category=orders,
        visibility="internal",
        status=ArticleStatus.REVIEW,
        related=[other],
    )
    before = export_documents()
    call_command("kb", "export", str(tmp_path))
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.*")) == [
        "categories.yaml",
        "en/change-of-address.md",
        "pl/inny.md",
        "pl/zmiana-adresu.md",
    ]
    Article.objects.all().delete()
    Category.objects.all().delete()
    call_command("kb", "import", str(tmp_path), "--as", editor.email)
    assert export_documents() == before
    # A second import of the same files changes nothing: no new versions.
    call_command("kb", "import", str(tmp_path), "--as", editor.email)
    assert set(Article.objects.values_list("version", flat=True)) == {1}


def test_import_refuses_bad_files_and_changes_nothing(tmp_path):
    editor = make_agent(role=Role.ADMIN)
    (tmp_path / "pl").mkdir()
    (tmp_path / "pl" / "dobry.md").write_text("---\ntitle: Dobry\n---\nTreść\n")
    (tmp_path / "pl" / "zly.md").write_text("---\ntitle: Zły\ncategory: nie-ma\n---\nTreść\n")
    with pytest.raises(CommandError, match="unknown category"):
        call_command("kb", "import", str(tmp_path), "--as", editor.email)
    assert not Article.objects.exists()


def test_front_matter_needs_a_title():
    with pytest.raises(Exception, match="no title"):
        parse_article("---\nslug: x\n---\nbody", where="x.md")
    document = parse_article(
        "---\ntitle: 'A: b'\n---\n\nBody\n", where="pl/a-b.md", language="pl", slug="a-b"
    )
    assert (document.slug, document.language, document.title, document.body) == (
        "a-b",
        "pl",
        "A: b",
        "Body",
    )
    assert parse_article(format_article(document), where="again") == document
