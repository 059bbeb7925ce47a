"""Parsing raw e-mail: the shared corpus, hand-built messages, and hostile input.

The pipeline's rule is "never lose a message": parse_email returns a ParsedEmail or raises
UnparseableEmail with a reason, and nothing else, whatever the bytes are.
"""

import datetime
import hashlib
import json
import os
from email.message import EmailMessage
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from okienko.inboxes.email.parsing import (
    EmailAddress,
    MailKind,
    ParsedEmail,
    UnparseableEmail,
    message_ids,
    normalize_subject,
    parse_email,
)

CORPUS_FOLDERS = (
    "charsets",
    "attachments-html",
    "bounces-autoreplies",
    "mime-malformed",
    "headers",
    "threading",
    "quoted-replies",
)
POLISH = "Zażółć gęślą jaźń"
UTC = datetime.UTC


def _is_corpus_message(path: Path) -> bool:
    # Complete messages only (MANIFEST.md): *.eml, *.raw and CPython's msg_*.txt; the
    # expected-result files, the JSON scenarios and the html/ bodies are not messages.
    if not path.is_file() or ".expected." in path.name:
        return False
    return path.suffix in (".eml", ".raw") or path.name.startswith("cpython__msg_")


def _corpus_messages() -> list[str]:
    """Corpus files as "folder/name", listed at collection time from OKIENKO_TESTDATA."""
    root = os.environ.get("OKIENKO_TESTDATA", "")
    if not root:
        return []
    corpus = Path(root) / "email-corpus"
    return [
        f"{folder}/{path.name}"
        for folder in CORPUS_FOLDERS
        for path in sorted((corpus / folder).iterdir())
        if _is_corpus_message(path)
    ]


CORPUS = _corpus_messages()


def _outcome(raw: bytes) -> ParsedEmail | str:
    """The parsed message, or the quarantine reason; any other exception fails the test."""
    try:
        return parse_email(raw)
    except UnparseableEmail as error:
        return error.reason


def _reason(raw: bytes, **limits: int) -> str:
    with pytest.raises(UnparseableEmail) as raised:
        parse_email(raw, **limits)
    return raised.value.reason


@pytest.fixture
def corpus(testdata: Path) -> Path:
    return testdata / "email-corpus"


def _parse(corpus: Path, name: str) -> ParsedEmail:
    return parse_email((corpus / name).read_bytes())


def _expected(corpus: Path, name: str) -> dict[str, object]:
    stem = name.rsplit(".", 1)[0]
    return json.loads((corpus / f"{stem}.expected.json").read_text(encoding="utf-8"))


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# 1. Baseline over every corpus message


def test_the_corpus_is_there_for_the_baseline(testdata):
    # Without OKIENKO_TESTDATA the parametrised baseline below is empty; this test makes a
    # strict run fail then (the fixture fails under OKIENKO_TEST_STRICT=1).
    assert (testdata / "email-corpus" / "MANIFEST.md").is_file()
    assert len(CORPUS) == 114


@pytest.mark.parametrize("name", CORPUS)
def test_corpus_message_parses_or_is_quarantined_with_a_reason(corpus, name):
    outcome = _outcome((corpus / name).read_bytes())

    assert isinstance(outcome, ParsedEmail) or outcome.strip() != ""


def test_every_corpus_message_parses_without_quarantine(corpus):
    quarantined = [
        name
        for name in CORPUS
        if not isinstance(_outcome((corpus / name).read_bytes()), ParsedEmail)
    ]

    assert quarantined == []


# 2. Corpus checks against the expected files


def test_polish_iso_8859_2_outlook_subject_and_body(corpus):
    name = "charsets/gitlab__iso-8859-2_outlook16.eml"
    expected = _expected(corpus, name)

    parsed = _parse(corpus, name)

    assert parsed.subject == expected["subject (collector-decoded, not asserted by source)"]
    assert parsed.text == str(expected["body (trim_reply: false)"]).strip()


def test_real_polish_iso_8859_2_message_keeps_its_rtf_attachment(corpus):
    parsed = _parse(corpus, "charsets/spamassassin__nice_004_polish_iso-8859-2.eml")

    assert parsed.subject == "Jurek - popr Hom Kolosan"
    assert parsed.sender == EmailAddress("Jerzy Krykowski", "crico@lowicz.opoka.org.pl")
    assert [(a.filename, a.content_type) for a in parsed.attachments] == [
        ("Jurek - Poprawiona Homilia XII na List to Kolosan.rtf", "application/msword")
    ]
    assert parsed.attachments[0].content.startswith(b"{\\rtf1\\ansi\\ansicpg1250")


def test_polish_windows_1250_subject_folded_over_two_encoded_words(corpus):
    name = "charsets/phpmime__issue212_polish_autoreply.eml"

    parsed = _parse(corpus, name)

    assert parsed.subject == _expected(corpus, name)["subject"]
    assert parsed.text == "toto"  # declared iso-2022-jp, which plain ASCII also is
    # "Automatyczna odpowiedź" in the subject alone does not make it an auto-reply.
    assert parsed.kind == MailKind.NORMAL


def test_raw_8bit_latin_1_display_name_and_precedence_bulk(corpus):
    parsed = _parse(corpus, "charsets/flanker__from-encoding.eml")

    assert parsed.sender == EmailAddress("Ingo Lütkebohle", "ingo@blank.pages.de")
    assert parsed.kind == MailKind.LIST
    assert parsed.auto_submitted is False


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("charsets/flanker__bilingual-simple.eml", "Subject"),
        ("charsets/phpmime__issue116.eml", "subject"),
        ("charsets/phpmime__issue230.eml", "subject"),
        ("charsets/webklex__issue-511.eml", "subject"),
        ("charsets/webklex__ks_c_5601-1987_headers.eml", "subject"),
        ("charsets/spamassassin__nice_unicode1.eml", "Subject (decoded)"),
        ("charsets/spamassassin__nice_unicode2.eml", "Subject (decoded)"),
        ("charsets/djhelpdesk__quoted_printable.eml", "ticket.title"),
        ("charsets/djhelpdesk__utf-nondecodable.eml", "ticket.title"),
    ],
)
def test_encoded_subjects_decode_as_expected(corpus, name, key):
    assert _parse(corpus, name).subject == _expected(corpus, name)[key]


def test_utf_16_subject_decodes(corpus):
    parsed = _parse(corpus, "charsets/spamassassin__spam_utf16.eml")

    assert parsed.subject == "Design and manufacturing"


