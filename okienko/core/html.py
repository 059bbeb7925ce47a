"""Sanitising of HTML that came from outside (mail bodies, API clients) before it is stored."""

import re
from html import unescape

import nh3

_ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "font",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
_ALLOWED_ATTRIBUTES = {
    "*": {"title", "lang", "dir", "align", "style"},
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "valign"},
    "th": {"colspan", "rowspan", "valign", "scope"},
    "font": {"color", "face", "size"},
    "ol": {"start", "type"},
}
# Only properties that cannot take url(): nh3 filters names but never checks values.
_ALLOWED_STYLE_PROPERTIES = {
    "color",
    "background-color",
    "font-weight",
    "font-style",
    "font-size",
    "font-family",
    "text-align",
    "text-decoration",
    "margin",
    "margin-left",
    "margin-right",
    "padding",
    "padding-left",
    "border",
    "border-collapse",
    "width",
    "height",
    "white-space",
    "vertical-align",
}
_ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel", "cid", "data"}


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    # nh3 passes a URL that starts with a character the URL parser does not skip (U+2028, U+00A0)
    # through as relative; drop script URLs hidden that way, as DOMPurify does.
    compact = "".join(char for char in value if char.isprintable() and not char.isspace())
    if attribute in {"href", "src"} and compact.lower().startswith(("javascript:", "vbscript:")):
        return None
    # data: URLs are allowed for inline images only (pictures pasted into mail), never elsewhere.
    if value.strip().lower().startswith("data:"):
        is_image = tag == "img" and attribute == "src"
        return value if is_image and value.strip().lower().startswith("data:image/") else None
    return value


def sanitize_html(html: str) -> str:
    """Return ``html`` with scripts, event handlers, dangerous URLs and styles removed."""
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        clean_content_tags={"script", "style"},
        url_schemes=_ALLOWED_URL_SCHEMES,
        filter_style_properties=_ALLOWED_STYLE_PROPERTIES,
        attribute_filter=_filter_attribute,
        link_rel="noopener noreferrer nofollow",
    )


_BLOCK_BREAKS = re.compile(r"(?i)<\s*(br|/p|/div|/li|/tr|/h[1-6]|/blockquote)\b[^>]*>")
_BLANK_LINES = re.compile(r"\n\s*\n\s*\n+")


def html_to_text(html: str) -> str:
    """Readable plain text of an HTML body: line breaks where blocks end, no tags."""
    with_breaks = _BLOCK_BREAKS.sub("\n", html)
    text = unescape(nh3.clean(with_breaks, tags=set(), clean_content_tags={"script", "style"}))
    lines = (line.strip() for line in text.splitlines())
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
