"""Separate what a customer wrote in a reply from the quoted history and the signature.

A pure module: strings in, strings out, no database and no Django.

Plain text (:func:`split_reply_text`) is read line by line. The reply is one contiguous run of
lines; everything else is "quoted": the quote header and quoted history after it, a signature
before it, and, for a bottom-posted reply, a leading quote. The rules, in order of strength:

* A quote header, an original-message separator ("-----Original Message-----"), an Outlook
  header block ("From:/Sent:/To:/Subject:", "Od:/Wysłano:/Do:/Temat:", ...) or a helpdesk marker
  ("reply above this line") whose history is not prefixed with ">" ends the reply: everything
  after it is quoted, whatever it contains.
* A forward stays in the reply, whole: the agent must read what the sender passes on. When an
  unprefixed forward separator ("---------- Forwarded message ---------", "Przekazana
  wiadomość", "Begin forwarded message:", ...) follows the cut point before any of the history
  starts above, nothing from the cut point on is removed: not the separator, the header block
  under it (which is not an Outlook reply block), the forwarded text and what it quotes, nor a
  signature or ">" quote between the sender's note and the forward (the reply is one run of
  lines). A forward below such a history start was part of the message answered, and a ">"
  prefixed one is quoted history; both are cut as before. A leading bottom-posted quote above
  the note is still moved to quoted. Outlook forwards without a separator line look exactly like
  Outlook replies and are cut.
* A header followed by ">" lines, or bare ">" lines, is quoted history only when nothing but
  more quotes, blank lines and a signature follow it. A quote with new text after it is an
  inline (interleaved) reply and stays in the reply as context for the answers, so one cut point
  never hides text written below a quote. The one exception is bottom-posting: a single leading
  header + ">" block followed by new text only is moved to quoted.
* Bare ">" lines need two lines to count as a quote: a single trailing ">5 items" is the
  customer's text. ">" lines followed by more reply text are never a cut point.
* Signatures: "-- " (RFC 3676 delimiter, trailing space required) with up to 15 lines after it,
  mobile lines such as "Sent from my iPhone" or "Wysłane z iPhone'a", and, directly after a
  quote, "--" or "____" footers. "Pozdrawiam," and other sign-offs are reply text.
* Whatever the rules say, a reply that would be empty is replaced by the whole text: losing what
  the customer sent is worse than showing a quote (a fully quoted message).

Invariant: the lines of the input (CRLF, CR and LF all count as line breaks) are partitioned
between ``reply`` and ``quoted``; nothing but whitespace is ever dropped, and the non-whitespace
characters of the input read in order are those of ``quoted``'s leading part, then ``reply``,
then the rest of ``quoted``.

English line patterns start from email_reply_parser (GitHub's rules, ported by Zapier): its
``On … wrote:`` header, ``From:/Sent:/To:/Subject:`` line and ``Sent from my …`` signature
expressions are applied to bounded windows of lines. ``EmailMessage.read()`` itself is not called:
its DOTALL multi-line header expression backtracks super-linearly (4 KB of "On x" takes seconds)
and it marks fragments hidden in a quadratic loop, so it cannot take hostile bodies.

HTML (:func:`split_reply_html`) is projected to text lines with the standard library's
HTMLParser (no other HTML parser is installed), marking as quoted the lines inside known quote
containers (``div.gmail_quote``, ``blockquote``, ``div.moz-cite-prefix``, ``.yahoo_quoted``,
``#OLK_SRC_BODY_SECTION``) and every line from an "onwards" marker on (``#divRplyFwdMsg``,
``#appendonsend``, Outlook's top-bordered header ``div``, Hotmail's ``hr#stopSpelling``). The same
line rules then choose the cut, which is mapped back to an offset in the original markup:
``reply_html + quoted_html == html`` always. Forwards are found on the lines' own text, before
the container's ">" mark: Gmail's ``div.gmail_quote`` starting with "---------- Forwarded
message", Apple's blockquote starting with "Begin forwarded message:" and an Outlook header
``div`` under a forward separator all stay in reply_html, unless a quote header or another
history start comes first.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
from typing import Final

from email_reply_parser import EmailMessage as _ReplyParserRules

__all__ = ["SplitReply", "split_reply_html", "split_reply_text"]


@dataclass(frozen=True)
class SplitReply:
    """A plain-text reply split into the sender's new text and what was removed from it."""

    reply: str
    """The new text the sender wrote, without leading blank lines and trailing whitespace."""
    quoted: str
    """Everything removed (quote header, quoted history, signature); "" when nothing was."""


# Limits that keep every line test bounded, so the whole split stays linear in the input.
_MAX_HEADER_CHARS: Final = 500  # a quote header longer than this is prose
_MAX_HEADER_LINES: Final = 5  # clients wrap headers over 2-3 lines, Polymail over 5
_MAX_SIGNATURE_LINES: Final = 15
_MAX_FIELD_BLOCK_LINES: Final = 12
_MAX_MOBILE_CHARS: Final = 120
_MAX_SPLIT_LINE_CHARS: Final = 1000