def test_rfc_6532_utf8_headers_and_split_encoded_words(corpus):
    name = "charsets/spamassassin__nice_unicode1.eml"
    expected = _expected(corpus, name)

    parsed = _parse(corpus, name)

    assert parsed.sender == EmailAddress(
        str(expected["From display name"]), str(expected["From address"]).lower()
    )
    assert parsed.message_id == str(expected["Message-ID"]).strip("<>")
    assert [a.filename for a in parsed.attachments] == [expected["Content-Type name contains"]]


def test_display_names_with_encoded_comma_and_escaped_quotes(corpus):
    name = "charsets/spamscope__mail_test_18.eml"
    expected = _expected(corpus, name)

    parsed = _parse(corpus, name)

    assert [[parsed.sender.name, parsed.sender.address]] == expected["from"]
    assert [[a.name, a.address] for a in parsed.cc] == expected["cc"]


def test_polish_and_korean_display_names(corpus):
    polish = _parse(corpus, "charsets/webklex__issue-511.eml")
    korean = _parse(corpus, "charsets/webklex__ks_c_5601-1987_headers.eml")

    assert polish.sender == EmailAddress("COMPANYNAME | usługi", "sender@sender_domain.tld")
    assert korean.sender == EmailAddress("김 현진", "from@there.com")
    assert korean.text == "Content"


def test_czech_quoted_printable_body(corpus):
    name = "charsets/djhelpdesk__quoted_printable.eml"

    parsed = _parse(corpus, name)

    assert parsed.text == _expected(corpus, name)["ticket.description"]
    # The HTML stays as received, CRLF included; the caller sanitises it.
    assert parsed.html == (
        '<div dir="ltr">Tohle je test českých písmen odeslaných z gmailu.</div>\r\n'
    )


def test_body_with_bytes_that_are_not_utf8_still_decodes(corpus):
    name = "charsets/djhelpdesk__utf-nondecodable.eml"

    parsed = _parse(corpus, name)

    assert str(_expected(corpus, name)["description contains"]) in parsed.html
    assert "Ahoj Johne,\npodle domluvy bych Tě poprosila" in parsed.text


def test_polish_attachment_name_split_over_quoted_encoded_words(corpus):
    name = "charsets/spamscope__mail_test_11_MODIFIED.eml"
    expected = _expected(corpus, name)

    parsed = _parse(corpus, name)

    assert [a.filename for a in parsed.attachments] == [
        expected["attachment filename (collector-decoded with Python email.policy.default)"]
    ]


def test_rfc_2047_encoded_attachment_name_without_text_body(corpus):
    parsed = _parse(corpus, "attachments-html/webklex__attachment_encoded_filename.eml")

    assert (parsed.subject, parsed.text, parsed.html) == ("", "", "")
    assert [(a.filename, a.content_type) for a in parsed.attachments] == [
        ("Prostřeno_2014_poslední volné termíny.xls", "application/vnd.ms-excel")
    ]
    assert _sha256(parsed.attachments[0].content) == (
        "a0ef7cfbc05b73dbcb298fe0bc224b41900cdaf60f9904e3fea5ba6c7670013c"
    )


def test_rfc_2231_continued_long_attachment_names(corpus):
    parsed = _parse(corpus, "attachments-html/webklex__attachment_long_filename.eml")
    tail = "Z" + "-0123456789-qwertyuiopasdfghjklzxcvbnmopqrstuvz" * 3

    assert [a.filename for a in parsed.attachments] == [
        "Buchungsbestätigung- Rechnung-Geschäftsbedingungen-Nr.B123-45 - XXXXX "
        "xxxxxxxxxxxxxxxxx XxxX, Lüxxxxxxxxxx - VM Klaus XXXXXX - xxxxxxxx.pdf",
        # The RFC 2231 filename lost its letters to "?" (iso-8859-15); the encoded name has them.
        f"01_A€àäąбيد@{tail}.txt",
        f"02_A€àäąбيد@{tail}.txt",
    ]
    assert {_sha256(a.content) for a in parsed.attachments} == {
        "ca51ce1fb15acc6d69b8a5700256172fcc507e02073e6f19592e341bd6508ab8"
    }


def test_raw_utf8_attachment_name(corpus):
    parsed = _parse(corpus, "attachments-html/mikel__attachment_nonascii_filename.eml")

    assert [a.filename for a in parsed.attachments] == ["ciële.txt"]


def test_html_only_message_gets_readable_text(corpus):
    parsed = _parse(corpus, "attachments-html/webklex__html_only.eml")

    assert parsed.subject == "Nuu"
    assert parsed.html == "<html><body>Hi</body></html>"
    assert parsed.text == "Hi"
    assert parsed.date == datetime.datetime(2017, 9, 13, 11, 5, 45, tzinfo=UTC)
    assert parsed.sender == EmailAddress("", "from@there.com")
    assert parsed.to == (EmailAddress("", "to@here.com"),)


def test_inline_cid_image_in_a_message_without_headers_but_content_type(corpus):
    parsed = _parse(corpus, "attachments-html/webklex__inline_attachment.eml")

    assert parsed.html == '<img style="height: auto;" src="cid:ii_15f0aad691bb745f" border="0"/>'
    assert (parsed.subject, parsed.text, parsed.sender, parsed.date) == ("", "", None, None)
    assert [
        (a.filename, a.content_type, a.content_id, a.is_inline) for a in parsed.attachments
    ] == [("image-1.png", "image/png", "ii_15f0aad691bb745f", True)]
    assert _sha256(parsed.attachments[0].content) == (
        "6568c9e9c35a7fa06f236e89f704d8c9b47183a24f2c978dba6c92e2747e3a13"
    )


def test_inline_image_with_long_content_id(corpus):
    name = "attachments-html/phpmime__m0129.eml"
    expected = _expected(corpus, name)

    parsed = _parse(corpus, name)

    assert len(parsed.attachments) == expected["attachments"]
    assert parsed.attachments[0].content_id == expected["content_id"]
    assert parsed.attachments[0].is_inline is True
    assert parsed.text == "Inline"


def test_three_html_parts_joined_and_two_pdfs(corpus):
    parsed = _parse(corpus, "attachments-html/webklex__multiple_html_parts_and_attachments.eml")

    assert parsed.text == (
        "This is the first html part\n\n\ufffc\n\nThis is the second html part\n\n\ufffc\n\n"
        "This is the last html part\nhttps://www.there.com"
    )
    assert parsed.html.count("<html>") == 3
    assert [(a.filename, a.content_type, _sha256(a.content)) for a in parsed.attachments] == [
        (
            "attachment1.pdf",
            "application/pdf",
            "c162adf19e0f67e26ef0b7f791b33a60b2c23b175560a505dc7f9ec490206e49",
        ),
        (
            "attachment2.pdf",
            "application/pdf",
            "a337b37e9d3edb172a249639919f0eee3d344db352046d15f8f9887e55855a25",
        ),
    ]


