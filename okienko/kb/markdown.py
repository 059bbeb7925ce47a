"""Article bodies: Markdown to sanitised HTML, with ``[[slug]]`` links between articles."""

import re
from collections.abc import Callable

from markdown_it import MarkdownIt

from okienko.core.html import html_to_text, sanitize_html

# [[slug]] or [[slug|link text]]: a link to another article in the same language.
ARTICLE_LINK = re.compile(r"\[\[([a-z0-9][a-z0-9-]*)(?:\|([^\]\n]+))?\]\]")

# Raw HTML in the Markdown is shown as text, not interpreted; nh3 cleans the result anyway.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

LinkTarget = Callable[[str], tuple[str, str] | None]


def linked_slugs(body: str) -> list[str]:
    """The slugs ``body`` links to with ``[[slug]]``, in order, once each."""
    return list(dict.fromkeys(match.group(1) for match in ARTICLE_LINK.finditer(body)))


def _resolve_links(body: str, link_for: LinkTarget) -> str:
    def replace(match: re.Match[str]) -> str:
        slug, text = match.group(1), match.group(2)
        target = link_for(slug)
        if target is None:
            # A link to an article the reader may not see (or that is gone) is plain text.
            return text or slug
        url, title = target
        label = (text or title).replace("[", "\\[").replace("]", "\\]")
        return f"[{label}]({url})"

    return ARTICLE_LINK.sub(replace, body)


def render(body: str, link_for: LinkTarget) -> str:
    """``body`` as sanitised HTML; ``link_for(slug)`` gives (url, title) of a linked article
    the reader may see, or None."""
    return sanitize_html(_markdown.render(_resolve_links(body, link_for)))


def plain_text(body: str, link_for: LinkTarget) -> str:
    """``body`` as readable text for a reply (links kept as their addresses)."""
    html = _markdown.render(_resolve_links(body, link_for))
    with_urls = re.sub(r'<a href="([^"]+)">([^<]*)</a>', r"\2 (\1)", html)
    return html_to_text(with_urls)
