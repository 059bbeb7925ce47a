"""Sanitising inbound HTML and turning it into readable text."""

import json
from html.parser import HTMLParser

import pytest

from okienko.core.html import html_for_display, html_to_text, sanitize_html

NOFOLLOW = 'rel="noopener noreferrer nofollow"'


# Removing what is dangerous


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>Dzień dobry</p><script>alert(1)</script>", "<p>Dzień dobry</p>"),
        ("<SCRIPT src=https://zly.example/x.js></SCRIPT><p>a</p>", "<p>a</p>"),
        ("<style>p { color: red }</style><p>a</p>", "<p>a</p>"),
        ('<iframe src="https://zly.example/"></iframe><p>a</p>', "<p>a</p>"),
        ('<object data="x.swf"></object><embed src="x.swf"><p>a</p>', "<p>a</p>"),
        ('<form action="https://zly.example/"><input name="haslo"></form><p>a</p>', "<p>a</p>"),
        ("<svg onload=alert(1)><p>a</p></svg>", "<p>a</p>"),
    ],
)
def test_scripts_and_active_content_are_removed(html, expected):
    assert sanitize_html(html) == expected


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (
            '<p onclick="steal()" title="Powitanie">Dzień dobry</p>',
            '<p title="Powitanie">Dzień dobry</p>',
        ),
        ('<img src="logo.png" onerror="alert(1)" alt="Logo">', '<img src="logo.png" alt="Logo">'),
        ('<div onmouseover=alert(1) ONLOAD="x()">a</div>', "<div>a</div>"),
    ],
)
def test_event_handler_attributes_are_removed(html, expected):
    assert sanitize_html(html) == expected


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "java&#x09;script:alert(1)",
        "&#106;avascript:alert(1)",
        "\u2028javascript:alert(1)",
        "\u00a0javascript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    ],
)
def test_script_urls_are_removed_from_links(href):
    assert sanitize_html(f'<a href="{href}">kliknij</a>') == f"<a {NOFOLLOW}>kliknij</a>"


@pytest.mark.parametrize(
    "src", ["javascript:alert(1)", "\u2028javascript:alert(1)", "data:text/html,<b>x</b>"]
)
def test_script_urls_are_removed_from_images(src):
    assert sanitize_html(f'<img src="{src}" alt="x">') == '<img alt="x">'


@pytest.mark.parametrize(
    ("style", "kept"),
    [
        ("color: red; background: url(https://zly.example/piksel.png)", "color:red"),
        ("background-image: url(javascript:alert(1)); font-weight: bold", "font-weight:bold"),
        ("list-style-image: url(x.png); text-align: center", "text-align:center"),
        ("color: blue; behavior: url(x.htc)", "color:blue"),
    ],
)
def test_style_properties_that_load_urls_are_removed(style, kept):
    assert sanitize_html(f'<p style="{style}">a</p>') == f'<p style="{kept}">a</p>'


# Keeping what is harmless


@pytest.mark.parametrize(
    "html",
    [
        "<p><b>pogrubione</b> <i>kursywa</i> <u>podkreślone</u> <s>skreślone</s></p>",
        "<p><strong>ważne</strong> <em>akcent</em> <code>kod</code> <sub>1</sub><sup>2</sup></p>",
        "<h1>Nagłówek</h1><h2>Podtytuł</h2><hr><blockquote>cytat</blockquote>",
        '<ul><li>jeden</li><li>dwa</li></ul><ol start="3"><li>trzy</li></ol>',
        "<pre>  wcięty\n  tekst</pre><br>",
        '<p style="color:red;font-weight:bold;text-align:center">kolorowy</p>',
        '<font color="#ff0000" face="Arial" size="2">stara poczta</font>',
        '<img src="cid:image001.png@01DA0000" alt="podpis">',
    ],
)
def test_allowed_formatting_is_kept(html):
    assert sanitize_html(html) == html


def test_tables_are_kept_with_their_spans():
    html = (
        '<table><tr><th scope="col">Produkt</th></tr><tr><td colspan="2">Pralka</td></tr></table>'
    )

    assert sanitize_html(html) == (
        '<table><tbody><tr><th scope="col">Produkt</th></tr>'
        '<tr><td colspan="2">Pralka</td></tr></tbody></table>'
    )


@pytest.mark.parametrize(
    "href",
    [
        "https://sklep.example/zamowienie/1",
        "http://sklep.example/",
        "mailto:bok@sklep.example",
        "tel:+48221234567",
    ],
)
def test_safe_links_are_kept_and_marked_nofollow(href):
    assert sanitize_html(f'<a href="{href}">link</a>') == f'<a href="{href}" {NOFOLLOW}>link</a>'


def test_data_image_is_allowed_in_an_image_source():
    html = '<img src="data:image/png;base64,iVBORw0KGgo=" alt="wklejony obrazek">'

    assert sanitize_html(html) == html


def test_data_image_is_not_allowed_in_a_link():
    html = '<a href="data:image/png;base64,iVBORw0KGgo=">obrazek</a>'

    assert sanitize_html(html) == f"<a {NOFOLLOW}>obrazek</a>"


