from ninja import Schema


class SearchHitOut(Schema):
    type: str
    type_label: str
    id: int
    title: str
    # Escaped HTML whose only markup is <mark> around the matching words.
    title_html: str
    snippet_html: str
    details: dict[str, str | int | None]


class SearchPage(Schema):
    query: str
    items: list[SearchHitOut]
    # Words the index does not hold, with the similar terms searched for instead.
    corrections: dict[str, list[str]]
    next_cursor: str | None
