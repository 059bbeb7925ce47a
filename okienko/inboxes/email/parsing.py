"""Raw RFC 822 bytes to a typed, normalised e-mail: the first step of mail ingestion.

The pipeline's rule is "never lose a message". :func:`parse_email` therefore either returns a
:class:`ParsedEmail` or raises :class:`UnparseableEmail` with a reason for the quarantine, and
nothing else, whatever the input bytes are. It is lenient: broken charsets, encoded words, MIME
boundaries and headers are repaired on a best-effort basis rather than rejected.

The MIME tree comes from the standard library's parser (``email.policy.default``, falling back to
``compat32``). Header values are read raw and decoded here, because the modern header objects
raise on, or silently drop, the malformed headers real mail is full of.

Pure module: no database, no Django models, no settings.
"""

import base64
import binascii
import codecs
import datetime
import encodings
import encodings.aliases
import functools
import mimetypes
import operator
import pkgutil
import re
from collections.abc import Iterable
from dataclasses import dataclass
from email import policy
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import Message
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import Any
from urllib.parse import unquote, unquote_to_bytes

from okienko.core.html import html_to_text

__all__ = [
    "EmailAddress",
    "EmailAttachment",
    "MailKind",
    "ParsedEmail",
    "UnparseableEmail",
    "message_ids",
    "normalize_subject",
    "parse_email",
]


class UnparseableEmail(Exception):
    """Raised with a human-readable reason; the pipeline quarantines the message."""

    reason: str

    def __init__(self, reason: str) -> None:
        self.reason = reason.strip() or "the message could not be parsed"
        super().__init__(self.reason)


@dataclass(frozen=True)
class EmailAddress:
    """One mailbox: the decoded display name and the lower-cased addr-spec."""

    name: str
    address: str


@dataclass(frozen=True)
class EmailAttachment:
    """A non-body part: a file, an inline image, an attached message or a delivery report."""

    filename: str
    content_type: str
    content: bytes
    content_id: str
    is_inline: bool


class MailKind(StrEnum):
    """What sent the message: a person, an auto-responder, a mail server or a mailing list."""

    NORMAL = "normal"
    AUTO_REPLY = "auto_reply"
    BOUNCE = "bounce"
    LIST = "list"


@dataclass(frozen=True)
class ParsedEmail:
    """A parsed, decoded message; see the module docstring for the guarantees."""

    message_id: str
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    subject: str
    sender: EmailAddress | None
    reply_to: EmailAddress | None
    to: tuple[EmailAddress, ...]
    cc: tuple[EmailAddress, ...]
    date: datetime.datetime | None
    text: str
    html: str
    attachments: tuple[EmailAttachment, ...]
    kind: MailKind
    bounced_message_ids: tuple[str, ...]
    auto_submitted: bool


DEFAULT_MAX_MESSAGE_BYTES = 25 * 1024 * 1024
DEFAULT_MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
# Real mail nests a handful of levels; anything deeper is a MIME bomb, not a message.
_MAX_DEPTH = 60


def _bounded_content_type(value: str) -> str:
    """A Content-Type for the standard parser's eyes: hostile giants reduced to what it needs.

    The standard library only reads the type and the boundary from it (we read the rest from the
    raw header ourselves), and its parameter parsing is quadratic: 2,000 parameters took over a
    second with policy.default. Normal headers pass through unchanged.
    """
    if len(value) <= 1024 and value.count(";") <= 16 and value.count("(") <= 4:
        return value
    content_type, params = _parse_parameters(value)
    kept = [
        f'{key}="{_UNSAFE_PARAMETER_CHARS.sub("", params[key])[:200]}"'
        for key in ("boundary", "charset", "report-type")
        if key in params
    ]
    return "; ".join([content_type or "text/plain", *kept])


def _bounded_transfer_encoding(value: str) -> str:
    """Content-Transfer-Encoding as its one token ("base64"): the modern header parser takes
    minutes over a long hostile value and recurses on nested comments."""
    if len(value) <= 64 and "(" not in value:
        return value
    words = _token(value).split(maxsplit=1)
    return words[0] if words else ""


def _bounded(name: str, value: str) -> str:
    """The value of a header the standard library parses itself, kept cheap to parse."""
    lowered = name.lower()
    if lowered == "content-type":
        return _bounded_content_type(value)
    if lowered == "content-transfer-encoding":
        return _bounded_transfer_encoding(value)
    return value


class _ParseOnceRegistry(HeaderRegistry):
    """policy.default's header classes, but each distinct header parsed once, not per access.

    The feedparser asks for a part's Content-Type several times; re-parsing it with the modern
    header parser each time made parsing four times slower.
    """

    def __init__(self) -> None:
        super().__init__()
        self._parse = functools.lru_cache(maxsize=2048)(super().__call__)
        self._classes: dict[str, type[BaseHeader]] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        # The base class builds a new header class on every call; build it once per name.
        key = name.lower()
        found = self._classes.get(key)
        if found is None:
            found = super().__getitem__(name)
            if len(self._classes) < 64:
                self._classes[key] = found
        return found

    def __call__(self, name: str, value: str) -> BaseHeader:
        value = _bounded(name, value)
        if len(value) > 1024:  # hostile giants stay out of the cache (bounded memory)
            return super().__call__(name, value)
        return self._parse(name, value)


class _Compat32(policy.Compat32):
    """compat32 with the same bounded MIME headers as the modern policy above."""

    def header_fetch_parse(self, name: str, value: str) -> Any:
        return super().header_fetch_parse(name, _bounded(name, value))


_PARSERS: "tuple[BytesParser[Any], ...]" = (
    BytesParser(policy=policy.default.clone(header_factory=_ParseOnceRegistry())),
    BytesParser(policy=_Compat32()),
)