def test_data_url_other_than_an_image_is_not_allowed_in_an_image_source():
    html = '<img src="data:image/svg+xml;base64,PHN2Zz4=" alt="x"><img src="data:text/plain,x">'

    assert sanitize_html(html) == '<img src="data:image/svg+xml;base64,PHN2Zz4=" alt="x"><img>'


# Plain text of HTML


@pytest.mark.parametrize(
    ("html", "text"),
    [
        (
            "<p>Dzień dobry,</p><p>paczka nie dotarła.<br>Pozdrawiam<br/>Jan</p>",
            "Dzień dobry,\npaczka nie dotarła.\nPozdrawiam\nJan",
        ),
        ("<div>a &amp; b &lt;c&gt; &quot;d&quot;</div>", 'a & b <c> "d"'),
        ("<ul><li>jeden</li><li>dwa</li></ul>", "jeden\ndwa"),
        ("<h1>Tytuł</h1><blockquote>cytat</blockquote>koniec", "Tytuł\ncytat\nkoniec"),
        ("<p>a</p><p></p><p></p><p></p><p>b</p>", "a\n\nb"),
        ("<style>p { color: red }</style><script>alert(1)</script>Tekst", "Tekst"),
        ("   <p>   wcięcie   </p>   ", "wcięcie"),
        ("", ""),
    ],
)
def test_html_to_text_gives_readable_lines(html, text):
    assert html_to_text(html) == text


# The shared corpus of XSS vectors


class _Elements(HTMLParser):
    """Every start tag of a document with its attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))


def _compact(value: str | None) -> str:
    """A URL as a lenient browser might read it: no whitespace or invisible characters."""
    return "".join(c for c in value or "" if c.isprintable() and not c.isspace()).lower()


URL_ATTRIBUTES = {"href", "src", "action", "formaction"}
SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:text")


def _dangers(html: str) -> list[str]:
    """What in sanitised output could still run script: script tags, handlers, script URLs."""
    parser = _Elements()
    parser.feed(html)
    parser.close()
    attributes = [(tag, name, value) for tag, pairs in parser.elements for name, value in pairs]
    script_tags = ["<script" for _ in range(html.lower().count("<script"))]
    handlers = [f"{tag} {name}" for tag, name, _ in attributes if name.startswith("on")]
    script_urls = [
        f"{tag} {name}={value!r}"
        for tag, name, value in attributes
        if name in URL_ATTRIBUTES and _compact(value).startswith(SCRIPT_SCHEMES)
    ]
    return script_tags + handlers + script_urls


def test_danger_check_recognises_dangerous_markup():
    html = '<script>x</script><a href=" JavaScript:x" onclick="y">a</a><img src="data:text/html,x">'

    assert _dangers(html) == [
        "<script",
        "a onclick",
        "a href=' JavaScript:x'",
        "img src='data:text/html,x'",
    ]


def test_xss_corpus_leaves_nothing_that_can_run(testdata):
    corpus = json.loads(
        (testdata / "email-corpus" / "security" / "xss_vectors.json").read_text(encoding="utf-8")
    )
    vectors = corpus["vectors"]

    survivors = {vector["id"]: _dangers(sanitize_html(vector["payload"])) for vector in vectors}

    assert len(vectors) == corpus["count"] == 99
    assert {key: value for key, value in survivors.items() if value} == {}


# Showing stored HTML: inline images resolved, remote ones only on request

INLINE = {"logo@sklep": "/api/v1/attachments/7"}


@pytest.mark.parametrize(
    ("html", "shown", "blocked"),
    [
        ('<img src="cid:logo@sklep" alt="L">', '<img src="/api/v1/attachments/7" alt="L">', False),
        ('<img src="cid:%3Clogo@sklep%3E">', '<img src="/api/v1/attachments/7">', False),
        ('<img src="cid:inny@sklep" alt="L">', '<img alt="L">', False),
        ('<img src="https://t.example/o.png" alt="T">', '<img alt="T">', True),
        ('<img src="HTTP://t.example/o.png">', "<img>", True),
        ('<img src="//t.example/o.png">', "<img>", True),
        ('<img src="obrazek.png">', "<img>", False),
        ('<img src="data:image/png;base64,AAAA">', '<img src="data:image/png;base64,AAAA">', False),
        ('<img src="javascript:alert(1)">', "<img>", False),
        ('<p onclick="x()">a</p><script>alert(1)</script>', "<p>a</p>", False),
    ],
)
def test_html_for_display_resolves_inline_images_and_blocks_remote_ones(html, shown, blocked):
    displayed = html_for_display(html, inline_images=INLINE, allow_remote_images=False)

    assert (displayed.html, displayed.remote_images_blocked) == (shown, blocked)


def test_html_for_display_keeps_remote_images_when_allowed():
    html = '<img src="https://t.example/o.png"><img src="//t.example/p.png"><a href="/x">a</a>'

    displayed = html_for_display(html, inline_images={}, allow_remote_images=True)

    assert displayed.html == (
        '<img src="https://t.example/o.png"><img src="//t.example/p.png">'
        f'<a href="/x" target="_blank" {NOFOLLOW}>a</a>'
    )
    assert displayed.remote_images_blocked is False
