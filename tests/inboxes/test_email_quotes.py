"""Splitting a reply from its quoted history: the shared corpus, composed replies, hostile input.

The splitter's rule is "never lose what the customer wrote": a body with content always keeps
some reply, and the reply plus the quoted part hold every non-whitespace character of the input.
"""

import email
import email.policy
import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from okienko.inboxes.email.quotes import SplitReply, split_reply_html, split_reply_text

# Corpus expectations we do not meet on purpose, each against a rule of the splitter.
_KEEPS_TEXT_BELOW_A_QUOTE = (
    "talon removes a quote from the middle and keeps the sign-off below it; we cut once and "
    "keep a quote that has the sender's text below it (inline answers need their questions)"
)
_KEEPS_TEXT_ON_HEADER_LINE = (
    "talon variant that also drops 'bla-bla - bla', the sender's text sharing the header's line; "
    "we keep it (never lose the customer's text)"
)
XFAIL = {
    "talon-15-test_reply_wraps_quotations": _KEEPS_TEXT_BELOW_A_QUOTE,
    "talon-16-test_reply_wraps_nested_quotations": _KEEPS_TEXT_BELOW_A_QUOTE,
    "talon-17-test_quotation_separator_takes_2_lines": _KEEPS_TEXT_BELOW_A_QUOTE,
    "talon-10-test_reply_and_quotation_splitter_share_line": _KEEPS_TEXT_ON_HEADER_LINE,
    "talon-11-test_reply_and_quotation_splitter_share_line": _KEEPS_TEXT_ON_HEADER_LINE,
    "jetbrains__AB_149": (
        "JetBrains leaves the bare 'Zhuk Pavel wrote:' line in the reply; '<name> wrote:' is a "
        "quote header for us"
    ),
}

# Exact expectations whose source compares trimmed text.
_TRIMMED_KEYS = ("fragment[0] (trimmed)", "visible_text (trimmed)", "visible_reply (stripped)")
_EXACT_KEYS = ("visible_text", "visible_reply")
_FRAGMENT_KEY = re.compile(r"fragment\[(\d+)\]( matches| contains)?")


def _corpus() -> Path | None:
    root = os.environ.get("OKIENKO_TESTDATA", "")
    return Path(root) / "email-corpus" if root else None


def _param(case_id: str, *values: object) -> object:
    marks = [pytest.mark.xfail(reason=XFAIL[case_id], strict=True)] if case_id in XFAIL else []
    return pytest.param(*values, id=case_id, marks=marks)


def _reply_body_expectations() -> list[tuple[str, dict[str, object]]]:
    corpus = _corpus()
    if corpus is None:
        return []
    folder = corpus / "reply-bodies"
    return [
        (path.name, json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8")))
        for path in sorted(folder.glob("*.txt"))
    ]


def _reply_body_cases() -> dict[str, list[object]]:
    """Checks per kind, each a pytest param: (file, expected text) or (file, part, pattern)."""
    cases: dict[str, list[object]] = {"exact": [], "trimmed": [], "fragment": [], "untouched": []}
    for name, expected in _reply_body_expectations():
        hidden = expected.get("hidden", [])
        for key, value in expected.items():
            if key in _EXACT_KEYS:
                cases["exact"].append(_param(name, name, value))
            elif key in _TRIMMED_KEYS:
                cases["trimmed"].append(_param(name, name, value))
            elif key in ("fragment[0] contains", "reply contains"):
                for index, needle in enumerate(value):
                    pattern = re.escape(needle)
                    cases["fragment"].append(
                        _param(f"{name}-{key}-{index}", name, "reply", pattern)
                    )
            elif key == "visible reply contains (zapier test)":
                cases["fragment"].append(_param(f"{name}-{key}", name, "reply", re.escape(value)))
            elif (match := _FRAGMENT_KEY.fullmatch(key)) and str(value).strip():
                # github's hidden fragments are what we move to quoted; the rest stay visible.
                index, how = int(match.group(1)), match.group(2)
                part = "quoted" if index < len(hidden) and hidden[index] else "reply"
                pattern = value if how == " matches" else re.escape(str(value).strip())
                cases["fragment"].append(_param(f"{name}-{key}", name, part, pattern))
        if expected.get("fragments") == 1 and expected.get("fragment[0].quoted") is False:
            cases["untouched"].append(_param(name, name))
    return cases


def _talon_inline_cases() -> list[object]:
    corpus = _corpus()
    if corpus is None:
        return []
    path = corpus / "reply-bodies" / "talon__text_quotations_inline_cases.json"
    cases = json.loads(path.read_text(encoding="utf-8"))["cases"]
    return [
        _param(f"talon-{index}-{case['test']}", case["input"], case["expected"])
        for index, case in enumerate(cases)
    ]


def _jetbrains_cases(*, quoted: bool) -> list[object]:
    corpus = _corpus()
    if corpus is None:
        return []
    params = []
    for path in sorted((corpus / "quoted-replies").glob("jetbrains__*.eml")):
        expected = json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))
        header = expected["quote_header"]
        if (header is not None) == quoted:
            params.append(_param(path.stem, path.name, header))
    return params


BODY_CASES = _reply_body_cases()
TALON_INLINE_CASES = _talon_inline_cases()
JETBRAINS_QUOTED = _jetbrains_cases(quoted=True)
JETBRAINS_UNQUOTED = _jetbrains_cases(quoted=False)
TALON_STANDARD_REPLIES = [
    "talon__android.eml",
    "talon__aol.eml",
    "talon__apple_mail.eml",
    "talon__apple_mail_2.eml",
    "talon__comcast.eml",
    "talon__gmail.eml",
    "talon__hotmail.eml",
    "talon__outlook.eml",
    "talon__thunderbird.eml",
    "talon__yahoo.eml",
]


def _normalised(text: str) -> str:
    """Lines without trailing whitespace, with no blank lines at either end, joined by LF."""
    lines = [line.rstrip() for line in re.split(r"\r\n|\r|\n", text)]
    return "\n".join(lines).strip("\n")


def _untouched(text: str) -> SplitReply:
    """The split of a body with nothing to remove: the body with LF line ends, trimmed."""
    return SplitReply(re.sub(r"\r\n|\r", "\n", text).lstrip("\n").rstrip(), "")


def _nonspace(text: str) -> str:
    return "".join(text.split())


def _plain_body(path: Path) -> str:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    return message.get_body(preferencelist=("plain",)).get_content()


def _corpus_file(testdata: Path, folder: str, name: str) -> Path:
    return testdata / "email-corpus" / folder / name