# Charsets

# Tried in this order when the declared charset is missing, unknown or wrong (Polish mail first).
_FALLBACK_CODECS = ("utf-8", "cp1250", "iso8859-2")
# Declared charsets that senders use for their supersets; decoding with the superset is lossless.
_CODEC_SUPERSETS = {
    "iso8859-1": "cp1252",
    "iso8859-9": "cp1254",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc_kr": "cp949",
    "shift_jis": "cp932",
    "big5": "big5hkscs",
}
# Python codecs that are not real mail charsets and do odd things with hostile input.
_REFUSED_CODECS = frozenset(
    {"idna", "punycode", "unicode-escape", "raw-unicode-escape", "undefined", "charmap"}
)
# Only names Python knows reach codecs.lookup: the encodings package imports a module for a
# name and remembers every miss forever, so hostile made-up names would grow memory unbounded.
_CHARSET_NAME = re.compile(r"[a-z0-9][a-z0-9_.:+-]{0,63}")
_KNOWN_CODECS = (
    frozenset(encodings.aliases.aliases)
    | frozenset(encodings.aliases.aliases.values())
    | frozenset(module.name for module in pkgutil.iter_modules(encodings.__path__))
)


def _known_codec(name: str) -> bool:
    normalized = encodings.normalize_encoding(name.replace(" ", "-"))
    return normalized in _KNOWN_CODECS or normalized.replace(".", "_") in _KNOWN_CODECS


@functools.lru_cache(maxsize=512)
def _codec(charset: str) -> str | None:
    """Python's codec name for a declared charset, or None when it is unknown or unusable."""
    name = charset.strip().strip("\"'").split("*", 1)[0].strip().lower()
    if not _CHARSET_NAME.fullmatch(name):
        return None
    candidates = [name]
    if name.startswith("x-"):  # x-mac-cyrillic, x-gbk, ...
        candidates.append(name[2:])
    if name.endswith("-i"):  # iso-8859-8-i: the same bytes in logical order
        candidates.append(name[:-2])
    candidates.append(name.replace("-", ""))  # "cp-1250" for cp1250
    for candidate in candidates:
        if not _known_codec(candidate):
            continue
        try:
            found = codecs.lookup(candidate).name
        except (LookupError, ValueError, TypeError):
            continue
        return None if found in _REFUSED_CODECS else found
    return None


def _decode_bytes(data: bytes, charset: str | None) -> str:
    """Decode with the declared charset, else UTF-8, cp1250, ISO-8859-2, else Latin-1."""
    order: list[str] = []
    codec = _codec(charset) if charset and len(charset) <= 80 else None
    if codec is not None:
        superset = _CODEC_SUPERSETS.get(codec)
        if superset:
            order.append(superset)
        order.append(codec)
    for name in order:
        try:
            return data.decode(name)
        except (ValueError, LookupError):
            continue
    if codec is not None and codec.startswith("iso2022_jp"):
        # 7-bit data "decodes" as UTF-8 with the escape sequences left in: never fall back.
        return _jis_via_cp932(data)
    try:
        return data.decode("utf-8")
    except ValueError:
        pass
    mostly_utf8 = _mostly_utf8(data)
    if mostly_utf8 is not None:
        return mostly_utf8
    for name in _FALLBACK_CODECS[1:]:
        try:
            return data.decode(name)
        except ValueError:
            continue
    return data.decode("latin-1", errors="replace")  # pragma: no cover - ISO-8859-2 never fails


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with a few broken bytes (a cut-off character, a stray byte) decoded as UTF-8.

    Text in a single-byte charset almost never forms valid multi-byte sequences, so it yields
    hardly any valid non-ASCII characters here and goes on to cp1250 / ISO-8859-2.
    """
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    valid = len(text) - len(text.encode("ascii", errors="ignore")) - broken
    return text if valid >= 2 * broken else None


def _jis_via_cp932(data: bytes) -> str:
    """ISO-2022-JP as Microsoft writes it (CP50221: NEC and IBM extensions), via Shift_JIS.

    Python's iso2022_jp codecs refuse those extensions, which Outlook uses for e.g. "No."
    and circled numbers, and for Cyrillic mail sent with a Japanese locale.
    """
    out = bytearray()
    mode = "ascii"
    index = 0
    while index < len(data):
        byte = data[index]
        if byte == 0x1B:
            escape = data[index + 1 : index + 3]
            if escape in (b"$B", b"$@"):
                mode = "jis"
            elif escape == b"(I":
                mode = "kana"
            elif escape in (b"(B", b"(J"):
                mode = "ascii"
            index += 3
            continue
        if byte in (0x0A, 0x0D) or mode == "ascii":
            out.append(byte)
            index += 1
        elif mode == "kana":
            out.append(byte | 0x80)
            index += 1
        else:
            first, second = byte, data[index + 1] if index + 1 < len(data) else 0x21
            lead = (first - 0x21) // 2 + 0x81
            lead += 0x40 if lead > 0x9F else 0
            trail = second + (0x1F + (second >= 0x60) if first % 2 else 0x7E)
            out += bytes((lead & 0xFF, trail & 0xFF))
            index += 2
    return out.decode("cp932", errors="replace")


_SURROGATES = re.compile("[\ud800-\udfff]")


def _clean(text: str) -> str:
    """Text safe to store: no NUL characters (PostgreSQL refuses them), no lone surrogates."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    if _SURROGATES.search(text):
        text = _SURROGATES.sub("\ufffd", text)
    return text


