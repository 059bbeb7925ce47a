"""Highlighted titles and snippets: escaped text with the matching words in ``<mark>``.

Matching is the index's own (``analysis.Matcher``): "zamówieniem" is marked for the
query "zamówień". Everything but the marks is escaped, so a hit never injects markup.
"""

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from okienko.search.analysis import Matcher, QueryWord

SNIPPET_CHARACTERS = 180
# A long thread is not read to its end for a snippet: the first texts that match do.
MAX_TEXTS_READ = 50


def _marked(text: str, spans: Sequence[tuple[int, int]]) -> SafeString:
    parts: list[str] = []
    position = 0
    for start, end in spans:
        parts.append(escape(text[position:start]))
        parts.append(f"<mark>{escape(text[start:end])}</mark>")
        position = end
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # noqa: S308  (every piece above is escaped)


def highlight(text: str, words: Sequence[QueryWord]) -> SafeString:
    """The whole of ``text``, escaped, with the matching words marked."""
    return _marked(text, list(Matcher(words).spans(text)))


def _window(text: str, spans: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    """About ``SNIPPET_CHARACTERS`` of ``text`` around its first match, cut between words."""
    text = " ".join(text.split())
    spans = list(spans)
    if len(text) <= SNIPPET_CHARACTERS:
        return text, spans
    first = spans[0][0] if spans else 0
    start = max(0, first - SNIPPET_CHARACTERS // 3)
    if start:
        start = text.find(" ", start) + 1 or start
    end = start + SNIPPET_CHARACTERS
    if end < len(text):
        end = text.rfind(" ", start, end) if " " in text[start:end] else end
    prefix = "…" if start else ""
    suffix = "…" if end < len(text) else ""
    inside = [(s - start + len(prefix), e - start + len(prefix)) for s, e in spans]
    inside = [(s, e) for s, e in inside if s >= len(prefix) and e <= len(prefix) + end - start]
    return prefix + text[start:end] + suffix, inside


def snippet(texts: Sequence[str], words: Sequence[QueryWord]) -> SafeString:
    """The part of the first text matching most of the query's words, escaped and marked;
    the beginning of the first text when none matches."""
    best: tuple[int, str, list[tuple[int, int]]] | None = None
    matcher = Matcher(words)
    for text in texts[:MAX_TEXTS_READ]:
        flat = " ".join(text.split())
        spans = list(matcher.spans(flat))
        matched = len({flat[start:end].lower() for start, end in spans})
        if spans and (best is None or matched > best[0]):
            best = (matched, flat, spans)
            if matched >= len(words):
                break
    if best is None:
        first = next((text for text in texts if text.strip()), "")
        shown, spans = _window(first, [])
        return _marked(shown, spans)
    shown, spans = _window(best[1], best[2])
    return _marked(shown, spans)
