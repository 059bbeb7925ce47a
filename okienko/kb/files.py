"""The knowledge base as files: one Markdown file per article, ``<language>/<slug>.md``, with
YAML front matter, and ``categories.yaml`` beside them. Pure functions, no database."""

import datetime
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from okienko.core.errors import InvalidInput
from okienko.kb.choices import ArticleStatus, Visibility
from okienko.kb.documents import ArticleDocument, CategoryInput

CATEGORIES_FILE = "categories.yaml"
FENCE = "---"


def format_article(document: ArticleDocument) -> str:
    """The file text of one article: front matter between ``---`` lines, then the body."""
    meta: dict[str, Any] = {
        "title": document.title,
        "slug": document.slug,
        "language": document.language,
        "category": document.category,
        "status": document.status,
        "visibility": document.visibility,
    }
    if document.owner:
        meta["owner"] = document.owner
    if document.review_due:
        meta["review_due"] = document.review_due.isoformat()
    if document.translation_of:
        meta["translation_of"] = document.translation_of
    if document.related:
        meta["related"] = list(document.related)
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False).strip()
    return f"{FENCE}\n{front}\n{FENCE}\n\n{document.body.strip()}\n"


def _date(value: Any, where: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError as error:
        raise InvalidInput(f"{where}: review_due {value!r} is not a date (YYYY-MM-DD)") from error


def parse_article(text: str, *, where: str, language: str = "", slug: str = "") -> ArticleDocument:
    """Read one article file; ``language`` and ``slug`` (from its path) fill what the front
    matter leaves out."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != FENCE:
        raise InvalidInput(f"{where}: the file must start with front matter between --- lines")
    try:
        end = next(i for i, line in enumerate(lines[1:], 1) if line.strip() == FENCE)
    except StopIteration as error:
        raise InvalidInput(f"{where}: the front matter is not closed with ---") from error
    try:
        meta = yaml.safe_load("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as error:
        raise InvalidInput(f"{where}: the front matter is not valid YAML ({error})") from error
    if not isinstance(meta, dict):
        raise InvalidInput(f"{where}: the front matter must be key: value lines")
    title = str(meta.get("title", "")).strip()
    if not title:
        raise InvalidInput(f"{where}: the front matter has no title")
    related = meta.get("related") or []
    if not isinstance(related, list):
        raise InvalidInput(f"{where}: related must be a list of language/slug")
    return ArticleDocument(
        slug=str(meta.get("slug") or slug),
        language=str(meta.get("language") or language),
        title=title,
        body="\n".join(lines[end + 1 :]).strip(),
        category=str(meta.get("category") or ""),
        status=str(meta.get("status") or ArticleStatus.DRAFT),
        visibility=str(meta.get("visibility") or Visibility.PUBLIC),
        owner=str(meta.get("owner") or ""),
        review_due=_date(meta.get("review_due"), where),
        translation_of=str(meta.get("translation_of") or ""),
        related=tuple(str(key) for key in related),
    )


def format_categories(categories: Iterable[CategoryInput]) -> str:
    rows = [
        {
            "slug": category.slug,
            "name": category.name,
            "description": category.description,
            "position": category.position,
            **({"translations": dict(category.translations)} if category.translations else {}),
        }
        for category in categories
    ]
    return yaml.safe_dump(rows, allow_unicode=True, sort_keys=False)


def parse_categories(text: str, *, where: str) -> list[CategoryInput]:
    try:
        rows = yaml.safe_load(text) or []
    except yaml.YAMLError as error:
        raise InvalidInput(f"{where}: not valid YAML ({error})") from error
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise InvalidInput(f"{where}: expected a list of categories")
    return [
        CategoryInput(
            slug=str(row.get("slug", "")),
            name=str(row.get("name", "")),
            description=str(row.get("description") or ""),
            position=int(row.get("position") or 0),
            translations=row.get("translations") or {},
        )
        for row in rows
    ]


def read_directory(directory: Path) -> tuple[list[CategoryInput], list[ArticleDocument]]:
    """The categories and articles of a directory laid out as ``write_directory`` writes."""
    if not directory.is_dir():
        raise InvalidInput(f"{directory} is not a directory")
    categories_path = directory / CATEGORIES_FILE
    categories = (
        parse_categories(categories_path.read_text(encoding="utf-8"), where=str(categories_path))
        if categories_path.exists()
        else []
    )
    documents = [
        parse_article(
            path.read_text(encoding="utf-8"),
            where=str(path.relative_to(directory)),
            language=path.parent.name if path.parent != directory else "",
            slug=path.stem,
        )
        for path in sorted(directory.rglob("*.md"))
    ]
    return categories, documents


def write_directory(
    directory: Path, categories: Iterable[CategoryInput], documents: Iterable[ArticleDocument]
) -> int:
    """Write the files; returns the number of articles written."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / CATEGORIES_FILE).write_text(format_categories(categories), encoding="utf-8")
    count = 0
    for document in documents:
        path = directory / document.language / f"{document.slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(format_article(document), encoding="utf-8")
        count += 1
    return count