def _to_bytes(text: str) -> bytes:
    """The original bytes of a string the parser decoded with surrogateescape."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace")


# Headers

_LINE_BREAKS = re.compile(r"\r\n|\r|\n")
_ENCODED_WORD = re.compile(r"=\?([^?\s]*)\?([bBqQ])\?([^?]*)\?=")
_NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/]")
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
# Closing ")" / '"' optional: a required one makes each unclosed opener rescan the rest of the
# value: quadratic on hostile input such as a long run of escaped quotes.
_COMMENT = re.compile(r"\((?:[^()\\]|\\.)*\)?")


def _raw_text(value: str) -> str:
    """A raw header value unfolded, with 8-bit bytes (no encoded word) decoded."""
    if not value.isascii():
        value = _decode_bytes(_to_bytes(value), None)
    return _LINE_BREAKS.sub("", value)


def _word_bytes(encoding: str, payload: str) -> bytes:
    if encoding in "bB":
        # Lenient base64: drop stray characters, repair the padding.
        cleaned = _NOT_BASE64.sub("", payload)
        if len(cleaned) % 4 == 1:
            cleaned = cleaned[:-1]
        return base64.b64decode(cleaned + "=" * (-len(cleaned) % 4))
    return binascii.a2b_qp(_to_bytes(payload), header=True)


def _decode_words(text: str) -> str:
    """Decode RFC 2047 encoded words; adjacent words of one charset are decoded together."""
    if "=?" not in text:
        return text
    pieces: list[str] = []
    pending = bytearray()
    pending_charset: str | None = None
    end = 0

    def flush() -> None:
        nonlocal pending_charset
        if pending_charset is not None:
            pieces.append(_decode_bytes(bytes(pending), pending_charset).replace("\ufeff", ""))
            pending.clear()
            pending_charset = None

    for match in _ENCODED_WORD.finditer(text):
        between = text[end : match.start()]
        charset = match.group(1).split("*", 1)[0].lower()
        # Whitespace between two encoded words is not part of the text (RFC 2047, 6.2); a
        # character split over two words of one charset is only whole once they are joined.
        if pending_charset is None or between.strip():
            flush()
            pieces.append(between)
        elif charset != pending_charset:
            flush()
        pending += _word_bytes(match.group(2), match.group(3))
        pending_charset = charset
        end = match.end()
    flush()
    pieces.append(text[end:])
    return "".join(pieces)


def _header_text(value: str | None) -> str:
    """A header value as readable text: unfolded, 8-bit and encoded words decoded, cleaned."""
    if not value:
        return ""
    return _clean(_decode_words(_raw_text(value)))


def _collapse(text: str) -> str:
    return _CONTROL_CHARS.sub("", " ".join(text.split()))


class _Headers:
    """The raw header values of one message or part, by lower-cased name, read once."""

    __slots__ = ("_values",)

    def __init__(self, message: Message) -> None:
        values: dict[str, list[str]] = {}
        for name, value in message.raw_items():
            key = str(name).strip().lower()
            values.setdefault(key, []).append(value if isinstance(value, str) else str(value))
        self._values = values

    def all(self, name: str) -> list[str]:
        return self._values.get(name, [])

    def first(self, name: str) -> str | None:
        found = self._values.get(name)
        return found[0] if found else None

    def __contains__(self, name: str) -> bool:
        return name in self._values


# Message ids

_MESSAGE_ID_TOKEN = re.compile(
    r'"(?:[^"\\]|\\.)*"?'  # quoted text (skipped)
    r"|\((?:[^()\\]|\\.)*\)?"  # comment (skipped)
    r"|<([^<>]*)(?:>|(?=<)|$)"  # <id>, also with the closing bracket missing
    r'|([^\s<>,;"()]+@[^\s<>,;"()]+)'  # a bare id@host
)
_WHITESPACE = re.compile(r"\s+")


def message_ids(header_value: str) -> tuple[str, ...]:
    """All message ids of a References / In-Reply-To / Message-ID value, without ``<>``.

    Tolerant of folding inside an id, missing brackets, commas and comments.
    """
    text = _raw_text(header_value or "")
    found: list[str] = []
    for match in _MESSAGE_ID_TOKEN.finditer(text):
        bracketed, bare = match.group(1), match.group(2)
        if bracketed is not None:
            token = _WHITESPACE.sub("", _COMMENT.sub("", bracketed))
        elif bare is not None:
            token = bare
        else:
            continue
        if token:
            found.append(_clean(token))
    if not found:
        # A lone token without brackets or "@" is still the sender's id, e.g. "Message-ID: 1234".
        single = _COMMENT.sub("", text).strip().strip("<>")
        if single and not _WHITESPACE.search(single) and '"' not in single:
            found.append(_clean(single))
    return tuple(found)


# Addresses

_ADDRESS_TOKEN = re.compile(
    r'(?P<quoted>"(?:[^"\\]|\\.)*"?)'
    r"|(?P<comment>\((?:[^()\\]|\\.)*\)?)"
    r"|(?P<angle><[^<>]*>?)"
    r"|(?P<separator>[,;:])"
    r'|(?P<word>[^",;:<(]+)'
)
_QUOTED_PAIR = re.compile(r"\\(.)")
# A C-level replacement function: Python 3.11 expands r"\1" templates slowly, match by match.
_FIRST_GROUP = operator.itemgetter(1)


def _unquote(quoted: str) -> str:
    inner = quoted[1:-1] if len(quoted) > 1 and quoted.endswith('"') else quoted[1:]
    return _QUOTED_PAIR.sub(_FIRST_GROUP, inner)


def _clean_address(raw: str) -> str | None:
    address = _WHITESPACE.sub("", _COMMENT.sub("", raw)).strip("<>")
    if len(address) > 1 and address[0] == address[-1] and address[0] in "'\"":
        address = address[1:-1]
    if address.lower().startswith("mailto:"):
        address = address[7:]
    if address.startswith("@") and ":" in address:  # obsolete source route "@a,@b:user@host"
        address = address.rsplit(":", 1)[1]
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain or any(char in domain for char in "<>,;\"'"):
        return None
    return _clean(address.lower())


def _mailbox(tokens: list[tuple[str, str]]) -> EmailAddress | None:
    """One mailbox from its tokens: ``name <addr>``, ``addr (name)`` or a broken variant."""
    angles = [index for index, (kind, _) in enumerate(tokens) if kind == "angle"]
    comments = [value[1:].removesuffix(")") for kind, value in tokens if kind == "comment"]
    if angles:
        last = angles[-1]
        address = _clean_address(tokens[last][1])
        words = [
            _unquote(value) if kind == "quoted" else value
            for kind, value in tokens[:last]
            if kind in ("quoted", "word")
        ]
        name = "".join(words)
    else:
        text = "".join(value for kind, value in tokens if kind in ("quoted", "word")).strip()
        words = text.split()
        # "Jan Kowalski jan@example.com" (no brackets): the address is the last word with "@".
        with_at = [index for index, word in enumerate(words) if "@" in word]
        if text.startswith('"') or not with_at:
            address, name = _clean_address(text), ""
        else:
            address = _clean_address(words[with_at[-1]])
            name = " ".join(words[: with_at[-1]] + words[with_at[-1] + 1 :])
    if address is None:
        return None
    if not name.strip() and comments:
        name = comments[-1]
    name = _collapse(_clean(_decode_words(name)))
    if len(name) > 1 and name[0] == name[-1] and name[0] in "'\"":
        name = name[1:-1].strip()
    return EmailAddress(name=name, address=address)


def _addresses(values: Iterable[str]) -> list[EmailAddress]:
    """Every usable mailbox of some address headers, in order, without repeats."""
    found: list[EmailAddress] = []
    seen: set[str] = set()
    for value in values:
        entries: list[list[tuple[str, str]]] = [[]]
        for match in _ADDRESS_TOKEN.finditer(_raw_text(value)):
            kind = match.lastgroup or "word"
            if kind != "separator":
                entries[-1].append((kind, match.group()))
            elif match.group() == ":" and not any(k == "angle" for k, _ in entries[-1]):
                entries[-1] = []  # "group name:" before a group's members
            else:
                entries.append([])
        for entry in entries:
            mailbox = _mailbox(entry) if entry else None
            if mailbox is not None and mailbox.address not in seen:
                seen.add(mailbox.address)
                found.append(mailbox)
    return found


# Dates

_SPACED_COLON = re.compile(r"\s*:\s*")


def _parse_date(value: str | None) -> datetime.datetime | None:
    if not value:
        return None
    text = _SPACED_COLON.sub(":", " ".join(_COMMENT.sub(" ", _raw_text(value)).split()))
    try:
        parsed = parsedate_to_datetime(text)
    except Exception:  # noqa: BLE001 - every kind of broken date just means "no date"
        try:
            parsed = datetime.datetime.fromisoformat(text)
        except ValueError:
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.UTC)
    return parsed


# Content-Type / Content-Disposition parameters

_PARAMETER = re.compile(r"\s*([^\s=;\"]+)\s*=\s*(.*)", re.DOTALL)
_PARAMETER_NAME = re.compile(r"([^*]+)(?:\*(\d{1,6}))?(\*)?")
_TYPE_THEN_PARAMETER = re.compile(r"(\S+)\s+([^\s=;\"]+\s*=.*)", re.DOTALL)
_QUOTED_PREFIX = re.compile(r'"((?:[^"\\]|\\.)*)"?')
_ESCAPED_QUOTE = re.compile(r'\\(["\\])')
_SEMICOLON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"?|[^";]+|;')
_UNSAFE_PARAMETER_CHARS = re.compile(r'["\\\x00-\x1f\x7f]')


def _split_semicolons(text: str) -> list[str]:
    """Split on ``;`` outside quoted strings."""
    if '"' not in text:
        return text.split(";")
    parts: list[str] = []
    current: list[str] = []
    for match in _SEMICOLON_TOKENS.finditer(text):
        if match.group() == ";":
            parts.append("".join(current))
            current = []
        else:
            current.append(match.group())
    parts.append("".join(current))
    return parts


def _parameter_value(raw: str) -> str:
    raw = raw.strip()
    if raw.startswith('"'):
        match = _QUOTED_PREFIX.match(raw)
        # Only \" and \\ are unescaped: senders rarely escape the backslashes of Windows paths.
        return _ESCAPED_QUOTE.sub(_FIRST_GROUP, match.group(1)) if match else raw.strip('"')
    return raw


def _parse_parameters(raw: str | None) -> tuple[str, dict[str, str]]:
    """A MIME header's main value (lower-case) and its parameters, RFC 2231 decoded."""
    if raw is None:
        return "", {}
    segments = _split_semicolons(_raw_text(raw))
    head = segments[0].strip()
    rest = segments[1:]
    # "multipart/mixed boundary=x": a missing ";" before the first parameter.
    missing_semicolon = _TYPE_THEN_PARAMETER.fullmatch(head)
    if missing_semicolon:
        head = missing_semicolon.group(1)
        rest.insert(0, missing_semicolon.group(2))
    simple: dict[str, str] = {}
    extended: dict[str, dict[int, tuple[str, bool]]] = {}
    for segment in rest:
        match = _PARAMETER.match(segment)
        if not match:
            continue
        key, value = match.group(1).lower(), _parameter_value(match.group(2))
        name = _PARAMETER_NAME.fullmatch(key)
        if name is None or (name.group(2) is None and name.group(3) is None):
            simple.setdefault(key, value)
        else:
            extended.setdefault(name.group(1), {}).setdefault(
                int(name.group(2) or 0), (value, name.group(3) is not None)
            )
    for key, sections in extended.items():
        charset: str | None = None
        data = bytearray()
        for position, index in enumerate(sorted(sections)):
            value, encoded = sections[index]
            if encoded:
                if position == 0 and value.count("'") >= 2:
                    charset, _language, value = value.split("'", 2)
                data += unquote_to_bytes(value)
            else:
                data += value.encode("utf-8")
        simple[key] = _decode_bytes(bytes(data), charset or None)
    return head.strip("\"' ").lower(), simple