def test_embedded_message_without_disposition_is_an_eml_attachment(corpus):
    parsed = _parse(
        corpus, "attachments-html/webklex__embedded_email_without_content_disposition.eml"
    )

    assert parsed.message_id == "AC39946EBF5C034B87BABD5343E96979012671D9F7E4@VM002.cerk.cc"
    assert parsed.text == "TexT\n\n[cid:file.jpg]"
    assert parsed.html == "<html><p>TexT</p></html>"
    assert parsed.date == datetime.datetime(2019, 4, 5, 11, 48, 50, tzinfo=UTC)
    assert [(a.filename, a.content_type, a.is_inline) for a in parsed.attachments] == [
        ("file.jpg", "image/jpeg", True),
        ("embedded_message_subject.eml", "message/rfc822", False),
        ("file3.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", False),
        ("file4.zip", "application/x-zip-compressed", False),
    ]
    assert _sha256(parsed.attachments[0].content) == (
        "6b7fa434f92a8b80aab02d9bf1a12e49ffcae424e4013a1c4f68b67e3d2bbcd0"
    )
    assert parsed.attachments[1].content.startswith(b"Received: from webmail.my-office.cz")


def test_plain_text_body_with_ten_text_attachments(corpus):
    name = "attachments-html/phpmime__m0028.eml"

    parsed = _parse(corpus, name)

    assert parsed.text == _expected(corpus, name)["text body"]
    assert len(parsed.attachments) == 10
    assert {a.content_type for a in parsed.attachments} == {"text/plain"}


def test_blank_body_with_attachment(corpus):
    name = "attachments-html/djhelpdesk__blank-body-with-attachment.eml"
    title = str(_expected(corpus, name)["ticket.title"]).removesuffix("...")

    parsed = _parse(corpus, name)

    assert parsed.subject.startswith(title)
    assert parsed.text == ""
    assert len(parsed.attachments) == 1


def test_message_with_more_than_300_attachments_is_not_dropped(corpus):
    parsed = _parse(corpus, "attachments-html/phpmime__issue408.eml")

    assert len(parsed.attachments) > 300


@pytest.mark.parametrize(
    ("name", "kind", "bounced"),
    [
        (
            "bounces-autoreplies/chatwoot__bounced_gmail.eml",
            MailKind.BOUNCE,
            ("conversation/93775311-9416-4428-964b-862001f8a8b2/messages/27855337@gmail.com",),
        ),
        (
            "bounces-autoreplies/cpython__msg_16.txt",
            MailKind.BOUNCE,
            ("002001c144a6$8752e060$56104586@oxy.edu",),
        ),
        (
            "bounces-autoreplies/cpython__msg_43.txt",
            MailKind.BOUNCE,
            ("edab.7804f5cb8070@python.org",),
        ),
        (
            "bounces-autoreplies/flanker__office365.eml",
            MailKind.BOUNCE,
            ("20171013111011.20866.254C2F3A4D7AA526@ninomail.com",),
        ),
        (
            "bounces-autoreplies/flanker__zed.eml",
            MailKind.BOUNCE,
            ("20090708054735.GC7578@example.com",),
        ),
        (
            "bounces-autoreplies/flanker__mailbox-full.eml",
            MailKind.BOUNCE,
            ("4E326A95.3010907@example.com",),
        ),
        (
            "bounces-autoreplies/mikel__report_530.eml",
            MailKind.BOUNCE,
            ("200712232303.lBNN3jDq002941@mail12.rrrr.com.au",),
        ),
        (
            "bounces-autoreplies/nodemailer__delivery-status.eml",
            MailKind.BOUNCE,
            ("xxxxx@email.amazonses.com",),
        ),
        (
            "bounces-autoreplies/webklex__example_bounce.eml",
            MailKind.BOUNCE,
            ("UyVznI5nOyYGnv7Ij0hi6ro4gvxwGT999eQAtc4o@127.0.0.1",),
        ),
        (
            "bounces-autoreplies/spamscope__mail_malformed_2.eml",
            MailKind.BOUNCE,
            ("004801d1fc84$01c934ac$b247f0b7$@infospacemail.com",),
        ),
        # Plain-text bounces from mailer daemons: the original pasted inline (with and without
        # its Message-ID).
        (
            "bounces-autoreplies/flanker__gmail-invalid-address.eml",
            MailKind.BOUNCE,
            ("CAKsfaBUUGqVZiaMrmH3TRPfq1odQPtM7Ey5YW1SgyJJRHtAjgw@mail.gmail.com",),
        ),
        ("bounces-autoreplies/flanker__broken-mime.eml", MailKind.BOUNCE, ()),
        ("bounces-autoreplies/flanker__disposition-notification.eml", MailKind.AUTO_REPLY, ()),
        ("bounces-autoreplies/flanker__yahoo.eml", MailKind.AUTO_REPLY, ()),
        ("bounces-autoreplies/gitlab__auto_reply.eml", MailKind.AUTO_REPLY, ()),
        (
            "bounces-autoreplies/spamscope__mail_test_16_gtube_precedence_junk.eml",
            MailKind.LIST,
            (),
        ),
        ("bounces-autoreplies/flanker__apache-message-news-mime.eml", MailKind.LIST, ()),
        ("mime-malformed/cpython__msg_25.txt", MailKind.BOUNCE, ("01040616033903.00962@server",)),
    ],
)
def test_bounces_auto_replies_and_lists_are_recognised(corpus, name, kind, bounced):
    parsed = _parse(corpus, name)

    assert (parsed.kind, parsed.bounced_message_ids) == (kind, bounced)
    assert parsed.auto_submitted is (kind in (MailKind.BOUNCE, MailKind.AUTO_REPLY))


def test_delivery_status_is_kept_as_an_attachment(corpus):
    name = "bounces-autoreplies/nodemailer__delivery-status.eml"

    parsed = _parse(corpus, name)

    assert [(a.filename, a.content_type) for a in parsed.attachments] == [
        ("delivery-status-1.txt", "message/delivery-status"),
        ("Example Subject.eml", "message/rfc822"),
    ]
    # The source suite finds the status in the text; here it is in the kept report part.
    assert b"Status: 5.1.1" in parsed.attachments[0].content
    assert parsed.text == (
        "An error occurred while trying to deliver the mail to the following recipients:\n"
        "xxxx@xxxx.com"
    )


def test_forwarded_news_article_keeps_its_subject(corpus):
    name = "bounces-autoreplies/flanker__apache-message-news-mime.eml"

    parsed = _parse(corpus, name)

    assert parsed.subject == _expected(corpus, name)["subject"]
    assert [a.content_type for a in parsed.attachments] == ["message/news"]


