"""Categories and articles as plain data: what an editor, the API or a file gives, and what an
export writes."""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

from okienko.kb.choices import ArticleStatus, Visibility


@dataclass(frozen=True)
class CategoryInput:
    """A category as an editor or the API describes it."""

    slug: str
    name: str
    description: str = ""
    position: int = 0
    translations: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class ArticleDocument:
    """An article as a file holds it (see ``okienko.kb.files``)."""

    slug: str
    language: str
    title: str
    body: str
    category: str = ""
    status: str = ArticleStatus.DRAFT
    visibility: str = Visibility.PUBLIC
    owner: str = ""
    review_due: datetime.date | None = None
    translation_of: str = ""  # "language/slug" of the original
    related: tuple[str, ...] = ()  # "language/slug" of each