def _content_type(raw: str | None, default: str) -> tuple[str, dict[str, str]]:
    value, params = _parse_parameters(raw)
    value = _WHITESPACE.sub("", value)
    if raw is None:
        return default, params
    if value.count("/") != 1 or value.startswith("/") or value.endswith("/"):
        return "text/plain", params  # what the standard library does with a broken type
    return value, params


# Attachment names

_PATH_SEPARATORS = re.compile(r"[/\\]")
# Controls, and the bidi overrides used to disguise "invoice\u202egpj.exe" as a picture.
_UNSAFE_NAME_CHARS = re.compile("[\x00-\x1f\x7f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_EXTENSIONS = {
    "message/rfc822": ".eml",
    "message/global": ".eml",
    "message/news": ".eml",
    "message/delivery-status": ".txt",
    "message/disposition-notification": ".txt",
    "message/feedback-report": ".txt",
    "message/rfc822-headers": ".txt",
    "message/global-headers": ".txt",
    "text/rfc822-headers": ".txt",
    "text/calendar": ".ics",
    "image/jpeg": ".jpg",
    "application/x-zip-compressed": ".zip",
}


@functools.lru_cache(maxsize=1)
def _mime_types() -> mimetypes.MimeTypes:
    # A private table built from Python's defaults only: the same names on every host.
    return mimetypes.MimeTypes()