_LINE_BREAK: Final = re.compile(r"\r\n|\r|\n")
_QUOTED: Final = re.compile(r"[ \t]{0,3}>")
_DIGIT: Final = re.compile(r"\d")
_TIME: Final = re.compile(r"\d{1,2}:\d{2}")
_TIME_OR_ADDRESS: Final = re.compile(r"\d{1,2}:\d{2}|@")
_TIME_ADDRESS_OR_USER: Final = re.compile(r"\d{1,2}:\d{2}|@|пользователь|użytkownik", re.IGNORECASE)
_EMAIL: Final = re.compile(r"[\w.+-]@[\w-]+(?:\.[\w-]+)+")
_DECORATION: Final = "-–—_*=~ \t\xa0"
_NOT_AFTER_LETTER: Final = r"(?<![^\W\d_])"

# "wrote:" in the languages our customers and their correspondents use.
_VERBS_EN: Final = r"wrote|writes|sent"
_VERBS_PL: Final = r"pisze|napisał\(a\)|napisała|napisał|napisal\(a\)|napisala|napisal"
_VERBS_OTHER: Final = (
    r"schrieb|a\s+écrit|ha\s+scritto|написал\(а\)|написала|написал|пишет|skrev|schreef"
    r"|escribió|escreveu|đã\s+viết|写道"
)
_VERBS_ALL: Final = f"{_VERBS_EN}|{_VERBS_PL}|{_VERBS_OTHER}"


def _ends_with(verbs: str) -> re.Pattern[str]:
    return re.compile(rf"{_NOT_AFTER_LETTER}(?:{verbs})\s*[:：]?\Z", re.IGNORECASE)