# The shared corpus: reply-bodies/


def test_every_reply_body_expectation_is_collected(testdata):
    # The cases above are built at collection time from OKIENKO_TESTDATA; this test fails a
    # strict run without it, and checks that every body with an expectation is in a case.
    folder = testdata / "email-corpus" / "reply-bodies"
    checked = {
        param.values[0]
        for kind in ("exact", "trimmed", "fragment", "untouched")
        for param in BODY_CASES[kind]
    }
    with_expectation = {path.name for path in folder.glob("*.txt")} - {"github__pathological.txt"}

    assert checked == with_expectation
    assert len(TALON_INLINE_CASES) == 44


@pytest.mark.parametrize(("name", "expected"), BODY_CASES["exact"])
def test_reply_body_keeps_the_expected_visible_text(testdata, name, expected):
    body = _corpus_file(testdata, "reply-bodies", name).read_text(encoding="utf-8")

    assert split_reply_text(body).reply == expected


@pytest.mark.parametrize(("name", "expected"), BODY_CASES["trimmed"])
def test_reply_body_keeps_the_expected_trimmed_text(testdata, name, expected):
    body = _corpus_file(testdata, "reply-bodies", name).read_text(encoding="utf-8")

    assert _normalised(split_reply_text(body).reply) == _normalised(expected)


@pytest.mark.parametrize(("name", "part", "pattern"), BODY_CASES["fragment"])
def test_reply_body_fragment_lands_in_the_expected_part(testdata, name, part, pattern):
    body = _corpus_file(testdata, "reply-bodies", name).read_text(encoding="utf-8")

    assert re.search(pattern, getattr(split_reply_text(body), part), re.MULTILINE)


@pytest.mark.parametrize("name", BODY_CASES["untouched"])
def test_reply_body_without_quotation_is_untouched(testdata, name):
    body = _corpus_file(testdata, "reply-bodies", name).read_text(encoding="utf-8")

    assert split_reply_text(body) == _untouched(body)


def test_pathological_github_body_is_split_at_its_header(testdata):
    body = _corpus_file(testdata, "reply-bodies", "github__pathological.txt").read_text()

    split = split_reply_text(body)

    assert split.reply == (
        "I think you're onto something. I will try to fix the problem as soon as I\n"
        "get back to a computer."
    )
    assert split.quoted.startswith('On Dec 8, 2013 2:10 PM, "John Sullivan"')


@pytest.mark.parametrize(("body", "expected"), TALON_INLINE_CASES)
def test_talon_inline_case_keeps_the_expected_reply(body, expected):
    assert split_reply_text(body).reply == expected


# The shared corpus: quoted-replies/


@pytest.mark.parametrize(("name", "header"), JETBRAINS_QUOTED)
def test_jetbrains_reply_is_the_text_above_the_quote_header(testdata, name, header):
    body = _plain_body(_corpus_file(testdata, "quoted-replies", name))
    lines = re.split(r"\r\n|\r|\n", body)

    split = split_reply_text(body)

    # The decoded body is the one the indices were computed on.
    assert lines[header["startIndex"] : header["endIndex"]] == header["text"]
    assert _normalised(split.reply) == _normalised("\n".join(lines[: header["startIndex"]]))


@pytest.mark.parametrize(("name", "header"), JETBRAINS_UNQUOTED)
def test_jetbrains_reply_without_quotation_is_untouched(testdata, name, header):
    body = _plain_body(_corpus_file(testdata, "quoted-replies", name))

    assert split_reply_text(body) == _untouched(body)


def test_jetbrains_cases_are_collected(testdata):
    names = {path.name for path in (testdata / "email-corpus" / "quoted-replies").glob("j*.eml")}
    collected = {param.values[0] for param in JETBRAINS_QUOTED + JETBRAINS_UNQUOTED}

    assert collected == names
    assert {"jetbrains__SL_4008.eml", "jetbrains__SL_704.eml"} <= collected


@pytest.mark.parametrize("name", TALON_STANDARD_REPLIES)
def test_talon_standard_reply_is_hello(testdata, name):
    body = _plain_body(_corpus_file(testdata, "quoted-replies", name))

    assert split_reply_text(body).reply == "Hello"


@pytest.mark.parametrize(
    ("name", "signature"),
    [
        ("talon__iphone.eml", "Sent from my iPhone"),
        ("talon__sparrow.eml", "-- \nxxx\nSent with Sparrow (http://www.sparrowmailapp.com/?sig)"),
    ],
)
def test_talon_standard_reply_moves_the_signature_to_quoted(testdata, name, signature):
    # talon keeps signatures in the reply; ours are shown collapsed with the quote.
    body = _plain_body(_corpus_file(testdata, "quoted-replies", name))

    split = split_reply_text(body)

    assert split.reply == "Hello"
    assert split.quoted.startswith(signature)


def test_talon_reply_sharing_a_block_with_the_quotation_keeps_no_header(testdata):
    body = _plain_body(
        _corpus_file(testdata, "quoted-replies", "talon__reply-quotations-share-block.eml")
    )

    split = split_reply_text(body)

    assert split.reply.endswith("\xa0\nJoe XXX")
    assert "From" not in split.reply
    assert split.quoted.startswith("--- On Wed, 4/4/12, xxx@example.com")


def test_chatwoot_gmail_reply_loses_quote_and_signature(testdata):
    body = _plain_body(_corpus_file(testdata, "quoted-replies", "chatwoot__mail_with_quote.eml"))

    split = split_reply_text(body)

    assert split.reply == "Yes, I am providing you step how to reproduce this issue"
    assert "> Any update on this?" in split.quoted
    assert split.quoted.endswith("--\n* Sony Mathew*\nSoftware developer\n*Mob:9999999999")


def test_django_helpdesk_original_message_goes_to_quoted(testdata):
    body = _plain_body(
        _corpus_file(testdata, "quoted-replies", "djhelpdesk__forwarded-message.eml")
    )

    split = split_reply_text(body)

    assert split.reply == "This is email body"
    assert split.quoted.startswith("-----Original Message-----\nFrom: GitHub <noreply@github.com>")
    assert "Hello there!" in split.quoted


def test_italian_outlook_forward_without_a_separator_is_cut_like_a_reply(testdata):
    # Outlook forwards ("I: Ordine") with no separator line: the "Da:/Inviato:/A:/Oggetto:"
    # block is the one Outlook writes under a reply, and the body alone cannot tell them apart.
    body = _plain_body(_corpus_file(testdata, "quoted-replies", "spamscope__mail_test_7.eml"))

    split = split_reply_text(body)

    assert split.reply.startswith("Ciao sere mi puoi dire se il mio cliente deve fare")
    assert split.quoted.startswith("Da: export@agade.info [mailto:chiarodiluce@gmail.com]")