@pytest.mark.parametrize(
    ("name", "subject", "text"),
    [
        (
            "mime-malformed/cpython__msg_35.txt",
            "here's something interesting",
            "counter to RFC 2822, there's no separating newline here",
        ),
        ("mime-malformed/cpython__msg_41.txt", "64423", "Blah blah blah"),
        ("mime-malformed/flanker__missing-final-boundary.eml", "Test", "Some body"),
        # Declared boundary never used; the real one is found from the "--x" + Content- line.
        ("mime-malformed/flanker__mailformed-headers.eml", "´!", "Hello"),
    ],
)
def test_malformed_mime_still_yields_the_text(corpus, name, subject, text):
    parsed = _parse(corpus, name)

    assert (parsed.subject, parsed.text) == (subject, text)


def test_multipart_whose_start_boundary_is_missing_is_resplit(corpus):
    name = "mime-malformed/spamscope__mail_malformed_3.eml"
    reply_to = _expected(corpus, name)["reply_to"]

    parsed = _parse(corpus, name)

    assert [[parsed.reply_to.name, parsed.reply_to.address]] == reply_to
    assert parsed.text.startswith("Problemas para visualizar | Ver\non-line")
    assert parsed.html.startswith("<html><head></head><body>")


def test_enclosed_message_with_missing_final_boundaries(corpus):
    parsed = _parse(corpus, "mime-malformed/flanker__enclosed-broken.eml")

    assert [(a.filename, a.content_type) for a in parsed.attachments] == [
        ("thanks.eml", "message/rfc822")
    ]
    assert parsed.text == "Hello"


def test_broken_headers_keep_subject_and_text(corpus):
    parsed = _parse(corpus, "mime-malformed/flanker__broken-headers.eml")

    assert parsed.subject == "Forget Asking For A Link Exchange…"
    assert parsed.text.startswith("Do you really know what it takes to quickly \ngenerate")


def test_spoofed_display_names_do_not_hide_the_real_address(corpus):
    spoof = _parse(corpus, "headers/spamassassin__spam_fromnamespoof_spoof1.eml")
    as_name = _parse(corpus, "headers/spamscope__mail_test_19.eml")

    assert spoof.sender == EmailAddress("test@example.com", "test1@gmail.com")
    assert spoof.reply_to == EmailAddress("", "test@example.com")
    assert as_name.sender == EmailAddress("alice@example.com", "bob@example.com")


def test_huge_folded_subject_parses(corpus):
    parsed = _parse(corpus, "headers/flanker__long-header.eml")

    assert parsed.subject.startswith("Die heiße Zypernsonne quälte Max und Victoria ja böse")
    assert len(parsed.subject) > 100_000


def test_rfc_2822_thread_ids(corpus):
    root = _parse(corpus, "threading/mikel__example05.eml")
    reply = _parse(corpus, "threading/mikel__example06.eml")
    reply_to_reply = _parse(corpus, "threading/mikel__example07.eml")

    assert (root.message_id, root.in_reply_to, root.references) == (
        "1234@local.machine.example",
        (),
        (),
    )
    assert (reply.message_id, reply.in_reply_to, reply.references) == (
        "3456@example.net",
        ("1234@local.machine.example",),
        ("1234@local.machine.example",),
    )
    assert reply.reply_to == EmailAddress("Mary Smith: Personal Account", "smith@home.example")
    assert (reply_to_reply.in_reply_to, reply_to_reply.references) == (
        ("3456@example.net",),
        ("1234@local.machine.example", "3456@example.net"),
    )
    assert normalize_subject(reply_to_reply.subject) == normalize_subject(root.subject)


def test_references_without_a_host_in_from_and_a_bare_word_in_cc(corpus):
    parsed = _parse(corpus, "threading/webklex__references.eml")

    assert parsed.in_reply_to == ("b9e87bd5e661a645ed6e3b832828fcc5@example.com",)
    assert parsed.references == (
        "231d9ac57aec7d8c1a0eacfeab8af6f3@example.com",
        "08F04024-A5B3-4FDE-BF2C-6710DE97D8D9@example.com",
    )
    assert parsed.sender is None  # "From: no_host" is no address to answer
    assert parsed.cc == (EmailAddress('This one: is "right"', "ding@dong.com"),)
    assert parsed.text == "Hi\nHow are you?"


def test_two_references_headers_and_an_empty_in_reply_to(corpus):
    broken = _parse(corpus, "threading/mikel__multiple_references_with_one_invalid.eml")
    empty = _parse(corpus, "threading/mikel__empty_in_reply_to.eml")

    assert broken.references[:2] == ("foo@bar.net", "baz@bar.net")
    assert empty.in_reply_to == ()


# 3. Hand-built messages


def _raw(*headers: str, body: bytes | str = "Treść", eol: str = "\r\n") -> bytes:
    """A message from header lines and a body; str parts are UTF-8 (raw 8-bit headers)."""
    head = eol.join(headers).encode("utf-8")
    content = body.encode("utf-8") if isinstance(body, str) else body
    return head + (eol * 2).encode() + content


def _text_message(charset: str, body: bytes) -> bytes:
    return _raw(
        "From: Jan Kowalski <jan@example.com>",
        "Subject: Test",
        f"Content-Type: text/plain; charset={charset}",
        "Content-Transfer-Encoding: 8bit",
        body=body,
    )


@pytest.mark.parametrize(
    ("charset", "codec"),
    [
        ("iso-8859-2", "iso-8859-2"),
        ('"ISO-8859-2"', "iso-8859-2"),
        ("windows-1250", "cp1250"),
        ("cp1250", "cp1250"),
        ("utf-8", "utf-8"),
    ],
)
def test_polish_bodies_in_their_declared_charset(charset, codec):
    parsed = parse_email(_text_message(charset, POLISH.encode(codec)))

    assert parsed.text == POLISH


def test_quoted_printable_windows_1250_body_built_by_the_standard_library():
    message = EmailMessage()
    message["From"] = "Jan Kowalski <jan@example.com>"
    message["Subject"] = POLISH
    message.set_content(f"{POLISH}\n", charset="windows-1250", cte="quoted-printable")

    parsed = parse_email(message.as_bytes())

    assert (parsed.subject, parsed.text) == (POLISH, POLISH)


