import re
from dataclasses import dataclass
from pathlib import Path

from django.utils import translation

from okienko.tickets.choices import Priority, Status

PO_FILE = Path(__file__).resolve().parents[2] / "okienko/locale/pl/LC_MESSAGES/django.po"


STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
ESCAPE = re.compile(r"\\(.)")
ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _text(lines: list[str]) -> str:
    """A (possibly wrapped) PO string: its quoted pieces joined and unescaped."""
    joined = "".join(match for line in lines for match in STRING.findall(line))
    return ESCAPE.sub(lambda match: ESCAPES[match.group(1)], joined)


@dataclass(frozen=True)
class Entry:
    context: str
    msgid: str
    msgstr: str

    def compiled(self) -> str:
        if self.context:
            return translation.pgettext(self.context, self.msgid)
        return translation.gettext(self.msgid)


def _entries() -> list[Entry]:
    """Every active singular entry; a fuzzy translation counts as none."""
    entries = []
    for block in PO_FILE.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        starts = [
            i for i, line in enumerate(lines) if line.startswith(("msgctxt ", "msgid ", "msgstr "))
        ]
        parts = {
            lines[start].split(" ", 1)[0]: _text(lines[start:end])
            for start, end in zip(starts, [*starts[1:], len(lines)], strict=True)
        }
        if parts.get("msgid") and "msgstr" in parts:
            msgstr = "" if "#, fuzzy" in block else parts["msgstr"]
            entries.append(Entry(parts.get("msgctxt", ""), parts["msgid"], msgstr))
    return entries


def test_the_catalogue_parser_reads_wrapped_and_contextual_entries():
    entries = {(entry.context, entry.msgid): entry.msgstr for entry in _entries()}

    assert len(entries) > 200
    assert entries[("", "Our e-mail could not be sent after %(attempts)s attempts: %(error)s")] == (
        "Nie udało się wysłać naszego e-maila po %(attempts)s próbach: %(error)s"
    )
    assert entries[("inbox", "name")] == "nazwa"


def test_every_polish_entry_is_translated():
    untranslated = [entry.msgid for entry in _entries() if not entry.msgstr]

    assert untranslated == []


def test_compiled_catalogue_matches_the_po_file():
    with translation.override("pl"):
        stale = [entry.msgid for entry in _entries() if entry.compiled() != entry.msgstr]

    assert stale == []


def test_labels_follow_the_active_language():
    with translation.override("pl"):
        polish = (str(Status.PENDING.label), str(Priority.URGENT.label))
    with translation.override("en"):
        english = (str(Status.PENDING.label), str(Priority.URGENT.label))

    assert polish == ("Oczekuje na klienta", "Pilny")
    assert english == ("Pending (waiting on customer)", "Urgent")