def _extension(content_type: str) -> str:
    return _EXTENSIONS.get(content_type) or _mime_types().guess_extension(content_type) or ".bin"


def _safe_filename(name: str) -> str:
    """The last path component of a sender-chosen name, without control characters."""
    name = _collapse(_UNSAFE_NAME_CHARS.sub("", name))
    parts = [part.strip() for part in _PATH_SEPARATORS.split(name)]
    last = next((part for part in reversed(parts) if part), "")
    return "" if last in (".", "..") else last


def _filename(disposition_params: dict[str, str], type_params: dict[str, str]) -> str:
    """Content-Disposition's filename, else Content-Type's name, decoded and made safe."""
    filename = _safe_filename(_decode_words(disposition_params.get("filename", "")))
    name = _safe_filename(_decode_words(type_params.get("name", "")))
    # "?" (never valid in a file name) marks characters lost by a sender's charset conversion.
    if name and (not filename or ("?" in filename or "\ufffd" in filename) and "?" not in name):
        return name
    return filename


def _generated_name(content_type: str, number: int, subject: str) -> str:
    extension = _extension(content_type)
    if extension == ".eml":
        stem = _PATH_SEPARATORS.sub("_", _UNSAFE_NAME_CHARS.sub("", subject)).strip(" .")
        return f"{stem[:120].rstrip()}.eml" if stem else f"message-{number}.eml"
    main, _, sub = content_type.partition("/")
    if main == "image":
        prefix = "image"
    elif main == "message" or content_type == "text/rfc822-headers":
        prefix = sub  # delivery-status-2.txt reads better than attachment-2.txt
    else:
        prefix = "attachment"
    return f"{prefix}-{number}{extension}"


# MIME structure

_META_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?\s*([A-Za-z0-9_:.-]+)", re.I)
_HEAD_START = re.compile(r"<head[\s>/]", re.IGNORECASE)
_HEAD_END = re.compile(r"</head\s*>", re.IGNORECASE)
_CID_REFERENCE = re.compile(r"cid:([^\"'\s<>)]+)", re.IGNORECASE)
_PART_HEADER = re.compile(r"content-[a-z-]+[ \t]*:", re.IGNORECASE)
_BOUNDARY_LINE = re.compile(r"^--([^\s]{1,200}?)(?:--)?[ \t]*\r?$", re.MULTILINE)
_MESSAGE_ID_LINE = re.compile(
    r"^[ \t>]*message-id[ \t]*:[ \t]*(.*(?:\r?\n[ \t]+.*)*)", re.IGNORECASE | re.MULTILINE
)
_ENCAPSULATED_MESSAGES = frozenset({"message/rfc822", "message/global", "message/news"})
# Parts whose headers name the original message of a bounce.
_ORIGINAL_HEADERS = _ENCAPSULATED_MESSAGES | {
    "message/rfc822-headers",
    "message/global-headers",
    "text/rfc822-headers",
}
_BODY_TYPES = frozenset({"text/plain", "text/html"})


def _sniff_boundary(payload: str) -> str | None:
    """A boundary for a multipart without a usable one: a ``--token`` line that occurs twice
    or that is followed by a part's ``Content-`` header."""
    seen: set[str] = set()
    for match in _BOUNDARY_LINE.finditer(payload):
        token = match.group(1)
        if not any(char.isalnum() for char in token):
            continue  # a "-----" separator line
        if token in seen or _PART_HEADER.match(payload, match.end() + 1):
            return token
        seen.add(token)
    return None


