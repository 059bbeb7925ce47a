"""Sanitising of HTML that came from outside (mail bodies, API clients) before it is stored."""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html import unescape
from urllib.parse import unquote

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


def _clean(
    html: str,
    attribute_filter: Callable[[str, str, str], str | None],
    *,
    link_target: dict[str, dict[str, str]] | None = None,
) -> str:
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        clean_content_tags={"script", "style"},
        url_schemes=_ALLOWED_URL_SCHEMES,
        filter_style_properties=_ALLOWED_STYLE_PROPERTIES,
        attribute_filter=attribute_filter,
        link_rel="noopener noreferrer nofollow",
        set_tag_attribute_values=link_target,
    )


def sanitize_html(html: str) -> str:
    """Return ``html`` with scripts, event handlers, dangerous URLs and styles removed."""
    return _clean(html, _filter_attribute)


_BLOCK_BREAKS = re.compile(r"(?i)<\s*(br|/p|/div|/li|/tr|/h[1-6]|/blockquote)\b[^>]*>")
_BLANK_LINES = re.compile(r"\n\s*\n\s*\n+")


def html_to_text(html: str) -> str:
    """Readable plain text of an HTML body: line breaks where blocks end, no tags."""
    with_breaks = _BLOCK_BREAKS.sub("\n", html)
    text = unescape(nh3.clean(with_breaks, tags=set(), clean_content_tags={"script", "style"}))
    lines = (line.strip() for line in text.splitlines())
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


@dataclass(frozen=True)
class DisplayedHtml:
    """Stored (sanitised) HTML made ready to show: what it links to is known."""

    html: str
    remote_images_blocked: bool  # the mail has images on other servers, left out


def html_for_display(
    html: str, *, inline_images: Mapping[str, str], allow_remote_images: bool
) -> DisplayedHtml:
    """Sanitise stored HTML once more and point its images where the viewer may load them.

    ``cid:`` images become the URL ``inline_images`` gives for their Content-ID (without
    brackets), or are left without a source. Images on other servers (``http:``/``https:``)
    lose their source unless ``allow_remote_images``: opening a mail must not tell its sender
    that it was read. Pictures embedded as ``data:image/...`` stay.
    """
    blocked = False

    def point_images(tag: str, attribute: str, value: str) -> str | None:
        nonlocal blocked
        kept = _filter_attribute(tag, attribute, value)
        if kept is None or (tag, attribute) != ("img", "src"):
            return kept
        source = kept.strip()
        scheme = source.split(":", 1)[0].lower() if ":" in source else ""
        if scheme == "cid":
            return inline_images.get(unquote(source[4:]).strip().strip("<>"))
        if scheme == "data":
            return kept
        is_remote = scheme in {"http", "https"} or source.startswith("//")
        if is_remote and allow_remote_images:
            return kept
        # A relative source would point at our own pages: it is no image of this mail's.
        blocked = blocked or is_remote
        return None

    # Shown in a sandboxed frame: a link opens a new tab rather than replacing the frame.
    cleaned = _clean(html, point_images, link_target={"a": {"target": "_blank"}})
    return DisplayedHtml(html=cleaned, remote_images_blocked=blocked)
