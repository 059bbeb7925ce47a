"""API shapes of knowledge-base categories and articles."""

import datetime
from typing import Any

from ninja import Field, Schema

from okienko.kb.choices import ArticleStatus, Visibility


class CategoryText(Schema):
    name: str
    description: str = ""


class CategoryIn(Schema):
    slug: str = Field("", description="Made from the name when empty")
    name: str
    description: str = ""
    position: int = 0
    translations: dict[str, CategoryText] = Field(
        default_factory=dict, description='Other languages, e.g. {"en": {"name": "Orders"}}'
    )


class CategoryOut(Schema):
    id: int
    slug: str
    name: str
    description: str
    position: int
    translations: dict[str, Any]


class ArticleRef(Schema):
    id: int
    slug: str
    language: str
    title: str


class ArticleIn(Schema):
    slug: str = Field("", description="Made from the title when empty")
    language: str = "pl"
    title: str
    body: str = Field("", description="Markdown; [[slug]] links to another article")
    status: ArticleStatus = ArticleStatus.DRAFT
    visibility: Visibility = Visibility.PUBLIC
    category_id: int | None = None
    owner_id: int | None = None
    review_due: datetime.date | None = None
    translation_of: int | None = Field(None, description="Id of the article this translates")
    related: list[int] = Field(default_factory=list)


class ArticleUpdateIn(Schema):
    slug: str | None = None
    language: str | None = None
    title: str | None = None
    body: str | None = None
    status: ArticleStatus | None = None
    visibility: Visibility | None = None
    category_id: int | None = None
    owner_id: int | None = None
    review_due: datetime.date | None = None
    translation_of: int | None = None
    related: list[int] | None = None
    version: int | None = Field(
        None, description="The version the change is based on; a newer one makes it a 409"
    )
    note: str = ""


class ArticleOut(Schema):
    id: int
    slug: str
    language: str
    title: str
    body: str
    status: ArticleStatus
    visibility: Visibility
    category_id: int | None
    owner_id: int | None
    review_due: datetime.date | None
    is_outdated: bool
    translation_of: int | None = Field(None, alias="source_id")
    version: int
    views: int
    helpful_count: int
    not_helpful_count: int
    created_at: datetime.datetime
    updated_at: datetime.datetime
    published_at: datetime.datetime | None


class ArticlePage(Schema):
    items: list[ArticleOut]
    next_cursor: str | None


class VersionOut(Schema):
    number: int
    title: str
    body: str
    author_id: int | None
    note: str
    created_at: datetime.datetime


class DiffLineOut(Schema):
    kind: str
    text: str