@pytest.mark.parametrize(
    ("charset", "body", "text"),
    [
        ("utf-8", POLISH.encode("cp1250"), POLISH),  # declared UTF-8, really cp1250
        ("us-ascii", POLISH.encode("utf-8"), POLISH),
        ("unknown-8bit", POLISH.encode("cp1250"), POLISH),
        ("x-unknown", POLISH.encode("utf-8"), POLISH),
        ("utf-8; format=flowed", POLISH.encode("utf-8"), POLISH),
        ("windws-1250", POLISH.encode("cp1250"), POLISH),  # misspelt
        ("idna", POLISH.encode("utf-8"), POLISH),  # a Python codec, not a mail charset
        # UTF-8 with one stray byte stays UTF-8 rather than becoming cp1250 mojibake.
        ("utf-8", POLISH.encode("utf-8") + b"\xff", f"{POLISH}\ufffd"),
    ],
)
def test_mislabelled_and_unknown_charsets(charset, body, text):
    parsed = parse_email(_text_message(charset, body))

    assert parsed.text == text


@pytest.mark.parametrize(
    ("subject", "decoded"),
    [
        ("=?ISO-8859-2?Q?Zam=F3wienie_nr_12?=", "Zamówienie nr 12"),
        ("=?UTF-8?B?WmHFvMOzxYLEhyBnxJnFm2zEhSBqYcW6xYQ=?=", POLISH),
        # One "ż" (C5 BC) split over two encoded words, folded onto two lines.
        ("=?UTF-8?Q?Za=C5?=\r\n =?UTF-8?Q?=BC=C3=B3=C5=82=C4=87?=", "Zażółć"),
        ("Re: =?utf-8?q?Zam=C3=B3wienie?= =?utf-8?q?_123?=", "Re: Zamówienie 123"),
        ("=?windows-1250?Q?Automatyczna_odpowied=9F?=", "Automatyczna odpowiedź"),
        ("=?iso-8859-2*pl?Q?Pi=B1tek?=", "Piątek"),  # RFC 2231 language tag
        ("=?x-unknown?Q?Zam=C3=B3wienie?=", "Zamówienie"),
        ("=?NONE?B?VEVTVA=?=", "TEST"),  # unknown charset and bad padding
        ("Faktura\r\n  nr   7", "Faktura nr 7"),
        ("Zamówienie 12", "Zamówienie 12"),  # raw 8-bit UTF-8, no encoded word
    ],
)
def test_subject_decoding(subject, decoded):
    parsed = parse_email(_raw("From: jan@example.com", f"Subject: {subject}"))

    assert parsed.subject == decoded


def test_raw_cp1250_header_bytes_without_encoded_words():
    raw = (
        "From: Paweł Nowak <pawel@example.pl>\r\nSubject: Reklamacja zamówienia\r\n\r\nTreść"
    ).encode("cp1250")

    parsed = parse_email(raw)

    assert parsed.subject == "Reklamacja zamówienia"
    assert parsed.sender == EmailAddress("Paweł Nowak", "pawel@example.pl")


def test_addresses_are_decoded_and_normalised():
    parsed = parse_email(
        _raw(
            "From: =?UTF-8?Q?Pawe=C5=82_Nowak?= <Pawel.Nowak@Example.PL>",
            'Reply-To: "Nowak, Paweł" <biuro@example.pl>',
            "To: undisclosed-recipients:;",
            'Cc: a@example.com, "B" <b@example.com>, (bez nazwy) c@example.com, no-address',
            "Subject: x",
        )
    )

    assert parsed.sender == EmailAddress("Paweł Nowak", "pawel.nowak@example.pl")
    assert parsed.reply_to == EmailAddress("Nowak, Paweł", "biuro@example.pl")
    assert parsed.to == ()
    assert parsed.cc == (
        EmailAddress("", "a@example.com"),
        EmailAddress("B", "b@example.com"),
        EmailAddress("bez nazwy", "c@example.com"),
    )


def test_html_only_message_gets_text_without_head_style_and_script():
    html = (
        "<html><head><title>Newsletter</title><style>p { color: red }</style></head>"
        "<body><p>Dzień dobry,</p><script>alert(1)</script><p>proszę o fakturę.</p></body></html>"
    )
    raw = _raw(
        "From: jan@example.com",
        "Subject: HTML",
        "Content-Type: text/html; charset=utf-8",
        body=html,
    )

    parsed = parse_email(raw)

    assert parsed.html == html
    assert parsed.text == "Dzień dobry,\nproszę o fakturę."


def test_cid_image_is_inline_and_a_named_file_is_not():
    message = EmailMessage()
    message["From"] = "jan@example.com"
    message["Subject"] = "Zdjęcie"
    message.set_content("Zdjęcie w treści")
    message.add_alternative('<p>Zdjęcie:</p><img src="cid:logo.123@example.com">', subtype="html")
    message.get_payload()[1].add_related(
        b"\x89PNG-logo", "image", "png", cid="<logo.123@example.com>"
    )
    message.add_attachment(b"%PDF-1.4", "application", "pdf", filename="faktura.pdf")

    parsed = parse_email(message.as_bytes())

    assert parsed.text == "Zdjęcie w treści"
    assert [
        (a.filename, a.content_type, a.content, a.content_id, a.is_inline)
        for a in parsed.attachments
    ] == [
        ("image-1.png", "image/png", b"\x89PNG-logo", "logo.123@example.com", True),
        ("faktura.pdf", "application/pdf", b"%PDF-1.4", "", False),
    ]


def _multipart(*parts: str) -> bytes:
    body = "".join(f"--XYZ\r\n{part}\r\n" for part in parts) + "--XYZ--\r\n"
    return _raw(
        "From: jan@example.com",
        "Subject: Części",
        'Content-Type: multipart/mixed; boundary="XYZ"',
        body=body,
    )


def test_attachment_names_are_decoded_and_made_safe():
    raw = _multipart(
        'Content-Type: application/pdf; name="C:\\Users\\jan\\faktura.pdf"\r\n\r\n%PDF',
        'Content-Type: text/plain\r\nContent-Disposition: attachment; filename="../../etc/passwd"'
        "\r\n\r\nroot",
        "Content-Type: application/pdf\r\n"
        "Content-Disposition: attachment; filename*=utf-8''Zam%C3%B3wienie%20nr%201.pdf"
        "\r\n\r\n%PDF",
        "Content-Type: application/octet-stream\r\nContent-Disposition: attachment;"
        ' filename="faktura\u202egpj.exe"\r\n\r\nMZ',
        "Content-Type: application/octet-stream\r\n\r\n\x00\x01",
        "Content-Type: image/jpeg\r\nContent-Disposition: inline\r\n\r\nJPEG",
    )

    parsed = parse_email(raw)

    assert [(a.filename, a.content_type) for a in parsed.attachments] == [
        ("faktura.pdf", "application/pdf"),
        ("passwd", "text/plain"),
        ("Zamówienie nr 1.pdf", "application/pdf"),
        ("fakturagpj.exe", "application/octet-stream"),
        ("attachment-5.bin", "application/octet-stream"),
        ("image-6.jpg", "image/jpeg"),
    ]
    assert parsed.attachments[5].is_inline is False  # inline, but without a Content-ID