def _header_section(data: bytes) -> str:
    # surrogateescape keeps 8-bit bytes for _raw_text to decode like any other raw header.
    text = data[:262144].decode("ascii", "surrogateescape")
    blank = re.search(r"\r?\n\r?\n", text)
    return text[: blank.start()] if blank else text


def _first_message_id(header_section: str) -> str | None:
    for match in _MESSAGE_ID_LINE.finditer(header_section):
        ids = message_ids(match.group(1))
        if ids:
            return ids[0]
    return None


def _without_head(html: str) -> str:
    """HTML without its <head> sections (title, styles); a linear scan, whatever the input."""
    kept: list[str] = []
    position = 0
    while start := _HEAD_START.search(html, position):
        end = _HEAD_END.search(html, start.end())
        if end is None:
            break
        kept.append(html[position : start.start()])
        position = end.end()
    kept.append(html[position:])
    return "".join(kept)


def _boundary(message: Message, params: dict[str, str]) -> bytes:
    """The boundary the parser split this multipart on."""
    try:
        found = message.get_boundary()
    except Exception:  # noqa: BLE001 - the modern header parser can raise; ours cannot
        found = None
    return _to_bytes(found or params.get("boundary", ""))


def _raw_payload(message: Message) -> list[Message] | bytes:
    """A part's sub-messages, or its body bytes exactly as received (not transfer-decoded).

    Read directly because ``get_payload()`` decodes an 8-bit body with the declared charset,
    which loses bytes or raises (a charset of "idna" does) before we could repair anything.
    """
    payload = getattr(message, "_payload", None)
    if isinstance(payload, list):
        return [child for child in payload if isinstance(child, Message)]
    if isinstance(payload, str):
        return _to_bytes(payload)
    return payload if isinstance(payload, bytes) else b""


def _serialize(message: Message, linesep: bytes) -> bytes:
    """A parsed message back to bytes, close to the original, without refolding or raising."""
    out = bytearray()
    for name, value in message.raw_items():
        out += _to_bytes(f"{name}: {value}") + linesep
    out += linesep
    payload = _raw_payload(message)
    if isinstance(payload, list):
        children = payload
        content_type, params = _content_type(_Headers(message).first("content-type"), "")
        boundary = b"" if content_type.startswith("message/") else _boundary(message, params)
        if not boundary:
            # message/rfc822 (one message) or message/delivery-status (blocks of fields).
            for child in children:
                out += _serialize(child, linesep)
            return bytes(out)
        if message.preamble:
            out += _to_bytes(message.preamble) + linesep
        for child in children:
            out += b"--" + boundary + linesep + _serialize(child, linesep) + linesep
        out += b"--" + boundary + b"--" + linesep
        if message.epilogue:
            out += _to_bytes(message.epilogue)
    else:
        out += payload
    return bytes(out)


@dataclass
class _Part:
    filename: str
    content_type: str
    content: bytes
    content_id: str
    disposition: str


class _Walker:
    """Collects the bodies, attachments and report details of one message's MIME tree."""

    def __init__(self, parser: BytesParser, linesep: bytes, max_attachment_bytes: int) -> None:
        self.parser = parser
        self.linesep = linesep
        self.max_attachment_bytes = max_attachment_bytes
        self.plain: list[str] = []
        self.html: list[str] = []
        self.parts: list[_Part] = []
        self.report_types: set[str] = set()
        self.content_types: set[str] = set()
        self.enclosed_ids: list[str] = []

    def walk(self, root: Message) -> None:
        stack: list[tuple[Message, int, str]] = [(root, 0, "text/plain")]
        while stack:
            part, depth, default_type = stack.pop()
            if depth > _MAX_DEPTH:
                raise UnparseableEmail(f"the MIME structure is nested more than {_MAX_DEPTH} deep")
            headers = _Headers(part)
            content_type, params = _content_type(headers.first("content-type"), default_type)
            self.content_types.add(content_type)
            if content_type == "multipart/report":
                self.report_types.add(params.get("report-type", "").strip().lower())
            payload = _raw_payload(part)
            if isinstance(payload, list):
                children = payload
                if content_type.startswith("message/"):
                    self._enclosed(headers, content_type, params, children)
                else:
                    child_default = (
                        "message/rfc822" if content_type == "multipart/digest" else "text/plain"
                    )
                    stack.extend((child, depth + 1, child_default) for child in reversed(children))
                continue
            if content_type.startswith("multipart/"):
                resplit = self._resplit(payload, content_type, params)
                if resplit is not None:
                    stack.append((resplit, depth + 1, default_type))
                    continue
                content_type = "text/plain"  # a multipart without usable boundary: read as text
            self._leaf(part, headers, content_type, params)

    def _resplit(self, body: bytes, content_type: str, params: dict[str, str]) -> Message | None:
        """Re-split a multipart whose boundary the standard parser missed (e.g. no ``;``)."""
        sniffed = _sniff_boundary(body.decode("latin-1"))
        for boundary in (
            _to_bytes(params.get("boundary", "")),
            sniffed.encode("latin-1") if sniffed else b"",
        ):
            if (
                not boundary
                or any(byte in boundary for byte in b'"\r\n')
                or b"--" + boundary not in body
            ):
                continue
            header = b"Content-Type: " + content_type.encode() + b'; boundary="' + boundary + b'"'
            message = self.parser.parsebytes(header + self.linesep + self.linesep + body)
            if message.is_multipart():
                return message
        return None

    def _enclosed(
        self,
        headers: _Headers,
        content_type: str,
        params: dict[str, str],
        children: list[Message],
    ) -> None:
        """An attached message (or a report's machine-readable block): kept as an attachment."""
        subject = ""
        if content_type in _ORIGINAL_HEADERS and children:
            inner = _Headers(children[0])
            subject = _collapse(_header_text(inner.first("subject")))
            ids = message_ids(inner.first("message-id") or "")
            if ids:
                self.enclosed_ids.append(ids[0])
        content = b"".join(_serialize(child, self.linesep) for child in children)
        disposition = _parse_parameters(headers.first("content-disposition"))
        self._attach(headers, content_type, params, disposition, content, subject)

    def _leaf(
        self, part: Message, headers: _Headers, content_type: str, params: dict[str, str]
    ) -> None:
        data = part.get_payload(decode=True)
        content = data if isinstance(data, bytes) else b""
        disposition = _parse_parameters(headers.first("content-disposition"))
        if (
            content_type in _BODY_TYPES
            and disposition[0] != "attachment"
            and not _filename(disposition[1], params)
        ):
            charset = params.get("charset")
            if content_type == "text/html":
                if not charset:
                    declared = _META_CHARSET.search(content[:4096])
                    charset = declared.group(1).decode("ascii") if declared else None
                self.html.append(_clean(_decode_bytes(content, charset)))
            else:
                text = _clean(_decode_bytes(content, charset))
                self.plain.append(text.replace("\r\n", "\n").replace("\r", "\n"))
            return
        subject = ""
        if content_type in _ORIGINAL_HEADERS:
            # Not parsed by the standard library (e.g. base64-encoded) or just the headers.
            section = _header_section(content)
            found = _first_message_id(section)
            if found:
                self.enclosed_ids.append(found)
            subject_line = re.search(r"(?im)^subject[ \t]*:(.*(?:\r?\n[ \t].*)*)", section)
            subject = _collapse(_header_text(subject_line.group(1))) if subject_line else ""
        self._attach(headers, content_type, params, disposition, content, subject)

    def _attach(
        self,
        headers: _Headers,
        content_type: str,
        params: dict[str, str],
        disposition: tuple[str, dict[str, str]],
        content: bytes,
        subject: str,
    ) -> None:
        number = len(self.parts) + 1
        filename = _filename(disposition[1], params) or _generated_name(
            content_type, number, subject
        )
        if len(content) > self.max_attachment_bytes:
            raise UnparseableEmail(
                f'attachment "{filename}" is {len(content):,} bytes, larger than the limit of '
                f"{self.max_attachment_bytes:,} bytes"
            )
        content_id = _WHITESPACE.sub("", _header_text(headers.first("content-id"))).strip("<>")
        self.parts.append(_Part(filename, content_type, content, content_id, disposition[0]))