# The shared corpus: quoted-replies/html/


@pytest.mark.parametrize(
    ("name", "reply_phrase", "quote_phrase"),
    [
        ("talon__OLK_SRC_BODY_SECTION.html", "<div>Reply</div>", "Subject: </span>Test"),
        ("talon__gmail.html", "Hi. I am fine.", "Hello! How are you?"),
        ("talon__hotmail.html", "Hi. I am fine.", "Hello! How are you?"),
        ("talon__mail_ru.html", "Hi. I am fine.", "Hello! How are you?"),
        ("talon__ms_outlook_2003.html", "Hi. I am fine.", "Hello! How are you?"),
        ("talon__ms_outlook_2007.html", "Hi. I am fine.", "Hello! How are you?"),
        ("talon__ms_outlook_2010.html", "Hi. I am fine.", "Hello! How are you?"),
        ("talon__reply-separated-by-hr.html", "there", "<b>From: </b>bob@example.com"),
        ("talon__thunderbird.html", "Hi. I am fine.", "Hello! How are you?"),
        ("talon__windows_mail.html", "Hi. I am fine.", "Hello! How are you?"),
        ("talon__yandex_ru.html", "Hi. I am fine.", "Hello! How are you?"),
    ],
)
def test_html_quote_is_cut(testdata, name, reply_phrase, quote_phrase):
    html = _corpus_file(testdata, "quoted-replies/html", name).read_text(encoding="utf-8")

    reply_html, quoted_html = split_reply_html(html)

    assert reply_html + quoted_html == html
    assert reply_phrase in reply_html
    assert quote_phrase in quoted_html
    assert quote_phrase not in reply_html


@pytest.mark.parametrize(
    ("name", "quoted_start"),
    [
        ("talon__gmail.html", '<div class="gmail_extra"><br><br><div class="gmail_quote">On'),
        ("talon__thunderbird.html", '<div class="moz-cite-prefix">On 26.06.2014'),
        # Empty markup between the reply and the quote container goes with the quote.
        ("talon__hotmail.html", '<br><div><hr id="stopSpelling">Date:'),
        ("talon__yandex_ru.html", '<br />26.06.2014, 14:41, "Alexander L"'),
    ],
)
def test_html_quoted_part_starts_right_after_the_reply(testdata, name, quoted_start):
    html = _corpus_file(testdata, "quoted-replies/html", name).read_text(encoding="utf-8")

    assert split_reply_html(html)[1].startswith(quoted_start)


# Polish replies


def test_polish_thunderbird_w_dniu_pisze():
    body = (
        "Dzień dobry,\n"
        "paczka nadal nie dotarła.\n"
        "\n"
        "W dniu 12.03.2026 o 10:15, Jan Kowalski pisze:\n"
        "> Dzień dobry,\n"
        "> przesyłka została nadana wczoraj.\n"
    )

    assert split_reply_text(body) == SplitReply(
        reply="Dzień dobry,\npaczka nadal nie dotarła.",
        quoted=(
            "W dniu 12.03.2026 o 10:15, Jan Kowalski pisze:\n"
            "> Dzień dobry,\n"
            "> przesyłka została nadana wczoraj."
        ),
    )


def test_polish_gmail_napisal_a():
    body = (
        "Dziękuję, faktura się zgadza.\n"
        "\n"
        "pon., 12 mar 2026 o 10:15 Jan Kowalski <jan@example.pl> napisał(a):\n"
        "\n"
        "> W załączniku faktura.\n"
    )

    assert split_reply_text(body) == SplitReply(
        reply="Dziękuję, faktura się zgadza.",
        quoted=(
            "pon., 12 mar 2026 o 10:15 Jan Kowalski <jan@example.pl> napisał(a):\n"
            "\n"
            "> W załączniku faktura."
        ),
    )


def test_polish_gmail_napisal_a_wrapped_over_two_lines():
    body = (
        "Dziękuję, faktura się zgadza.\n"
        "\n"
        "pon., 12 mar 2026 o 10:15 Jan Kowalski <jan.kowalski@example.pl>\n"
        "napisał(a):\n"
        "\n"
        "> W załączniku faktura.\n"
    )

    assert split_reply_text(body) == SplitReply(
        reply="Dziękuję, faktura się zgadza.",
        quoted=(
            "pon., 12 mar 2026 o 10:15 Jan Kowalski <jan.kowalski@example.pl>\n"
            "napisał(a):\n"
            "\n"
            "> W załączniku faktura."
        ),
    )


def test_polish_gmail_header_without_a_weekday():
    body = "Tak, proszę.\n\n12 marca 2026 10:15 Jan Kowalski <jan@example.pl> napisał(a):\n> Czy?"

    assert split_reply_text(body).reply == "Tak, proszę."


def test_polish_outlook_block_after_an_underscore_line():
    body = (
        "Proszę o fakturę korygującą.\n"
        "\n"
        "________________________________\n"
        "Od: Jan Kowalski <jan@example.pl>\n"
        "Wysłano: poniedziałek, 12 marca 2026 10:15\n"
        "Do: Biuro <biuro@firma.pl>\n"
        "Temat: Re: Zamówienie 123\n"
        "\n"
        "Dzień dobry, zamówienie zostało wysłane.\n"
    )

    assert split_reply_text(body) == SplitReply(
        reply="Proszę o fakturę korygującą.",
        quoted=(
            "________________________________\n"
            "Od: Jan Kowalski <jan@example.pl>\n"
            "Wysłano: poniedziałek, 12 marca 2026 10:15\n"
            "Do: Biuro <biuro@firma.pl>\n"
            "Temat: Re: Zamówienie 123\n"
            "\n"
            "Dzień dobry, zamówienie zostało wysłane."
        ),
    )


def test_polish_outlook_block_with_data_and_dw_and_no_addresses():
    body = (
        "Potwierdzam odbiór.\n"
        "Od: Jan Kowalski\n"
        "Data: 12 marca 2026 10:15\n"
        "Do: Biuro Obsługi\n"
        "DW: Anna Nowak\n"
        "Temat: Odbiór towaru\n"
        "\n"
        "Proszę o potwierdzenie.\n"
    )

    assert split_reply_text(body) == SplitReply(
        reply="Potwierdzam odbiór.",
        quoted=(
            "Od: Jan Kowalski\n"
            "Data: 12 marca 2026 10:15\n"
            "Do: Biuro Obsługi\n"
            "DW: Anna Nowak\n"
            "Temat: Odbiór towaru\n"
            "\n"
            "Proszę o potwierdzenie."
        ),
    )