def test_text_parts_are_joined_and_a_text_attachment_stays_an_attachment():
    raw = _multipart(
        "Content-Type: text/plain; charset=utf-8\r\n\r\nPierwsza część",
        "Content-Type: text/plain\r\nContent-Disposition: attachment; filename=notatki.txt"
        "\r\n\r\nnotatki",
        "Content-Type: text/plain; charset=utf-8\r\nContent-Disposition: inline\r\n\r\nDruga część",
        "Content-Type: text/calendar\r\n\r\nBEGIN:VCALENDAR",
    )

    parsed = parse_email(raw)

    assert parsed.text == "Pierwsza część\n\nDruga część"
    assert [(a.filename, a.content) for a in parsed.attachments] == [
        ("notatki.txt", b"notatki"),
        ("attachment-2.ics", b"BEGIN:VCALENDAR"),
    ]


def test_attached_messages_are_named_after_their_subject():
    inner = EmailMessage()
    inner["From"] = "anna@example.com"
    inner["Subject"] = "Faktura 12/2024"
    inner["Message-ID"] = "<inner@example.com>"
    inner.set_content("Faktura w załączniku")
    untitled = EmailMessage()
    untitled.set_content("bez tematu")
    message = EmailMessage()
    message["From"] = "jan@example.com"
    message["Subject"] = "Fwd: Faktura"
    message.set_content("Przesyłam dalej.")
    message.add_attachment(inner)
    message.add_attachment(untitled)

    parsed = parse_email(message.as_bytes())

    assert [(a.filename, a.content_type) for a in parsed.attachments] == [
        ("Faktura 12_2024.eml", "message/rfc822"),
        ("message-2.eml", "message/rfc822"),
    ]
    assert b"Message-ID: <inner@example.com>" in parsed.attachments[0].content
    assert parsed.text == "Przesyłam dalej."
    assert parsed.bounced_message_ids == ()


def test_oversized_message_is_quarantined_with_the_sizes():
    raw = _raw("From: jan@example.com", "Subject: duża", body=b"x" * 2000)

    reason = _reason(raw, max_message_bytes=1000)

    assert reason == f"message is {len(raw):,} bytes, larger than the limit of 1,000 bytes"


def test_oversized_attachment_is_quarantined_with_its_name_and_sizes():
    message = EmailMessage()
    message["From"] = "jan@example.com"
    message["Subject"] = "Załącznik"
    message.set_content("W załączniku.")
    message.add_attachment(b"\x00" * 2048, "application", "octet-stream", filename="big.bin")

    reason = _reason(message.as_bytes(), max_attachment_bytes=1024)

    assert reason == 'attachment "big.bin" is 2,048 bytes, larger than the limit of 1,024 bytes'


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\r\n\r\n",
        b"   \t ",
        b"Hello, this is not an e-mail at all.\n",
        b"X-Only-Header: 1\r\n\r\nbody",
        b"\x00\xff\xfe\x01",
    ],
)
def test_bytes_that_are_not_an_email(raw):
    assert _reason(raw) == "no e-mail headers found"


def test_non_bytes_input_is_refused_with_a_reason():
    assert _reason("From: jan@example.com\r\n\r\nx") == "expected the raw message as bytes, got str"  # type: ignore[arg-type]


def test_message_without_from_still_parses():
    parsed = parse_email(_raw("Subject: Bez nadawcy"))

    assert (parsed.sender, parsed.subject, parsed.text) == (None, "Bez nadawcy", "Treść")


def test_obsolete_space_before_colon_in_header_names():
    parsed = parse_email(_raw("From   : jan@example.com", "Subject : Witam"))

    assert (parsed.sender, parsed.subject) == (EmailAddress("", "jan@example.com"), "Witam")


def test_header_the_modern_policy_trips_over_still_parses():
    # policy.default raises IndexError on "boundary*"; the compat32 retry reads the message.
    raw = _raw("From: jan@example.com", "Subject: x", "Content-Type: multipart/mixed; boundary*")

    parsed = parse_email(raw)

    assert (parsed.subject, parsed.text) == ("x", "Treść")


def test_multipart_with_a_missing_semicolon_before_the_boundary():
    raw = _raw(
        "From: jan@example.com",
        "Subject: x",
        "Content-Type: multipart/mixed",
        '\tboundary="b1"',
        body="--b1\r\nContent-Type: text/plain\r\n\r\nTreść\r\n--b1--\r\n",
    )

    parsed = parse_email(raw)

    assert parsed.text == "Treść"


def _nested_multipart(depth: int) -> bytes:
    part = "Content-Type: text/plain\r\n\r\nTreść"
    for level in reversed(range(1, depth)):
        part = (
            f"Content-Type: multipart/mixed; boundary=b{level}\r\n\r\n"
            f"--b{level}\r\n{part}\r\n--b{level}--"
        )
    return _raw(
        "From: jan@example.com",
        "Subject: x",
        "Content-Type: multipart/mixed; boundary=b0",
        body=f"--b0\r\n{part}\r\n--b0--",
    )


def test_absurdly_deep_nesting_is_quarantined():
    assert _reason(_nested_multipart(80)) == "the MIME structure is nested more than 60 deep"


def test_moderate_nesting_parses():
    assert parse_email(_nested_multipart(20)).text == "Treść"


@pytest.mark.parametrize(
    ("header", "body", "text"),
    [
        # The standard library's modern header parser took minutes (quadratic) on these.
        (
            "Content-Transfer-Encoding: base64 " + "(x) ; y=z " * 20000,
            "VHJlxZvEhw==",
            "Treść",
        ),
        ("Content-Type: text/plain; charset=utf-8; " + "a*1*=b; " * 20000, "Treść", "Treść"),
        ("Content-Transfer-Encoding: " + "(" * 5000 + "8bit", "Treść", "Treść"),
        ("In-Reply-To: " + '"\\' * 50000 + "<a@example.com>", "Treść", "Treść"),
    ],
)
def test_hostile_giant_headers_parse_in_linear_time(header, body, text):
    parsed = parse_email(_raw("From: jan@example.com", "Subject: x", header, body=body))

    assert parsed.text == text