# Classification

_DAEMON_SENDER = re.compile(
    r"(?:^|[\s<\"'(:,])(?:mailer[-_ ]?daemon|postmaster)(?=@|[\s>\"')]|$)", re.IGNORECASE
)
_FAILURE_SUBJECT = re.compile(
    r"undeliver|delivery status notification \(failure\)|returned mail|mail delivery failed"
    r"|delivery failure|delivery has failed|failure notice|could not be delivered"
    r"|niedostarcz|nie można dostarczyć|nie mozna dostarczyc|nie dostarczono",
    re.IGNORECASE,
)
_AUTO_REPLY_HEADERS = ("x-autoreply", "x-autorespond")
_NEGATIVE_VALUES = frozenset({"no", "false", "0", "off"})
_LIST_PRECEDENCE = frozenset({"bulk", "list", "junk"})


def _token(value: str | None) -> str:
    """The first word of a header like ``Auto-Submitted: auto-replied; owner=...``, lower-case."""
    if value is None:
        return ""
    return _COMMENT.sub("", _raw_text(value)).split(";", 1)[0].strip().strip("\"'").lower()


def _classify(headers: _Headers, walker: _Walker, subject: str) -> tuple[MailKind, bool]:
    """The mail kind (BOUNCE > AUTO_REPLY > LIST > NORMAL) and the never-auto-answer flag."""
    submitted = _token(headers.first("auto-submitted"))
    auto_submitted_header = submitted not in ("", "no")
    failure_subject = bool(_FAILURE_SUBJECT.search(subject[:500]))
    from_daemon = any(_DAEMON_SENDER.search(_raw_text(value)) for value in headers.all("from"))
    null_return_path = any(_token(value) == "<>" for value in headers.all("return-path"))
    if (
        "delivery-status" in walker.report_types
        or "message/delivery-status" in walker.content_types
        or (failure_subject and (from_daemon or null_return_path))
    ):
        return MailKind.BOUNCE, True
    precedence = _token(headers.first("precedence"))
    # Read receipts and other machine-written reports (feedback loops) are not from a person.
    other_report = bool(walker.report_types) or "message/disposition-notification" in (
        walker.content_types
    )
    if (
        auto_submitted_header
        or precedence == "auto_reply"
        or other_report
        or any(
            name in headers and _token(headers.first(name)) not in _NEGATIVE_VALUES
            for name in _AUTO_REPLY_HEADERS
        )
    ):
        return MailKind.AUTO_REPLY, True
    if precedence in _LIST_PRECEDENCE or "list-id" in headers or "list-unsubscribe" in headers:
        return MailKind.LIST, auto_submitted_header
    return MailKind.NORMAL, auto_submitted_header


# Parsing

_REQUIRED_HEADERS = ("from", "message-id", "subject", "content-type")
_SPACED_HEADER_NAME = re.compile(rb"^([!-9;-~]+)[ \t]+:")
_HEADER_LINE = re.compile(rb"[!-9;-~]+[ \t]*:|[ \t]|From ")