@pytest.mark.parametrize(
    "body",
    [
        "Proszę o rezerwację.\nOd: 12.03.2026\nDo: 15.03.2026\nTemat: szkolenie BHP\n\nDziękuję",
        "Proszę o spotkanie.\nData: 12 marca\nOd: 10:00\nDo: 14:00\n\nAnna",
    ],
    ids=["date-range", "meeting-hours"],
)
def test_polish_od_do_in_the_customers_text_is_not_an_outlook_block(body):
    assert split_reply_text(body) == SplitReply(body, "")


def test_polish_wiadomosc_oryginalna():
    body = (
        "Zgoda.\n"
        "\n"
        "-----Wiadomość oryginalna-----\n"
        "Od: Jan Kowalski [mailto:jan@example.pl]\n"
        "Czy termin pasuje?\n"
    )

    assert split_reply_text(body) == SplitReply(
        reply="Zgoda.",
        quoted=(
            "-----Wiadomość oryginalna-----\n"
            "Od: Jan Kowalski [mailto:jan@example.pl]\n"
            "Czy termin pasuje?"
        ),
    )


def test_polish_apple_mail_wiadomosc_napisana_przez():
    body = (
        "Dziękuję!\n"
        "\n"
        "> Wiadomość napisana przez Jan Kowalski <jan@example.pl> w dniu 12.03.2026, "
        "o godz. 10:15:\n"
        ">\n"
        "> Gotowe.\n"
    )

    assert split_reply_text(body).reply == "Dziękuję!"


def test_polish_apple_mail_header_outside_the_quote():
    body = (
        "Dziękuję!\n"
        "\n"
        "Wiadomość napisana przez Jan Kowalski <jan@example.pl> w dniu 12 mar 2026, "
        "o godz. 10:15:\n"
        "\n"
        "> Gotowe.\n"
    )

    assert split_reply_text(body) == SplitReply(
        reply="Dziękuję!",
        quoted=(
            "Wiadomość napisana przez Jan Kowalski <jan@example.pl> w dniu 12 mar 2026, "
            "o godz. 10:15:\n"
            "\n"
            "> Gotowe."
        ),
    )


def test_polish_dnia_o_godz_napisal_a_with_unprefixed_history():
    body = (
        "Dobrze, czekam.\n"
        "\n"
        "Dnia 12.03.2026 o godz. 10:15 Jan Kowalski <jan@example.pl> napisał(a):\n"
        "\n"
        "Wysyłka nastąpi jutro.\n"
    )

    assert split_reply_text(body) == SplitReply(
        reply="Dobrze, czekam.",
        quoted=(
            "Dnia 12.03.2026 o godz. 10:15 Jan Kowalski <jan@example.pl> napisał(a):\n"
            "\n"
            "Wysyłka nastąpi jutro."
        ),
    )


@pytest.mark.parametrize("header", ["Jan Kowalski napisał:", "Anna Nowak napisała:"])
def test_polish_name_napisal(header):
    body = f"Zgadzam się.\n\n{header}\n> Czy możemy przesunąć termin?\n"

    assert split_reply_text(body) == SplitReply(
        "Zgadzam się.", f"{header}\n> Czy możemy przesunąć termin?"
    )


@pytest.mark.parametrize(
    "body",
    [
        "Tak jak kolega napisał:\n\nprosimy o zwrot pieniędzy.",
        "Kurier napisał:\n\nPaczka u sąsiada.\n\nCo mam zrobić?",
        "Jan Kowalski napisał:\n\nPaczka u sąsiada.\n\nCo mam zrobić?",
        "Reklamacja.\nW dniu 12 marca sklep napisał:\n\nTowar wysłany.\n\nNie dotarł.",
        "Reklamacja.\nDnia 12.03.2026 sprzedawca napisał:\n\nTowar wysłany.\n\nNie dotarł.",
        "Reklamacja.\nOn 12 March the shop wrote:\n\nShipped.\n\nIt was not.",
    ],
    ids=["lowercase-words", "one-word", "name-without-quote", "w-dniu", "dnia", "on"],
)
def test_customer_prose_that_looks_like_a_header_is_kept(body):
    # Without a time or an address (real headers carry them) or ">" lines under it, such a
    # line is the customer quoting someone in their own words.
    assert split_reply_text(body) == SplitReply(body, "")


# Forwards: the sender passes a message on, so it stays in the reply, whole.

_FORWARDED_BLOCK = (
    "Od: Kurier <kurier@example.pl>\n"
    "Data: 12 marca 2026 10:15\n"
    "Temat: Paczka\n"
    "Do: Anna Nowak <anna@example.pl>\n"
    "\n"
    "Paczka czeka w punkcie.\n"
    "\n"
    "-- \n"
    "Kurier Sp. z o.o."
)


@pytest.mark.parametrize(
    "separator",
    [
        "---------- Przekazana wiadomość ----------",
        "---------- Forwarded message ---------",
        "-------- Wiadomość przekazana dalej --------",
        "Begin forwarded message:",
    ],
)
def test_polish_gmail_forward_under_a_note_stays_in_the_reply(separator):
    body = f"FYI, zobaczcie poniżej.\n\n{separator}\n{_FORWARDED_BLOCK}\n"

    assert split_reply_text(body) == SplitReply(body.rstrip(), "")


def test_forward_without_a_note_stays_the_reply():
    body = f"---------- Przekazana wiadomość ----------\n{_FORWARDED_BLOCK}"

    assert split_reply_text(body) == SplitReply(body, "")


def test_polish_outlook_forward_block_is_not_a_reply_header():
    body = (
        "Proszę o sprawdzenie.\n"
        "\n"
        "---------- Przekazana wiadomość ----------\n"
        "Od: Jan Kowalski <jan@example.pl>\n"
        "Wysłano: poniedziałek, 12 marca 2026 10:15\n"
        "Do: Anna Nowak <anna@example.pl>\n"
        "Temat: Faktura 123\n"
        "\n"
        "W załączniku faktura.\n"
        "\n"
        "-----Wiadomość oryginalna-----\n"
        "Od: Anna Nowak <anna@example.pl>\n"
        "Czy jest faktura?\n"
    )

    # Nothing after the separator is cut, not even the history inside the forwarded message.
    assert split_reply_text(body) == SplitReply(body.rstrip(), "")