# Gmail starts headers with the date: "pon., 12 mar 2026 o 10:15 …", "2014-10-17 11:28 …".
_DATE_START: Final = re.compile(
    r"(?:\d|(?:pon|wt|śr|czw|pt|sob|niedz|nd|mon|tue|wed|thu|fri|sat|sun|пн|вт|ср|чт|пт|сб|вс"
    r"|понедельник|вторник|среда|четверг|пятница|суббота|воскресенье"
    r"|lun|mar|mer|jeu|ven|sam|dim|mo|di|mi|do|fr|sa|so)[^\W\d_]*+\.?,?\s)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _HeaderRule:
    """One way a quote header can look, checked on a whitespace-collapsed window of lines."""

    start: re.Pattern[str] | None  # matched at the beginning; None: any line (single-line rules)
    end: re.Pattern[str] | None = None  # searched, anchored at the end
    verb: re.Pattern[str] | None = None  # searched anywhere after the start
    digit: bool = True  # real headers carry a date; prose like "On Monday I wrote:" does not
    needs: re.Pattern[str] | None = None  # searched: a time or an address, which prose lacks
    colon: bool = True  # must end with ":" unless decorated ("---- John wrote ----")
    multi_line: bool = True
    quote_after: bool = False  # only a header when ">" lines follow (no colon to go by)
    name_before: bool = False  # "<Name> wrote:": the words before the verb must look like a name


_HEADER_RULES: Final[tuple[_HeaderRule, ...]] = (
    # email_reply_parser's English header, "On … wrote:", as the base.
    _HeaderRule(_ReplyParserRules.QUOTE_HDR_REGEX, needs=_TIME_OR_ADDRESS),
    # Ours: any case, "sent"/"writes", "<a@b.c>wrote:" with no space.
    _HeaderRule(
        re.compile(r"on\s", re.IGNORECASE), end=_ends_with(_VERBS_EN), needs=_TIME_OR_ADDRESS
    ),
    # Thunderbird: "W dniu 12.03.2026 o 10:15, Jan Kowalski pisze:"; without the time it is
    # as likely the customer's "W dniu 12 marca sklep napisał:".
    _HeaderRule(
        re.compile(r"w\s+dniu\s", re.IGNORECASE), end=_ends_with(_VERBS_PL), needs=_TIME_OR_ADDRESS
    ),
    # "Dnia 3 lip 2014 o godz. 19:33 Jan <jan@x.pl> napisał(a):"
    _HeaderRule(
        re.compile(r"dnia\s", re.IGNORECASE), end=_ends_with(_VERBS_PL), needs=_TIME_OR_ADDRESS
    ),
    # Apple Mail: "Wiadomość napisana przez Jan <jan@x.pl> w dniu 25 lis 2014, o godz. 21:44:"
    _HeaderRule(
        re.compile(r"wiadomość\s+napisana\s+przez\s", re.IGNORECASE),
        verb=re.compile(r"\sw\s+dniu\s", re.IGNORECASE),
    ),
    # "Am 14.01.2024 um 10:00 schrieb Hans <hans@x.de>:"
    _HeaderRule(
        re.compile(r"am\s", re.IGNORECASE),
        verb=re.compile(rf"{_NOT_AFTER_LETTER}schrieb(?![^\W\d_])", re.IGNORECASE),
    ),
    _HeaderRule(re.compile(r"le\s", re.IGNORECASE), end=_ends_with(r"a\s+écrit")),
    _HeaderRule(re.compile(r"il\s+giorno\s", re.IGNORECASE), end=_ends_with(r"ha\s+scritto")),
    _HeaderRule(
        re.compile(r"op\s", re.IGNORECASE),
        verb=re.compile(r"schreef|geschreven", re.IGNORECASE),
    ),
    _HeaderRule(re.compile(r"(?:den|på)\s", re.IGNORECASE), end=_ends_with(r"skrev")),
    _HeaderRule(re.compile(r"(?:el|em)\s", re.IGNORECASE), end=_ends_with(r"escribió|escreveu")),
    _HeaderRule(re.compile(r"vào\s", re.IGNORECASE), end=_ends_with(r"đã\s+viết")),
    _HeaderRule(re.compile(r"在"), end=_ends_with(r"写道")),
    # Gmail: "pon., 12 mar 2026 o 10:15 Jan Kowalski <jan@example.pl> napisał(a):",
    # "суббота, 26 июля 2014 г. пользователь Some Body написал:"
    _HeaderRule(_DATE_START, end=_ends_with(_VERBS_ALL), needs=_TIME_ADDRESS_OR_USER),
    # Gmail without a verb: "ср, 30 апр. 2025 г. в 15:19, John Doe <doe@example.com>:"
    _HeaderRule(_DATE_START, end=re.compile(r"@[^\s<>]*>\s*[:：]\Z"), needs=_TIME),
    # Old Gmail: "2011/4/7 Nathan <support@example.com>" with no colon at all.
    _HeaderRule(
        re.compile(r"\d{4}/\d{1,2}/\d{1,2}\s"),
        end=re.compile(r"<[^<>\s]+@[^<>\s]+>\Z"),
        colon=False,
        multi_line=False,
        quote_after=True,
    ),
    # "Sent from Samsung Mobile Name <a@b.c> wrote:"
    _HeaderRule(
        None,
        end=_ends_with(_VERBS_ALL),
        digit=False,
        needs=_EMAIL,
        multi_line=False,
        name_before=True,
    ),
    # "Jan Kowalski napisał:", "Zhuk Pavel wrote:", "---- John Smith wrote ----": with no date
    # or address, only a header when ">" lines follow ("Kurier napisał:" and a quote is prose).
    _HeaderRule(
        None,
        end=_ends_with(_VERBS_ALL),
        digit=False,
        multi_line=False,
        quote_after=True,
        name_before=True,
    ),
)
_MULTI_LINE_STARTS: Final = tuple(
    rule.start for rule in _HEADER_RULES if rule.multi_line and rule.start is not None
)
_HEADER_LAST_CHARS: Final = frozenset(":：->")
# Polymail puts the verb on its own quoted line: "> wrote:".
_QUOTED_VERB_ONLY: Final = re.compile(rf"[ \t]{{0,3}}>\s*(?:{_VERBS_EN})\s*:\s*\Z", re.IGNORECASE)
# "text--- On Wed, Apr 4, 2012 at 3:59 PM, me@domain.com wrote:" shares one line.
_SHARED_LINE_HEADER: Final = re.compile(r"(?<!-)-{2,}+[ \t]*+(?=on\s)", re.IGNORECASE)

# Outlook header blocks, by field name; the kind decides whether a block is convincing.
_FIELD_KINDS: Final[dict[str, str]] = {
    **dict.fromkeys(["from", "od", "von", "de", "da", "от", "fra", "från", "van"], "from"),
    **dict.fromkeys(
        [
            "sent",
            "wysłano",
            "wysłane",
            "gesendet",
            "envoyé",
            "inviato",
            "отправлено",
            "sendt",
            "skickat",
            "verzonden",
            "enviado",
        ],
        "sent",
    ),
    **dict.fromkeys(["date", "data", "datum", "дата", "dato", "fecha"], "date"),
    **dict.fromkeys(
        ["to", "do", "an", "à", "a", "кому", "til", "till", "aan", "para"],
        "to",
    ),
    **dict.fromkeys(["cc", "dw", "kopia", "копия", "kopie"], "cc"),
    **dict.fromkeys(
        [
            "subject",
            "temat",
            "betreff",
            "objet",
            "oggetto",
            "тема",
            "emne",
            "ämne",
            "onderwerp",
            "asunto",
            "assunto",
        ],
        "subject",
    ),
}
_FIELD: Final = re.compile(
    r"[ \t]*[*_]{0,2}("
    + "|".join(re.escape(name) for name in sorted(_FIELD_KINDS, key=len, reverse=True))
    + r")[*_]{0,2}[ \t\xa0]*[:：]",
    re.IGNORECASE,
)
_RULE_LINE: Final = re.compile(r"[ \t]*[-_=─]{5,}[ \t]*\Z")

# Reply history: what follows is the message being answered, so it is quoted.
_HISTORY_SEPARATOR_PHRASES: Final = (
    "original message",
    "wiadomość oryginalna",
    "oryginalna wiadomość",
    "wiadomosc oryginalna",
    "ursprüngliche nachricht",
    "oprindelig besked",
    "oprindelig meddelelse",
    "opprinnelig melding",
    "ursprungligt meddelande",
    "oorspronkelijk bericht",
    "message d'origine",
    "messaggio originale",
    "mensaje original",
    "mensagem original",
    "исходное сообщение",
)
# A forward: what follows is content the sender passes on, so it stays in the reply.
_FORWARD_SEPARATOR_PHRASES: Final = (
    "forwarded message",
    "begin forwarded message",
    "przekazana wiadomość",
    "wiadomość przekazana dalej",
    "wiadomość przekazana",
    "przekazana wiadomosc",
    "wiadomosc przekazana dalej",
    "wiadomosc przekazana",
    "początek przekazywanej wiadomości",
    "weitergeleitete nachricht",
    "message transféré",
    "messaggio inoltrato",
    "mensaje reenviado",
    "пересылаемое сообщение",
)


def _separator(phrases: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(
        r"[-_=*~ \t]*+(?:"
        + "|".join(re.escape(phrase) for phrase in sorted(phrases, key=len, reverse=True))
        + r")[ \t]*+:?[-_=*~ \t]*+",
        re.IGNORECASE,
    )


_SEPARATOR: Final = _separator(_HISTORY_SEPARATOR_PHRASES + _FORWARD_SEPARATOR_PHRASES)
_FORWARD_SEPARATOR: Final = _separator(_FORWARD_SEPARATOR_PHRASES)
_REPLY_ABOVE: Final = re.compile(
    r"(?:reply|respond|response|write)\s+above\s+this\s+line"
    r"|(?:odpowi|pisz)\w{0,12}+\s+(?:powyżej|nad)\s+t(?:ej|ą)\s+lini",
    re.IGNORECASE,
)

_SIGNATURE_DELIMITER: Final = re.compile(r"--[ \t\xa0]+\Z")  # RFC 3676: dash, dash, space
_FOOTER_DELIMITER: Final = re.compile(r"[ \t]*(?:-{2,}|_{2,}|—|–|={3,})[ \t\xa0]*\Z")
_MOBILE_SIGNATURE: Final = re.compile(
    r"sent\s+from\s+my\s+\S.{0,50}"
    r"|sent\s+(?:from|with|via|using)\s+(?:outlook|yahoo|aol|gmail|mail|samsung|huawei|xiaomi"
    r"|blackberry|sparrow|spark|proton|bluemail|mailbird|iphone|ipad|android|windows)\b.{0,50}"
    r"|get\s+outlook\s+for\s+(?:ios|android)\b.{0,80}"
    r"|wysłan[eoay]\s+(?:z|ze|przy\s+użyciu|za\s+pomocą)\s+(?:moje(?:go|j)\s+)?"
    r"(?:iphone|ipad|telefonu|smartfon\w*|urządzeni\w*|aplikacji|samsung\w*|galaxy|android\w*"
    r"|outlook\w*|poczty|huawei|xiaomi|redmi|tablet\w*|komórki|blackberry)\b.{0,60}"
    r"|pobierz\s+(?:aplikację\s+)?outlook\b.{0,80}"
    r"|von\s+meinem\s+\S.{0,40}gesendet\W*"
    r"|gesendet\s+von\s+(?:meinem\s+)?\S.{0,40}"
    r"|envoyé\s+(?:de|depuis)\s+(?:mon\s+)?\S.{0,40}"
    r"|inviato\s+da\s+\S.{0,40}"
    r"|отправлено\s+(?:с|из)\s+\S.{0,40}",
    re.IGNORECASE,
)
# talon's case: a quoted link wrapped by the client leaves its tail unquoted.
_OPEN_LINK: Final = re.compile(r"[(<](?:https?|ftp)://[^\s)>]*+\Z", re.IGNORECASE)


# Plain text


def split_reply_text(text: str) -> SplitReply:
    """Separate the visible reply of a plain-text e-mail body from quoted history and signature."""
    original = _LINE_BREAK.split(text)
    lines = _split_shared_header_lines(original)
    start, end = _locate(lines)
    reply = _join(lines[start:end])
    if not reply:
        return SplitReply(_join(original), "")
    quoted = "\n".join(part for part in (_join(lines[:start]), _join(lines[end:])) if part)
    return SplitReply(reply, quoted)


def _join(lines: list[str]) -> str:
    """The lines without leading blank lines and trailing whitespace."""
    first = 0
    while first < len(lines) and not lines[first].strip():
        first += 1
    return "\n".join(lines[first:]).rstrip()


def _split_shared_header_lines(lines: list[str]) -> list[str]:
    """Put a header that shares a line with reply text ("bla--- On … wrote:") on its own."""
    result: list[str] = []
    for line in lines:
        match = None
        if "--" in line and len(line) <= _MAX_SPLIT_LINE_CHARS:
            match = _SHARED_LINE_HEADER.search(line)
        if match and line[: match.start()].strip() and not _QUOTED.match(line):
            header = line[match.start() :]
            if _header_at(header, single=True) is not None:
                result.extend((line[: match.start()].rstrip(), header))
                continue
        result.append(line)
    return result


class _Lines:
    """Per-line facts used by the cut decision, each computed once in bounded time."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.n = n = len(lines)
        self.stripped = [line.strip() for line in lines]
        self.blank = [not s for s in self.stripped]
        self.quoted = [bool(_QUOTED.match(line)) for line in lines]
        self.next_nonblank = [n] * (n + 1)
        for i in range(n - 1, -1, -1):
            self.next_nonblank[i] = i if not self.blank[i] else self.next_nonblank[i + 1]
        self.field = [self._field_kind(i) for i in range(n)]
        # (end, quote_after) of a quote header starting on the line.
        self.header = [self._header(i) for i in range(n)]
        self.hard_start = [self._hard_start(i) for i in range(n)]
        self.link_tail = [self._link_tail(i) for i in range(n)]
        self.forward = [
            self.hard_start[i] and bool(_FORWARD_SEPARATOR.fullmatch(self.stripped[i]))
            for i in range(n)
        ]

    def _field_kind(self, i: int) -> str | None:
        if self.quoted[i] or self.blank[i]:
            return None
        library = _ReplyParserRules.HEADER_REGEX.match(self.stripped[i])
        if library:
            return str(library.group(1)).lower()
        match = _FIELD.match(self.lines[i])
        return _FIELD_KINDS.get(match.group(1).lower()) if match else None

    def _header(self, i: int) -> tuple[int, bool] | None:
        if self.blank[i] or self.quoted[i] or len(self.stripped[i]) > _MAX_HEADER_CHARS:
            return None
        first = self.stripped[i]
        found = _header_at(first, single=True)
        if found is not None:
            return (i + 1, found)
        bare = first.lstrip(_DECORATION)
        if not any(start.match(bare) for start in _MULTI_LINE_STARTS):
            return None
        parts = [first]
        size = len(first)
        j = i
        while j - i < _MAX_HEADER_LINES - 1:
            j += 1
            # A blank line may sit inside a header only before an address ("<" on a new line).
            while j < self.n and self.blank[j] and j + 1 < self.n:
                if not self.stripped[j + 1].startswith("<") or j - i >= _MAX_HEADER_LINES:
                    break
                j += 1
            if j >= self.n or self.blank[j]:
                return None
            if self.quoted[j] and not _QUOTED_VERB_ONLY.match(self.lines[j]):
                return None
            part = self.stripped[j]
            size += len(part) + 1
            if size > _MAX_HEADER_CHARS:
                return None
            parts.append(part.lstrip(">").strip() if self.quoted[j] else part)
            if part[-1] not in _HEADER_LAST_CHARS:
                continue
            found = _header_at(" ".join(parts), single=False)
            if found is not None:
                return (j + 1, found)
        return None

    def _block_accepted(self, i: int) -> bool:
        """An Outlook-style header block starts on line i."""
        if self.field[i] is None:
            return False
        kinds: set[str] = set()
        with_email = False
        loose = 0
        j = i
        while j < self.n and j < i + _MAX_FIELD_BLOCK_LINES and not self.blank[j]:
            if self.quoted[j]:
                break
            kind = self.field[j]
            if kind is None:
                loose += 1
                if loose > 3:
                    break
            else:
                kinds.add(kind)
            with_email = (
                with_email or "mailto:" in self.lines[j] or bool(_EMAIL.search(self.lines[j]))
            )
            j += 1
        # "Od: 12.03 / Do: 15.03" is a date range in Polish, so a date or "Sent:" field is
        # required, plus an address or a fuller set of fields.
        if not kinds & {"sent", "date"} or len(kinds) < 2:
            return False
        return with_email or (len(kinds) >= 3 and bool(kinds & {"subject", "sent"}))

    def _hard_start(self, i: int) -> bool:
        """Line i starts history that is not ">"-prefixed: everything from it on is quoted."""
        if self.blank[i] or self.quoted[i]:
            return False
        line = self.stripped[i]
        if _SEPARATOR.fullmatch(line) or _REPLY_ABOVE.search(line):
            return True
        if self._block_accepted(i):
            return True
        if _RULE_LINE.match(self.lines[i]):
            following = self.next_nonblank[i + 1]
            return following <= i + 3 and following < self.n and self._block_accepted(following)
        return False

    def history_start(self, i: int) -> bool:
        """Line i starts reply history that is not ">"-prefixed (not a forward)."""
        if self.hard_start[i]:
            return not self.forward[i]
        header = self.header[i]
        if header is None:
            return False
        header_end, quote_after = header
        following = self.next_nonblank[header_end]
        return not quote_after and (following >= self.n or not self.quoted[following])

    def _link_tail(self, i: int) -> bool:
        if i == 0 or self.blank[i] or self.quoted[i] or not self.quoted[i - 1]:
            return False
        line = self.stripped[i]
        if len(line) > 200 or line[-1] not in ")>]" or any(c.isspace() for c in line):
            return False
        # Only the last word of the line above can be the link's open start.
        words = self.lines[i - 1].rsplit(maxsplit=1)
        last = words[-1] if words else ""
        opening = max(last.rfind("("), last.rfind("<"))
        return opening >= 0 and bool(_OPEN_LINK.match(last, opening))

    def mobile_signature(self, i: int) -> bool:
        line = self.stripped[i]
        if not line or len(line) > _MAX_MOBILE_CHARS:
            return False
        library = _ReplyParserRules.SIG_REGEX.match(line)
        if library and library.group(2) and len(line) <= 60:
            return True
        return bool(_MOBILE_SIGNATURE.fullmatch(line))


def _header_at(text: str, *, single: bool) -> bool | None:
    """Whether text is a quote header: None if not, else whether it needs ">" lines after it."""
    stripped = text.strip()
    bare = stripped.strip(_DECORATION)
    return _header_window_match(bare, decorated=bare != stripped, single=single)


def _header_window_match(text: str, *, decorated: bool, single: bool) -> bool | None:
    if not text or len(text) > _MAX_HEADER_CHARS:
        return None
    if not decorated and text[-1] not in ":：>":
        return None  # every rule ends with ":" or an address unless decorated
    collapsed = " ".join(text.split())
    has_digit = bool(_DIGIT.search(collapsed))
    for rule in _HEADER_RULES:
        if not single and not rule.multi_line:
            continue
        if _rule_matches(rule, collapsed, decorated=decorated, has_digit=has_digit):
            return rule.quote_after
    return None


def _rule_matches(rule: _HeaderRule, text: str, *, decorated: bool, has_digit: bool) -> bool:
    if rule.digit and not has_digit:
        return False
    if rule.colon and not decorated and text[-1] not in ":：":
        return False
    offset = 0
    if rule.start is not None:
        start = rule.start.match(text)
        if start is None:
            return False
        offset = start.end()
    if rule.verb is not None and rule.verb.search(text, offset) is None:
        return False
    end = None
    if rule.end is not None:
        end = rule.end.search(text, offset)
        if end is None:
            return False
    if rule.needs is not None and not rule.needs.search(text):
        return False
    if rule.name_before and end is not None:
        return _looks_like_a_name(text[: end.start()])
    return True


def _looks_like_a_name(text: str) -> bool:
    """True for "Jan Kowalski" or "Zhuk Pavel <z@p.ru>", false for "see what my boss"."""
    words = text.split()
    if not words or len(words) > 8:
        return False
    if _EMAIL.search(text):
        return True
    return all(word[0].isupper() or not word[0].isalpha() for word in words)


def _locate(lines: list[str], unquoted: list[str] | None = None) -> tuple[int, int]:
    """(start, end): lines[start:end] is the reply; (0, len(lines)) when nothing is removed.

    unquoted: the same lines without the ">" that HTML quote containers add, to find forwards
    in; None when the lines are those of a plain-text body.
    """
    facts = _Lines(lines)
    n = facts.n
    ends_quote = _trailing_quote(facts)
    end = n
    for i in range(n):
        if ends_quote[i] and not facts.blank[i]:
            end = i
            break
    if end < n and _lone_quoted_line(facts, end):
        end = n
    if end < n and _forward_follows(facts if unquoted is None else _Lines(unquoted), end):
        end = n
    start = _bottom_posted_start(facts, end)
    if not any(not facts.blank[i] for i in range(start, end)):
        return (0, n)
    return (start, end)


def _trailing_quote(facts: _Lines) -> list[bool]:
    """For each line: whether it and everything after it is quote, header or signature."""
    n = facts.n
    ok = [False] * (n + 1)
    ok[n] = True
    # Whether the closest non-blank line above is quoted: "--" or "____" directly under a quote
    # is a footer, elsewhere it may be the customer's own separator.
    after_quote = [False] * n
    previous_quoted = False
    for i in range(n):
        after_quote[i] = previous_quoted
        if not facts.blank[i]:
            previous_quoted = facts.quoted[i]
    text_lines_between = 0  # non-blank lines between the current line and the next ok one
    for i in range(n - 1, -1, -1):
        header = facts.header[i]
        if facts.blank[i]:
            result = ok[i + 1]
        elif facts.hard_start[i]:
            result = True
        elif header is not None:
            header_end, quote_after = header
            following = facts.next_nonblank[header_end]
            if following >= n:
                result = not quote_after
            elif facts.quoted[following]:
                result = ok[header_end]
            else:
                # History without ">" under the header: all of it is quoted.
                result = not quote_after
        elif facts.quoted[i] or facts.link_tail[i] or facts.mobile_signature(i):
            result = ok[i + 1]
        elif _SIGNATURE_DELIMITER.match(facts.lines[i]) or (
            after_quote[i] and _FOOTER_DELIMITER.match(facts.lines[i])
        ):
            result = ok[i + 1] or text_lines_between <= _MAX_SIGNATURE_LINES
        else:
            result = False
        ok[i] = result
        if result:
            text_lines_between = 0
        elif not facts.blank[i]:
            text_lines_between += 1
    return ok


def _forward_follows(facts: _Lines, end: int) -> bool:
    """A forward separator follows the cut before any reply history starts.

    The sender's forward must be seen whole, so nothing from the cut on may be hidden: not the
    separator, the header block under it or the forwarded text, nor (to keep the reply one run of
    lines) a signature or quote between the sender's note and the forward. A forward found only
    after an "-----Original Message-----" separator, an Outlook header block or a quote header
    with unprefixed history is part of the history being answered, and the cut stands.
    """
    for i in range(end, facts.n):
        if facts.forward[i]:
            return True
        if facts.history_start(i):
            return False
    return False


def _lone_quoted_line(facts: _Lines, end: int) -> bool:
    """The tail is a single bare ">" line: "> 5 items" is more likely text than a quote."""
    count = 0
    for i in range(end, facts.n):
        if facts.blank[i]:
            continue
        if not facts.quoted[i]:
            return False
        count += 1
        if count > 1:
            return False
    return count == 1


def _bottom_posted_start(facts: _Lines, end: int) -> int:
    """Where the reply starts when it was written under a leading header + ">" quote."""
    first = facts.next_nonblank[0]
    if first >= end:
        return 0
    header = facts.header[first]
    if header is None:
        return 0
    position = facts.next_nonblank[header[0]]
    if position >= end or not facts.quoted[position]:
        return 0
    while position < end and (
        facts.blank[position] or facts.quoted[position] or facts.link_tail[position]
    ):
        position += 1
    for i in range(position, end):
        if facts.quoted[i] or facts.header[i] is not None:
            return 0  # interleaved answers: keep the quotes they answer
    return position


# HTML

# Appended to the markup before parsing so that a construct left open at the end (a comment,
# a quoted attribute, a tag) is closed once. Without it HTMLParser rescans the rest of the input
# for every unterminated "<" and the parse turns quadratic (100 K "<a" take 25 s).
_SENTINEL: Final = "<!--\"'>-->]]>?>"
_BLOCK_TAGS: Final = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "center",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "html",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)
_VOID_TAGS: Final = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)
_SKIPPED_TAGS: Final = frozenset(["head", "script", "style", "template", "title", "xml"])
_QUOTE_CLASSES: Final = frozenset(
    ["gmail_quote", "gmail_quote_container", "moz-cite-prefix", "yahoo_quoted", "protonmail_quote"]
)
_ONWARDS_IDS: Final = frozenset(
    [
        "appendonsend",
        "divrplyfwdmsg",
        "stopspelling",
        "zwchr",
        "mail-editor-reference-message-container",
    ]
)
_HTML_SPACE: Final = re.compile(r"[ \t\r\n\f]+")


@dataclass
class _HtmlLine:
    text: str
    start: int  # offset in the markup where the line's first tag or text begins
    quoted: bool


class _Projection(HTMLParser):
    """HTML as text lines, each with its offset in the markup and whether it is in a quote."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.limit = len(markup)
        self.lines: list[_HtmlLine] = []
        # (line index, verify): from that line on everything is quoted; verify asks for an
        # Outlook header field on its first line (a top border alone is not enough).
        self.onwards: list[tuple[int, bool]] = []
        self._fed = markup + _SENTINEL
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", self._fed)]
        self._parts: list[str] = []
        self._start: int | None = None
        self._has_text = False
        self._quoted = False
        self._stack: list[tuple[str, bool]] = []  # (tag, opens a quote)
        self._open: Counter[str] = Counter()  # tags on the stack, so a stray end tag costs O(1)
        self._quote_depth = 0
        self._skip_depth = 0
        self._pre_depth = 0

    def run(self) -> list[_HtmlLine]:
        self.feed(self._fed)
        self.close()
        self._end_line(self.limit, force=False)
        return self.lines

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def parse_marked_section(self, i: int, report: bool = True) -> int:
        try:
            return super().parse_marked_section(i, report)
        except AssertionError:
            # An unknown "<![…" is a bogus comment up to the next ">" (as in browsers).
            end = self.rawdata.find(">", i + 3)
            return -1 if end < 0 else end + 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        offset = self._offset()
        if offset >= self.limit:
            return
        if tag == "body" and self._open["head"]:
            self.handle_endtag("head")  # an unclosed <head> must not hide the body's text
        values = {name: value or "" for name, value in attrs}
        opens_quote = _opens_quote(tag, values)
        onwards = _onwards(tag, values)
        if tag in _BLOCK_TAGS or opens_quote or onwards is not None:
            self._end_line(offset, force=False)
        if onwards is not None and not self._skip_depth:
            self.onwards.append((len(self.lines), onwards))
        if self._start is None:
            self._start = offset
        if tag == "br":
            self._end_line(offset, force=True)
        elif tag == "img" and _visible_image(values):
            self._add_text("\ufffc")  # an image is content: a pasted screenshot is a reply
        if tag in _VOID_TAGS:
            return
        self._stack.append((tag, opens_quote))
        self._open[tag] += 1
        self._quote_depth += opens_quote
        self._skip_depth += tag in _SKIPPED_TAGS
        self._pre_depth += tag == "pre"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        offset = self._offset()
        if offset >= self.limit:
            return
        if not self._open[tag]:
            return
        closes_quote = False
        while self._stack:
            open_tag, opens_quote = self._stack.pop()
            self._open[open_tag] -= 1
            closes_quote = closes_quote or opens_quote
            self._quote_depth -= opens_quote
            self._skip_depth -= open_tag in _SKIPPED_TAGS
            self._pre_depth -= open_tag == "pre"
            if open_tag == tag:
                break
        if tag in _BLOCK_TAGS or closes_quote:
            self._end_line(offset, force=False)

    def handle_data(self, data: str) -> None:
        offset = self._offset()
        if offset >= self.limit or self._skip_depth:
            return
        if self._pre_depth:
            self._add_preformatted(data, offset)
            return
        self._add_text(_HTML_SPACE.sub(" ", data), offset)

    def _add_preformatted(self, data: str, offset: int) -> None:
        """Text in <pre> keeps its line breaks; each line gets its own offset in the markup."""
        # With convert_charrefs the data is the unescaped markup up to the next "<".
        raw_end = self.rawdata.find("<", offset + 1)
        raw = self.rawdata[offset : raw_end if raw_end >= 0 else len(self.rawdata)]
        exact = unescape(raw) == data
        if not exact:
            raw = data  # not the expected slice: every line gets the text's offset
        breaks = _LINE_BREAK.findall(raw)
        cursor = 0
        line_start = offset
        for index, piece in enumerate(_LINE_BREAK.split(raw)):
            if index:
                self._end_line(line_start, force=True)
                cursor += len(breaks[index - 1])
            line_start = offset + cursor if exact else offset
            self._add_text(unescape(piece) if exact else piece, line_start)
            cursor += len(piece)

    def _add_text(self, text: str, offset: int | None = None) -> None:
        if self._skip_depth:
            return
        if text.strip():
            if self._start is None:
                self._start = offset if offset is not None else self._offset()
            if not self._has_text:
                self._quoted = self._quote_depth > 0
            self._has_text = True
        self._parts.append(text)

    def _end_line(self, offset: int, *, force: bool) -> None:
        if not self._has_text and not force:
            return
        text = "".join(self._parts).strip()
        if text == "--":
            text = "-- "  # HTML drops the delimiter's trailing space
        if self._has_text and self._quoted:
            text = "> " + text
        start = self._start if self._start is not None else offset
        self.lines.append(_HtmlLine(text, start, self._has_text and self._quoted))
        self._parts = []
        self._start = None
        self._has_text = False


def _class_names(values: dict[str, str]) -> set[str]:
    # Outlook on the web prefixes the ids and classes of quoted markup with "x_".
    return {name.removeprefix("x_").lower() for name in values.get("class", "").split()}


def _opens_quote(tag: str, values: dict[str, str]) -> bool:
    if tag == "blockquote":
        return True
    if _class_names(values) & _QUOTE_CLASSES:
        return True
    return values.get("id", "").removeprefix("x_").lower() == "olk_src_body_section"


def _onwards(tag: str, values: dict[str, str]) -> bool | None:
    """None: not a marker; else whether the marker needs a header field after it."""
    if values.get("id", "").removeprefix("x_").lower() in _ONWARDS_IDS:
        return False
    if "outlookmessageheader" in _class_names(values):
        return False
    style = "".join(values.get("style", "").lower().split())
    if tag in ("div", "p") and ("border-top:solid" in style or "border-top-style:solid" in style):
        return True
    return None


def _visible_image(values: dict[str, str]) -> bool:
    # Tracking pixels are not content; they often sit after the quote.
    sizes = (values.get("width", "").strip(), values.get("height", "").strip())
    if any(size in ("0", "1", "0px", "1px") for size in sizes):
        return False
    return "display:none" not in "".join(values.get("style", "").lower().split())


def split_reply_html(html: str) -> tuple[str, str]:
    """(reply_html, quoted_html) for an HTML body.

    reply_html is the markup before the quoted history and quoted_html the rest ("" when none),
    so ``reply_html + quoted_html == html``. The cut falls on the start of a tag or text, never
    inside one; the reply may leave elements open, which the later nh3 sanitising repairs.
    """
    projection = _Projection(html)
    try:
        lines = projection.run()
    except AssertionError:
        # HTMLParser's last resort for markup it cannot read: keep the message whole.
        return html, ""
    texts = _with_onwards_quoted(lines, projection.onwards)
    unquoted = [line.text.removeprefix("> ") if line.quoted else line.text for line in lines]
    _, end = _locate(texts, unquoted)
    last_text = end - 1
    while last_text >= 0 and not texts[last_text].strip():
        last_text -= 1
    if end >= len(lines) or last_text < 0:
        return html, ""
    # Cut right after the last line of the reply, so that empty wrappers and rules between it
    # and the quote go with the quote.
    offset = lines[last_text + 1].start
    if not 0 < offset < len(html):
        return html, ""
    return html[:offset], html[offset:]


def _with_onwards_quoted(lines: list[_HtmlLine], onwards: list[tuple[int, bool]]) -> list[str]:
    """The line texts, quoted from the first confirmed onwards marker to the end."""
    texts = [line.text for line in lines]
    for index, verify in onwards:
        if verify and not _header_field_follows(lines, index):
            continue
        for i in range(index, len(lines)):
            if texts[i].strip() and not lines[i].quoted:
                texts[i] = "> " + texts[i]
        break
    return texts


def _header_field_follows(lines: list[_HtmlLine], index: int) -> bool:
    for line in lines[index:]:
        if line.text.strip():
            return not line.quoted and bool(_FIELD.match(line.text))
    return False