def _repair_header_names(data: bytes) -> bytes:
    """``Subject : x`` (obsolete RFC 822 syntax) to ``Subject: x``, which the parser needs."""
    blank = re.search(rb"\r?\n\r?\n", data)
    head = data[: blank.start()] if blank else data
    if b" :" not in head and b"\t:" not in head:
        return data
    lines = head.split(b"\n")
    for index, line in enumerate(lines):
        if not _HEADER_LINE.match(line):
            break  # the parser ends the header section here anyway
        lines[index] = _SPACED_HEADER_NAME.sub(rb"\1:", line, count=1)
    return b"\n".join(lines) + data[len(head) :]


def _parse(raw: bytes, max_message_bytes: int, max_attachment_bytes: int) -> ParsedEmail:
    if len(raw) > max_message_bytes:
        raise UnparseableEmail(
            f"message is {len(raw):,} bytes, larger than the limit of {max_message_bytes:,} bytes"
        )
    data = _repair_header_names(raw.lstrip(b"\r\n"))
    if not data.strip():
        raise UnparseableEmail("no e-mail headers found")
    linesep = b"\r\n" if b"\r\n" in data[:2048] else b"\n"
    failure: Exception | None = None
    # The modern policy first; compat32 when it trips over something the old one tolerates.
    for parser in _PARSERS:
        try:
            message = parser.parsebytes(data)
            headers = _Headers(message)
            if not any(name in headers for name in _REQUIRED_HEADERS):
                raise UnparseableEmail("no e-mail headers found")
            walker = _Walker(parser, linesep, max_attachment_bytes)
            walker.walk(message)
            return _assemble(headers, walker)
        except UnparseableEmail:
            raise
        except Exception as exc:  # noqa: BLE001 - retried with the other policy, then reported
            failure = exc
    if isinstance(failure, RecursionError):
        raise UnparseableEmail("the MIME structure is nested too deeply to parse")
    raise UnparseableEmail(f"the message structure could not be parsed ({_describe(failure)})")


def _assemble(headers: _Headers, walker: _Walker) -> ParsedEmail:
    subject = _collapse(_header_text(headers.first("subject")))
    html = "\n\n".join(part for part in walker.html if part.strip())
    text = "\n\n".join(part.strip("\n").rstrip() for part in walker.plain if part.strip())
    if not text and html:
        text = html_to_text(_without_head(html))
    referenced = {unquote(ref).strip().lower() for ref in _CID_REFERENCE.findall(html)}
    attachments = tuple(
        EmailAttachment(
            filename=part.filename,
            content_type=part.content_type,
            content=part.content,
            content_id=part.content_id,
            is_inline=bool(part.content_id)
            and (part.content_id.lower() in referenced or part.disposition == "inline"),
        )
        for part in walker.parts
    )
    kind, auto_submitted = _classify(headers, walker, subject)
    bounced: tuple[str, ...] = ()
    if kind is MailKind.BOUNCE:
        found = walker.enclosed_ids or [
            ids[0] for match in _MESSAGE_ID_LINE.finditer(text) if (ids := message_ids(match[1]))
        ]
        bounced = tuple(dict.fromkeys(found))
    senders = _addresses(headers.all("from"))
    reply_to = _addresses(headers.all("reply-to"))
    message_id = message_ids(headers.first("message-id") or "")
    return ParsedEmail(
        message_id=message_id[0] if message_id else "",
        in_reply_to=message_ids(" ".join(headers.all("in-reply-to"))),
        references=message_ids(" ".join(headers.all("references"))),
        subject=subject,
        sender=senders[0] if senders else None,
        reply_to=reply_to[0] if reply_to else None,
        to=tuple(_addresses(headers.all("to"))),
        cc=tuple(_addresses(headers.all("cc"))),
        date=_parse_date(headers.first("date")),
        text=text,
        html=html,
        attachments=attachments,
        kind=kind,
        bounced_message_ids=bounced,
        auto_submitted=auto_submitted,
    )


def _describe(exc: BaseException | None) -> str:
    if exc is None:
        return "unknown error"
    detail = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {detail[:200]}" if detail else type(exc).__name__


def parse_email(
    raw: bytes,
    *,
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
    max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES,
) -> ParsedEmail:
    """Parse raw RFC 822 bytes; raise :class:`UnparseableEmail` (and nothing else) on failure."""
    try:
        if not isinstance(raw, bytes | bytearray | memoryview):
            raise UnparseableEmail(f"expected the raw message as bytes, got {type(raw).__name__}")
        return _parse(bytes(raw), max_message_bytes, max_attachment_bytes)
    except UnparseableEmail:
        raise
    except RecursionError as exc:
        raise UnparseableEmail("the MIME structure is nested too deeply to parse") from exc
    except MemoryError as exc:
        raise UnparseableEmail("ran out of memory while parsing the message") from exc
    except Exception as exc:  # noqa: BLE001 - the pipeline must only ever see UnparseableEmail
        raise UnparseableEmail(f"unexpected parser failure ({_describe(exc)})") from exc


# Subjects

_REPLY_PREFIXES = re.compile(
    r"(?:\s*(?:re|fwd?|aw|wg|odp|pd|tr|sv)\s*(?:\[\d+\]|\(\d+\))?\s*[:：])+", re.IGNORECASE
)


def normalize_subject(subject: str) -> str:
    """The subject for threading: reply/forward prefixes removed, whitespace collapsed, casefolded.

    Any number of leading ``Re:``, ``Fwd:``, ``AW:``, ``Odp:``, ``Re[2]:`` ... go; bracket tags
    such as ``[EXT]`` stay.
    """
    collapsed = " ".join(subject.split())
    prefixes = _REPLY_PREFIXES.match(collapsed)
    if prefixes:
        collapsed = collapsed[prefixes.end() :]
    return collapsed.strip().casefold()