def test_apple_mail_begin_forwarded_message_keeps_the_quoted_forward():
    body = (
        "See below.\n"
        "\n"
        "Begin forwarded message:\n"
        "\n"
        "> From: John <j@x.com>\n"
        "> Subject: Hi\n"
        "> Date: 12 March 2026 at 10:15:00 CET\n"
        "> To: Anna <anna@example.com>\n"
        "> \n"
        "> Hello\n"
    )

    assert split_reply_text(body) == SplitReply(body.rstrip(), "")


def test_forward_keeps_the_signature_between_the_note_and_the_forward():
    body = f"FYI\n\n-- \nAnna Nowak\n\n---------- Forwarded message ---------\n{_FORWARDED_BLOCK}"

    assert split_reply_text(body) == SplitReply(body, "")


def test_forward_under_a_quote_keeps_the_quote():
    # An unprefixed forward under ">" history is the sender's: the reply stays one run of lines.
    body = (
        "Tak.\n"
        "\n"
        "W dniu 12.03.2026 o 10:15, Jan pisze:\n"
        "> Czy?\n"
        "> !\n"
        "\n"
        f"---------- Forwarded message ---------\n{_FORWARDED_BLOCK}"
    )

    assert split_reply_text(body) == SplitReply(body, "")


def test_bottom_posted_reply_with_a_forward_still_moves_the_leading_quote():
    body = (
        "W dniu 12.03.2026 o 10:15, Jan Kowalski pisze:\n"
        "> Czy termin pasuje?\n"
        "\n"
        "Tak, przesyłam potwierdzenie.\n"
        "\n"
        f"---------- Przekazana wiadomość ----------\n{_FORWARDED_BLOCK}"
    )

    split = split_reply_text(body)

    assert split.reply.startswith("Tak, przesyłam potwierdzenie.\n\n---------- Przekazana")
    assert split.reply.endswith("Kurier Sp. z o.o.")
    assert split.quoted == "W dniu 12.03.2026 o 10:15, Jan Kowalski pisze:\n> Czy termin pasuje?"


@pytest.mark.parametrize(
    "history",
    [
        "-----Wiadomość oryginalna-----\nOd: Jan Kowalski [mailto:jan@example.pl]\n",
        "Od: Jan Kowalski <jan@example.pl>\nWysłano: 12 marca 2026 10:15\nTemat: Paczka\n",
        "W dniu 12.03.2026 o 10:15, Jan Kowalski <jan@example.pl> pisze:\n\n",
    ],
    ids=["original-message", "outlook-block", "header-with-unprefixed-history"],
)
def test_forward_inside_the_answered_history_is_cut(history):
    # The customer answers a message that was itself a forward: it is history, not theirs.
    quoted = f"{history}FYI\n\n---------- Forwarded message ---------\n{_FORWARDED_BLOCK}"

    assert split_reply_text(f"Dziękuję.\n\n{quoted}") == SplitReply("Dziękuję.", quoted)


def test_quoted_history_then_wiadomosc_oryginalna_is_still_cut():
    quoted = (
        "W dniu 12.03.2026 o 10:15, Jan Kowalski pisze:\n"
        "> Czy wysłać dziś?\n"
        ">\n"
        "> -----Wiadomość oryginalna-----\n"
        "> Od: Anna Nowak <anna@example.pl>\n"
        "> Proszę o wysyłkę.\n"
        "\n"
        "-----Wiadomość oryginalna-----\n"
        "Od: Jan Kowalski [mailto:jan@example.pl]\n"
        "Wysłano: 11 marca 2026 09:00\n"
        "Temat: Zamówienie\n"
        "\n"
        "Zamówienie przyjęte."
    )

    assert split_reply_text(f"Zgoda, proszę wysłać.\n\n{quoted}\n") == SplitReply(
        "Zgoda, proszę wysłać.", quoted
    )


def test_quoted_forward_separator_is_history():
    body = "Dziękuję.\n\n> ---------- Forwarded message ---------\n> Od: Jan\n> Treść\n"

    assert split_reply_text(body) == SplitReply(
        "Dziękuję.", "> ---------- Forwarded message ---------\n> Od: Jan\n> Treść"
    )


@pytest.mark.parametrize(
    "signature",
    [
        "Wysłane z iPhone'a",
        "Wysłano z mojego iPhone'a",
        "Wysłane z aplikacji Poczta dla systemu Windows",
        "Wysłano z aplikacji Outlook dla systemu Android",
        "Pobierz aplikację Outlook dla systemu iOS",
    ],
)
def test_polish_mobile_signature_goes_to_quoted(signature):
    body = f"Proszę o kontakt.\n\n{signature}\n"

    assert split_reply_text(body) == SplitReply("Proszę o kontakt.", signature)


def test_polish_mobile_signature_above_a_quote():
    body = "Tak.\n\nWysłane z iPhone'a\n\nW dniu 12.03.2026 o 10:15, Jan pisze:\n> Czy?\n"

    assert split_reply_text(body) == SplitReply(
        "Tak.", "Wysłane z iPhone'a\n\nW dniu 12.03.2026 o 10:15, Jan pisze:\n> Czy?"
    )


def test_polish_shipping_sentence_is_not_a_mobile_signature():
    body = "Paczka gotowa.\n\nWysłane z magazynu w Poznaniu"

    assert split_reply_text(body) == SplitReply(body, "")


def test_polish_helpdesk_marker():
    body = "Dziękuję.\n## Odpowiedz powyżej tej linii ##\nZgłoszenie #123 zostało zamknięte.\n"

    assert split_reply_text(body) == SplitReply(
        "Dziękuję.", "## Odpowiedz powyżej tej linii ##\nZgłoszenie #123 zostało zamknięte."
    )


def test_pozdrawiam_stays_in_the_reply():
    body = "Dziękuję za pomoc.\n\nPozdrawiam,\nAnna"

    assert split_reply_text(body) == SplitReply(body, "")


def test_pozdrawiam_stays_above_a_quote():
    body = "Dziękuję.\n\nPozdrawiam,\nAnna\n\nW dniu 12.03.2026 o 10:15, Jan pisze:\n> Proszę.\n"

    assert split_reply_text(body).reply == "Dziękuję.\n\nPozdrawiam,\nAnna"


# English replies


def test_english_gmail_on_date_at_time_name_email_wrote():
    body = (
        "Thanks, that fixed it.\n"
        "\n"
        "On Mon, Mar 12, 2026 at 10:15 AM John <j@x.com> wrote:\n"
        "\n"
        "> Please restart the router.\n"
    )

    assert split_reply_text(body) == SplitReply(
        "Thanks, that fixed it.",
        "On Mon, Mar 12, 2026 at 10:15 AM John <j@x.com> wrote:\n\n> Please restart the router.",
    )