def test_nul_characters_never_reach_the_text():
    parsed = parse_email(_raw("From: jan@example.com", "Subject: a", body=b"ab\x00cd"))

    assert parsed.text == "abcd"


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("Fri, 21 Nov 1997 09:55:06 -0600", datetime.datetime(1997, 11, 21, 15, 55, 6, tzinfo=UTC)),
        ("Mon, 1 Jan 2024 10:00:00", datetime.datetime(2024, 1, 1, 10, 0, tzinfo=UTC)),
        ("Mon, 1 Jan 2024 10:00:00 -0000", datetime.datetime(2024, 1, 1, 10, 0, tzinfo=UTC)),
        ("1 Jan 2024 10:00:00 +0100 (CET)", datetime.datetime(2024, 1, 1, 9, 0, tzinfo=UTC)),
        ("2024-01-01T10:00:00+01:00", datetime.datetime(2024, 1, 1, 9, 0, tzinfo=UTC)),
        ("wczoraj", None),
        ("Mon, 99 Foo 2024 99:99:99 +9999", None),
    ],
)
def test_dates_are_timezone_aware_or_none(date, expected):
    parsed = parse_email(_raw("From: jan@example.com", f"Date: {date}"))

    assert parsed.date == expected
    assert parsed.date is None or parsed.date.tzinfo is not None


# Kinds: bounce > auto-reply > list > normal


@pytest.mark.parametrize(
    ("headers", "kind", "auto_submitted"),
    [
        ((), MailKind.NORMAL, False),
        (("Auto-Submitted: auto-replied",), MailKind.AUTO_REPLY, True),
        (("Auto-Submitted: auto-generated; owner-email=x@example.com",), MailKind.AUTO_REPLY, True),
        (("Auto-Submitted: no",), MailKind.NORMAL, False),
        (("X-Autoreply: yes",), MailKind.AUTO_REPLY, True),
        (("X-Autorespond: Out of office",), MailKind.AUTO_REPLY, True),
        (("Precedence: auto_reply",), MailKind.AUTO_REPLY, True),
        (("X-Auto-Response-Suppress: All",), MailKind.NORMAL, False),
        (("Subject: Out of Office: urlop do 12.08",), MailKind.NORMAL, False),
        (("Precedence: bulk",), MailKind.LIST, False),
        (("Precedence: junk",), MailKind.LIST, False),
        (("Precedence: list",), MailKind.LIST, False),
        (("List-Id: Nowości <nowosci.example.com>",), MailKind.LIST, False),
        (("List-Unsubscribe: <mailto:wypisz@example.com>",), MailKind.LIST, False),
        (("Precedence: bulk", "Auto-Submitted: auto-generated"), MailKind.AUTO_REPLY, True),
    ],
)
def test_automatic_mail_is_recognised_from_headers(headers, kind, auto_submitted):
    parsed = parse_email(_raw("From: jan@example.com", *headers))

    assert (parsed.kind, parsed.auto_submitted) == (kind, auto_submitted)


def test_delivery_status_report_is_a_bounce_with_the_original_id():
    body = (
        "--R\r\nContent-Type: text/plain\r\n\r\nNie udało się dostarczyć wiadomości.\r\n"
        "--R\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.pl\r\n\r\n"
        "Final-Recipient: rfc822; nikt@example.pl\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "--R\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        "From: pomoc@okienko.example\r\nMessage-ID:\r\n <ticket-42.1@okienko.example>\r\n"
        "Subject: [#42] Odpowiedź\r\n"
        "--R--\r\n"
    )
    raw = _raw(
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.pl>",
        "Subject: Undelivered Mail Returned to Sender",
        "Auto-Submitted: auto-replied",
        "Content-Type: multipart/report; report-type=delivery-status; boundary=R",
        body=body,
    )

    parsed = parse_email(raw)

    assert (parsed.kind, parsed.auto_submitted) == (MailKind.BOUNCE, True)
    assert parsed.bounced_message_ids == ("ticket-42.1@okienko.example",)
    assert parsed.text == "Nie udało się dostarczyć wiadomości."
    assert [(a.filename, a.content_type) for a in parsed.attachments] == [
        ("delivery-status-1.txt", "message/delivery-status"),
        ("rfc822-headers-2.txt", "text/rfc822-headers"),
    ]


@pytest.mark.parametrize(
    ("sender", "subject"),
    [
        ("MAILER-DAEMON@poczta.example.pl", "Niedostarczona wiadomość"),
        ("Postmaster <postmaster@example.pl>", "Nie można dostarczyć wiadomości: Faktura"),
        ("Mail Delivery Subsystem <mailer-daemon@googlemail.com>", "Returned mail: User unknown"),
        ("MAILER-DAEMON (Mail Delivery System)", "Mail delivery failed"),
    ],
)
def test_plain_bounces_from_mailer_daemons(sender, subject):
    body = "Nie dotarła.\r\n\r\n--- Oryginał ---\r\nMessage-ID: <ticket-7.3@okienko.example>\r\n"
    parsed = parse_email(_raw(f"From: {sender}", f"Subject: {subject}", body=body))

    assert (parsed.kind, parsed.auto_submitted) == (MailKind.BOUNCE, True)
    assert parsed.bounced_message_ids == ("ticket-7.3@okienko.example",)


def test_failure_subject_from_a_person_is_not_a_bounce():
    parsed = parse_email(_raw("From: jan@example.com", "Subject: Re: Undelivered parcel"))

    assert parsed.kind == MailKind.NORMAL


def test_read_receipt_is_an_auto_reply_not_a_bounce():
    body = (
        "--M\r\nContent-Type: text/plain\r\n\r\nWiadomość została wyświetlona.\r\n"
        "--M\r\nContent-Type: message/disposition-notification\r\n\r\n"
        "Final-Recipient: rfc822; anna@example.pl\r\nDisposition: manual-action/MDN-sent-manually;"
        " displayed\r\n"
        "--M--\r\n"
    )
    raw = _raw(
        "From: anna@example.pl",
        "Subject: Przeczytano: Faktura",
        "Content-Type: multipart/report; report-type=disposition-notification; boundary=M",
        body=body,
    )

    parsed = parse_email(raw)

    assert (parsed.kind, parsed.auto_submitted) == (MailKind.AUTO_REPLY, True)
    assert parsed.bounced_message_ids == ()


# Subjects and message ids for threading


@pytest.mark.parametrize(
    ("subject", "normalized"),
    [
        ("Re: RE: Fwd: Odp: Zamówienie  123", "zamówienie 123"),
        ("AW: WG: Test", "test"),
        ("Re[2]: x", "x"),
        ("Fw: PD: Tr: Sv: ODP: Pd: Oferta", "oferta"),
        ("  Odp:Odp:   Witam  serdecznie ", "witam serdecznie"),
        ("RE : Devis", "devis"),
        ("[EXT] Re: Faktura", "[ext] re: faktura"),
        ("Re: [EXT] Re: Faktura", "[ext] re: faktura"),
        ("Reklamacja: towar", "reklamacja: towar"),
        ("Trzy kroki: re: x", "trzy kroki: re: x"),
        ("Re:", ""),
        ("ZAMÓWIENIE", "zamówienie"),
    ],
)
def test_normalize_subject(subject, normalized):
    assert normalize_subject(subject) == normalized