def test_english_outlook_from_sent_to_subject():
    body = (
        "Works now.\n"
        "\n"
        "From: John Smith <john@example.com>\n"
        "Sent: Monday, March 12, 2026 10:15 AM\n"
        "To: Support <support@example.com>\n"
        "Subject: RE: Router\n"
        "\n"
        "Please restart the router.\n"
    )

    assert split_reply_text(body) == SplitReply(
        reply="Works now.",
        quoted=(
            "From: John Smith <john@example.com>\n"
            "Sent: Monday, March 12, 2026 10:15 AM\n"
            "To: Support <support@example.com>\n"
            "Subject: RE: Router\n"
            "\n"
            "Please restart the router."
        ),
    )


def test_english_signature_delimiter():
    body = "See you tomorrow.\n\n-- \nJohn Smith\nACME Ltd.\n+48 600 000 000\n"

    assert split_reply_text(body) == SplitReply(
        "See you tomorrow.", "-- \nJohn Smith\nACME Ltd.\n+48 600 000 000"
    )


def test_double_dash_without_space_is_the_customers_separator():
    body = "Price: 100 PLN\n--\nDelivery: tomorrow"

    assert split_reply_text(body) == SplitReply(body, "")


def test_english_sent_from_my_iphone():
    assert split_reply_text("Yes, please.\n\nSent from my iPhone") == SplitReply(
        "Yes, please.", "Sent from my iPhone"
    )


def test_english_original_message_separator():
    body = "Agreed.\n\n-----Original Message-----\nFrom: John\nHello"

    assert split_reply_text(body) == SplitReply(
        "Agreed.", "-----Original Message-----\nFrom: John\nHello"
    )


def test_english_begin_forwarded_message_under_a_note_stays_in_the_reply():
    body = "See below.\n\nBegin forwarded message:\n\nFrom: John <j@x.com>\nSubject: Hi\n\nHello"

    assert split_reply_text(body) == SplitReply(body, "")


def test_english_underscore_line_then_from():
    body = (
        "OK\n"
        "________________________________\n"
        "From: John <j@x.com>\n"
        "Sent: Monday, March 12, 2026 10:15\n"
        "Subject: Hi\n"
    )

    assert split_reply_text(body).reply == "OK"


def test_helpdesk_reply_above_this_line_marker():
    body = "Solved, thanks.\n##- Please type your reply above this line -##\nTicket #1 updated."

    assert split_reply_text(body).reply == "Solved, thanks."


# Other languages


@pytest.mark.parametrize(
    "header",
    [
        "Am 12.03.2026 um 10:15 schrieb Hans Müller <hans@example.de>:",
        "Le 12 mars 2026 à 10:15, Pierre Dupont <pierre@example.fr> a écrit :",
        "Il giorno 12 mar 2026, alle ore 10:15 Mario Rossi <mario@example.it> ha scritto:",
        "12 марта 2026 г., в 10:15, Иван Петров <ivan@example.ru> написал:",
    ],
    ids=["german", "french", "italian", "russian"],
)
def test_other_language_header(header):
    body = f"OK.\n\n{header}\n\n> ?\n> !\n"

    assert split_reply_text(body) == SplitReply("OK.", f"{header}\n\n> ?\n> !")


# The shape of a reply


def test_fully_quoted_message_keeps_everything():
    body = "On Mon, Mar 12, 2026 at 10:15 AM John <j@x.com> wrote:\n> Hello\n> Bye\n"

    assert split_reply_text(body) == SplitReply(body.rstrip(), "")


def test_quote_line_inside_the_reply_is_not_a_cut_point():
    # Rule: ">" lines are a quote only when nothing but quotes and a signature follow them.
    body = "About your question:\n> which size?\nSize L, please.\n\nPozdrawiam,\nAnna"

    assert split_reply_text(body) == SplitReply(body, "")


def test_top_line_starting_with_a_quote_mark_does_not_eat_the_message():
    body = ">5 items, please.\nDelivery to Kraków."

    assert split_reply_text(body) == SplitReply(body, "")


def test_single_trailing_quote_mark_line_is_the_customers_text():
    body = "Order:\n> 5 items"

    assert split_reply_text(body) == SplitReply(body, "")


def test_two_trailing_quote_lines_are_quoted_history():
    assert split_reply_text("Yes.\n> Do you agree?\n> Regards") == SplitReply(
        "Yes.", "> Do you agree?\n> Regards"
    )


def test_interleaved_answers_keep_their_questions():
    body = (
        "On Mon, Mar 12, 2026 at 10:15 AM John <j@x.com> wrote:\n"
        "> Size?\n"
        "L\n"
        "> Colour?\n"
        "Red\n"
        "> Thanks,\n"
        "> John\n"
    )

    assert split_reply_text(body) == SplitReply(
        "On Mon, Mar 12, 2026 at 10:15 AM John <j@x.com> wrote:\n> Size?\nL\n> Colour?\nRed",
        "> Thanks,\n> John",
    )


def test_bottom_posted_reply_moves_the_leading_quote_to_quoted():
    body = "W dniu 12.03.2026 o 10:15, Jan Kowalski pisze:\n> Czy termin pasuje?\n\nTak, pasuje.\n"

    assert split_reply_text(body) == SplitReply(
        "Tak, pasuje.", "W dniu 12.03.2026 o 10:15, Jan Kowalski pisze:\n> Czy termin pasuje?"
    )


def test_bottom_posted_reply_with_a_signature():
    body = "On 12.03.2026 10:15, John wrote:\n> Well?\n\nFine.\n\n-- \nAnna\n"

    assert split_reply_text(body) == SplitReply(
        "Fine.", "On 12.03.2026 10:15, John wrote:\n> Well?\n-- \nAnna"
    )


def test_crlf_and_cr_bodies_split_like_lf():
    body = "Tak.\n\nW dniu 12.03.2026 o 10:15, Jan pisze:\n> Czy?\n"
    expected = split_reply_text(body)

    assert split_reply_text(body.replace("\n", "\r\n")) == expected
    assert split_reply_text(body.replace("\n", "\r")) == expected
    assert expected == SplitReply("Tak.", "W dniu 12.03.2026 o 10:15, Jan pisze:\n> Czy?")


def test_empty_and_blank_bodies():
    assert split_reply_text("") == SplitReply("", "")
    assert split_reply_text(" \r\n\t\n") == SplitReply("", "")


# HTML replies composed here


def test_html_apple_mail_header_before_blockquote_goes_with_the_quote():
    html = (
        "<div>Dziękuję!</div><div><br><div>Wiadomość napisana przez Jan Kowalski "
        "&lt;jan@example.pl&gt; w dniu 12.03.2026, o godz. 10:15:</div><br>"
        '<blockquote type="cite"><div>Gotowe.</div><div>Jan</div></blockquote></div>'
    )

    assert split_reply_html(html) == (
        html[: html.index("<div><br>")],
        html[html.index("<div><br>") :],
    )


def test_html_outlook_div_rply_fwd_msg_onwards():
    html = (
        '<div>Proszę o fakturę.</div><div id="appendonsend"></div><hr>'
        '<div id="divRplyFwdMsg"><b>Od:</b> Jan<br><b>Wysłano:</b> 12 marca 2026</div>'
        "<div>Treść poprzedniej wiadomości</div>"
    )

    reply_html, quoted_html = split_reply_html(html)

    assert reply_html == "<div>Proszę o fakturę.</div>"
    assert quoted_html.startswith('<div id="appendonsend"></div>')


def test_html_outlook_top_border_header_block():
    html = (
        "<p>Zgoda.</p>"
        '<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">'
        "<p><b>Od:</b> Jan Kowalski<br><b>Wysłano:</b> poniedziałek<br><b>Do:</b> Biuro</p></div>"
        "<p>Czy termin pasuje?</p>"
    )

    assert split_reply_html(html) == ("<p>Zgoda.</p>", html[len("<p>Zgoda.</p>") :])


def test_html_top_border_without_a_header_is_not_a_quote():
    html = '<p>Zgoda.</p><div style="border-top:solid 1px">Anna Nowak, Firma</div>'

    assert split_reply_html(html) == (html, "")


def test_html_yahoo_quoted():
    html = '<div>OK</div><div class="yahoo_quoted"><div>On Monday, John wrote:</div>Hi</div>'

    assert split_reply_html(html) == ("<div>OK</div>", html[len("<div>OK</div>") :])


def test_html_outlook_web_prefixes_x_():
    html = '<div>OK</div><div id="x_divRplyFwdMsg"><b>From:</b> John</div><div>Hi</div>'

    assert split_reply_html(html) == ("<div>OK</div>", html[len("<div>OK</div>") :])


def test_html_without_a_quote_is_whole():
    html = "<p>Dzień dobry,</p><p>proszę o kontakt.</p><blockquote>jeden cytat</blockquote>"

    assert split_reply_html(html) == (html, "")


def test_html_quote_only_message_is_whole():
    html = '<div class="gmail_quote">---------- Forwarded message ---------<br>Od: Jan</div>'

    assert split_reply_html(html) == (html, "")


def test_html_gmail_forward_under_a_note_stays_in_the_reply():
    html = (
        '<div dir="ltr">FYI, zobaczcie poniżej.<br><br>'
        '<div class="gmail_quote gmail_quote_container">'
        '<div dir="ltr" class="gmail_attr">---------- Forwarded message ---------<br>'
        'Od: <strong class="gmail_sendername" dir="auto">Kurier</strong> '
        '<span dir="auto">&lt;kurier@example.pl&gt;</span><br>'
        "Date: pon., 12 mar 2026 o 10:15<br>Subject: Paczka<br>"
        "To: &lt;anna@example.pl&gt;<br></div><br><br>"
        '<div dir="ltr">Paczka czeka w punkcie.</div></div></div>'
    )

    assert split_reply_html(html) == (html, "")


def test_html_gmail_polish_forward_stays_in_the_reply():
    html = (
        "<div>Przesyłam dalej.</div>"
        '<div class="gmail_quote"><div class="gmail_attr">'
        "---------- Przekazana wiadomość ---------<br>Od: Jan &lt;jan@example.pl&gt;<br>"
        "Data: 12 marca 2026<br>Temat: Faktura</div>"
        '<blockquote class="gmail_quote">Czy jest faktura?</blockquote></div>'
    )

    assert split_reply_html(html) == (html, "")


def test_html_apple_mail_begin_forwarded_message_stays_in_the_reply():
    html = (
        '<div>See below.<div><br><blockquote type="cite"><div>Begin forwarded message:</div>'
        '<br class="Apple-interchange-newline"><div><span><b>From: </b></span>'
        "<span>John &lt;j@x.com&gt;</span></div><div><span><b>Subject: </b></span>"
        "<span><b>Hi</b></span></div><div><span><b>Date: </b></span>"
        "<span>12 March 2026 at 10:15:00 CET</span></div><br><div>Hello</div>"
        "</blockquote></div></div>"
    )

    assert split_reply_html(html) == (html, "")


def test_html_outlook_forward_with_a_separator_stays_in_the_reply():
    html = (
        "<p>Proszę o sprawdzenie.</p><p>---------- Przekazana wiadomość ----------</p>"
        '<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">'
        "<p><b>Od:</b> Jan Kowalski &lt;jan@example.pl&gt;<br><b>Wysłano:</b> poniedziałek, "
        "12 marca 2026 10:15<br><b>Do:</b> Biuro<br><b>Temat:</b> Faktura</p></div>"
        "<p>W załączniku faktura.</p>"
    )

    assert split_reply_html(html) == (html, "")


def test_html_outlook_forward_inside_the_onwards_block_stays_in_the_reply():
    html = (
        '<div>FYI</div><div id="appendonsend"></div><hr>'
        '<div id="divRplyFwdMsg">---------- Forwarded message ---------<br>'
        "<b>From:</b> John &lt;j@x.com&gt;<br><b>Sent:</b> Monday, March 12, 2026<br>"
        "<b>Subject:</b> Hi</div><div>Hello</div>"
    )

    assert split_reply_html(html) == (html, "")


def test_html_gmail_reply_to_a_forward_is_cut():
    quote = (
        '<div class="gmail_quote"><div class="gmail_attr">pon., 12 mar 2026 o 10:15 Jan '
        "&lt;jan@example.pl&gt; napisał(a):<br></div>"
        '<blockquote class="gmail_quote"><div>FYI</div><div class="gmail_quote">'
        "---------- Forwarded message ---------<br>Od: Kurier<br>Treść</div></blockquote></div>"
    )

    assert split_reply_html("<div>Dziękuję.</div>" + quote) == ("<div>Dziękuję.</div>", quote)