@pytest.mark.parametrize(
    ("value", "ids"),
    [
        ("<a@example.com>", ("a@example.com",)),
        (
            "<a@example.com>\r\n <b@example.com>\r\n\t<c@example.com>",
            ("a@example.com", "b@example.com", "c@example.com"),
        ),
        ("<a@example.com>,<b@example.com>", ("a@example.com", "b@example.com")),
        ("a@example.com", ("a@example.com",)),
        ("<a@example.com> b@example.com", ("a@example.com", "b@example.com")),
        ("<split.\r\n   part@example.com>", ("split.part@example.com",)),
        ("<no-closing-bracket@example.com", ("no-closing-bracket@example.com",)),
        ('<a@example.com> (message from "x@y.z" of Monday)', ("a@example.com",)),
        ("1234", ("1234",)),
        ("your message of yesterday", ()),
        ("<>", ()),
        ("", ()),
    ],
)
def test_message_ids(value, ids):
    assert message_ids(value) == ids


# 4. Property tests: whatever the bytes, a ParsedEmail or an UnparseableEmail with a reason


def _check_invariants(outcome: ParsedEmail | str) -> None:
    # Helper, not a test body: what every parsed message must satisfy for the pipeline.
    if isinstance(outcome, str):
        assert outcome.strip() != ""
        return
    texts = [outcome.subject, outcome.text, outcome.html, outcome.message_id]
    texts += [a.filename for a in outcome.attachments]
    assert all("\x00" not in text for text in texts)
    assert all(a.filename for a in outcome.attachments)
    assert outcome.date is None or outcome.date.tzinfo is not None
    assert isinstance(outcome.kind, MailKind)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=4000))
def test_arbitrary_bytes_parse_or_are_quarantined(raw):
    _check_invariants(_outcome(raw))


CHARSET_NAMES = st.one_of(
    st.sampled_from(
        [
            "utf-8",
            "UTF-8",
            "iso-8859-2",
            "windows-1250",
            "us-ascii",
            "utf-16",
            "utf-7",
            "iso-2022-jp",
            "unknown-8bit",
            "x-unknown",
            "idna",
            "punycode",
            "base64",
            "zlib",
            "rot13",
            "__init__",
            "aliases",
            "",
            '"',
            "utf-8*pl",
        ]
    ),
    st.text(max_size=12),
)
ENCODED_WORDS = st.builds(
    lambda charset, encoding, text: f"=?{charset}?{encoding}?{text}?=",
    CHARSET_NAMES,
    st.sampled_from(["B", "Q", "b", "q", "X", ""]),
    st.text(max_size=30),
)
HEADER_NAMES = st.one_of(
    st.sampled_from(
        [
            "From",
            "To",
            "Cc",
            "Reply-To",
            "Subject",
            "Date",
            "Message-ID",
            "In-Reply-To",
            "References",
            "Content-Type",
            "Content-Transfer-Encoding",
            "Content-Disposition",
            "Content-ID",
            "MIME-Version",
            "Auto-Submitted",
            "Precedence",
            "List-Id",
            "X-Autoreply",
            "Return-Path",
        ]
    ),
    st.text(
        alphabet=st.characters(min_codepoint=33, max_codepoint=126, exclude_characters=":"),
        min_size=1,
        max_size=15,
    ),
)
CONTENT_TYPES = st.builds(
    lambda kind, charset, boundary, name: (
        f"{kind}; charset={charset}; boundary={boundary}; name*0*={name}; name*1={name}"
    ),
    st.sampled_from(
        [
            "text/plain",
            "text/html",
            "multipart/mixed",
            "multipart/alternative",
            "multipart/report; report-type=delivery-status",
            "message/rfc822",
            "message/delivery-status",
            "text/rfc822-headers",
            "image/png",
            "text plain",
            "",
        ]
    ),
    CHARSET_NAMES,
    st.text(max_size=20),
    st.text(max_size=20),
)
HEADER_VALUES = st.lists(
    st.one_of(
        st.text(max_size=60),
        ENCODED_WORDS,
        CONTENT_TYPES,
        st.sampled_from(
            [
                "base64",
                "quoted-printable",
                "x-uuencode",
                "8bit",
                "bogus",
                "attachment; filename=\"../a.txt\"; filename*=utf-8''%C5%BC",
                "<a@b> <c@d",
                'Jan <jan@example.com>, "Nowak, Anna" <anna@example.com>, grupa:;',
                "auto-replied",
                "bulk",
                "Mon, 32 Foo 2024 25:61:61 +9999",
            ]
        ),
    ),
    max_size=4,
).map(" ".join)
LINE_ENDS = st.sampled_from(["\r\n", "\n", "\r"])


@st.composite
def header_block(draw: st.DrawFn) -> bytes:
    eol = draw(LINE_ENDS)
    lines = []
    for name, value in draw(st.lists(st.tuples(HEADER_NAMES, HEADER_VALUES), max_size=8)):
        fold = draw(st.sampled_from(["", f"{eol} ", f"{eol}\t", eol]))
        lines.append(f"{name}:{fold} {value}")
    codec = draw(st.sampled_from(["utf-8", "cp1250", "latin-1"]))
    return eol.join(lines).encode(codec, errors="replace") + (eol * 2).encode()


@st.composite
def mime_entity(draw: st.DrawFn, depth: int = 0) -> bytes:
    headers = draw(header_block())
    if depth < 3 and draw(st.booleans()):
        boundary = draw(st.sampled_from(["b", "a--", "=_Part_1", "x y", ""]))
        used = draw(st.sampled_from([boundary, boundary.upper(), "other", boundary + "x"]))
        kind = draw(st.sampled_from(["mixed", "alternative", "related", "report", "digest"]))
        head = f'Content-Type: multipart/{kind}; boundary="{boundary}"\r\n'.encode()
        children = draw(st.lists(mime_entity(depth + 1), max_size=3))
        body = b"".join(b"--" + used.encode() + b"\r\n" + child + b"\r\n" for child in children)
        closing = draw(st.sampled_from([b"--" + used.encode() + b"--\r\n", b""]))
        return head + headers + draw(st.binary(max_size=50)) + body + closing
    body = draw(
        st.one_of(
            st.binary(max_size=300),
            st.text(max_size=300).map(lambda text: text.encode("utf-8")),
            st.text(max_size=300).map(lambda text: text.encode("cp1250", errors="replace")),
        )
    )
    return headers + body


@settings(max_examples=200, deadline=None)
@given(mime_entity())
def test_structured_but_broken_mime_parses_or_is_quarantined(raw):
    _check_invariants(_outcome(raw))