def test_html_answers_below_a_quote_are_not_cut():
    html = (
        '<div>Odpowiedzi:</div><blockquote type="cite">Rozmiar?</blockquote><div>L</div>'
        '<blockquote type="cite">Kolor?</blockquote><div>Czerwony</div>'
    )

    assert split_reply_html(html) == (html, "")


def test_html_screenshot_above_the_quote_stays_in_the_reply():
    quote = '<div class="gmail_quote">On Mon wrote:<blockquote>Hi</blockquote></div>'
    html = '<div><img src="cid:screen"></div>' + quote

    assert split_reply_html(html) == ('<div><img src="cid:screen"></div>', quote)


def test_html_tracking_pixel_is_not_reply_text():
    html = '<div class="gmail_quote">On Mon wrote:<blockquote>Hi</blockquote></div>'
    pixel = '<img src="https://t.example/p.gif" width="1" height="1">'

    assert split_reply_html(pixel + html) == (pixel + html, "")


def test_html_preformatted_text_is_cut_between_its_lines():
    html = (
        "<pre>Tak &amp; dziękuję.\r\n"
        "\r\nW dniu 12.03.2026 o 10:15, Jan pisze:\r\n&gt; Czy?\r\n&gt; !</pre>"
    )

    assert split_reply_html(html) == (
        "<pre>Tak &amp; dziękuję.\r\n",
        "\r\nW dniu 12.03.2026 o 10:15, Jan pisze:\r\n&gt; Czy?\r\n&gt; !</pre>",
    )


def test_html_unclosed_head_does_not_hide_the_body():
    html = "<html><head><title>Re</title><body><p>OK</p><blockquote>a<br>b</blockquote>"

    assert split_reply_html(html) == (
        "<html><head><title>Re</title><body><p>OK</p>",
        "<blockquote>a<br>b</blockquote>",
    )


def test_html_empty():
    assert split_reply_html("") == ("", "")


# Hostile input: 200 KB bodies that make naive patterns backtrack. Nothing about time is
# asserted; the run must simply finish, and the invariants hold.

PATHOLOGICAL_TEXT = {
    "on-without-wrote": "On x " * 40_000,
    "on-lines": "On 1, 2 at 3\n" * 16_000,
    "w-dniu-lines": "W dniu 12.03.2026 o 10:15 Jan <j@x.pl>\n" * 5_000,
    "one-long-line": "a" * 200_000,
    "dashes": "-" * 200_000,
    "quote-marks": ">" * 200_000,
    "quoted-lines": "> x\n" * 50_000,
    "from-lines": "From: a@b.pl\n" * 15_000,
    "field-lines": "Od: x\nDo: y\n" * 10_000,
    "emails": "a@" * 100_000,
    "links": "(http://" * 25_000,
    "pisz": "pisz" * 50_000,
    "header-then-text": "On 1 Jan 2020, X wrote:\nx\n" * 8_000,
    "dash-on": "x--- On " * 25_000,
    "mixed": "On 1, Jan <a@b.c>\nwrote:\n> q\nanswer\n-- \n" * 5_000,
}


@pytest.mark.parametrize("body", PATHOLOGICAL_TEXT.values(), ids=PATHOLOGICAL_TEXT.keys())
def test_pathological_text_finishes_and_keeps_everything(body):
    split = split_reply_text(body)

    assert split.reply
    assert len(_nonspace(split.reply)) + len(_nonspace(split.quoted)) == len(_nonspace(body))


PATHOLOGICAL_HTML = {
    "open-tags": "<a" * 100_000,
    "open-divs": "<div " * 40_000,
    "comments": "<!--" * 50_000,
    "quoted-attributes": '<a b="' * 30_000,
    "end-tags": "</" * 100_000,
    "nested-blockquotes": "<blockquote>x" * 20_000 + "</blockquote>" * 20_000,
    "stray-end-tags": "x</div>" * 30_000,
    "marked-sections": "<![x" * 50_000,
    "breaks": "x<br>" * 40_000,
}


@pytest.mark.parametrize("html", PATHOLOGICAL_HTML.values(), ids=PATHOLOGICAL_HTML.keys())
def test_pathological_html_finishes(html):
    reply_html, quoted_html = split_reply_html(html)

    assert reply_html + quoted_html == html


# Properties

_HEADERISH_LINES = [
    "",
    "> quoted",
    ">",
    "-- ",
    "--",
    "Sent from my iPhone",
    "Wysłane z iPhone'a",
    "On Mon, Mar 12, 2026 at 10:15 AM John <j@x.com> wrote:",
    "W dniu 12.03.2026 o 10:15, Jan Kowalski pisze:",
    "pon., 12 mar 2026 o 10:15 Jan Kowalski <jan@example.pl>",
    "napisał(a):",
    "Od: Jan <jan@example.pl>",
    "Wysłano: 12 marca 2026",
    "Temat: x",
    "________________________________",
    "-----Original Message-----",
    "---------- Forwarded message ---------",
    "---------- Przekazana wiadomość ----------",
    "Begin forwarded message:",
    "## Odpowiedz powyżej tej linii ##",
    "Pozdrawiam,",
    "Jan Kowalski napisał:",
]
_mail_like = st.lists(
    st.one_of(st.sampled_from(_HEADERISH_LINES), st.text(max_size=20)), max_size=12
).map("\n".join)


@given(st.one_of(st.text(), _mail_like))
def test_split_reply_text_never_loses_text(text):
    # The invariant: the reply is empty only for a blank body, and the non-whitespace
    # characters of the body, in order, are those of quoted's leading part (a bottom-posted
    # quote, if any), then of the reply, then of the rest of quoted.
    split = split_reply_text(text)
    original, kept, removed = _nonspace(text), _nonspace(split.reply), _nonspace(split.quoted)

    assert bool(split.reply.strip()) == bool(text.strip())
    assert any(original == removed[:k] + kept + removed[k:] for k in range(len(removed) + 1))


_html_like = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "<div>",
                "</div>",
                "<br>",
                '<div class="gmail_quote">',
                '<blockquote type="cite">',
                "</blockquote>",
                '<div id="appendonsend">',
                "<!--",
                "-->",
                "<![",
                '<p style="border-top:solid">',
                "Od: Jan",
                "On 1 Jan 2020, X wrote:",
                "---------- Forwarded message ---------",
                "&gt; q",
            ]
        ),
        st.text(max_size=10),
    ),
    max_size=15,
).map("".join)


@given(st.one_of(st.text(), _html_like))
def test_split_reply_html_never_fails_and_only_cuts(html):
    reply_html, quoted_html = split_reply_html(html)

    assert reply_html + quoted_html == html
