import re
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


def _entries() -> list[tuple[str, str]]:
    """(msgid, msgstr) of every active entry; a fuzzy translation counts as none."""
    entries = []
    for block in PO_FILE.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        keys = [i for i, line in enumerate(lines) if line.startswith(("msgid ", "msgstr "))]
        if len(keys) != 2:
            continue
        msgid = _text(lines[keys[0] : keys[1]])
        msgstr = _text(lines[keys[1] :])
        if msgid:
            entries.append((msgid, "" if "#, fuzzy" in block else msgstr))
    return entries


def test_the_catalogue_parser_reads_wrapped_entries():
    entries = dict(_entries())

    assert len(entries) > 200
    assert entries["Our e-mail could not be sent after %(attempts)s attempts: %(error)s"] == (
        "Nie udało się wysłać naszego e-maila po %(attempts)s próbach: %(error)s"
    )


def test_every_polish_entry_is_translated():
    untranslated = [msgid for msgid, msgstr in _entries() if not msgstr]

    assert untranslated == []


def test_compiled_catalogue_matches_the_po_file():
    with translation.override("pl"):
        stale = [msgid for msgid, msgstr in _entries() if translation.gettext(msgid) != msgstr]

    assert stale == []


def test_labels_follow_the_active_language():
    with translation.override("pl"):
        polish = (str(Status.PENDING.label), str(Priority.URGENT.label))
    with translation.override("en"):
        english = (str(Status.PENDING.label), str(Priority.URGENT.label))

    assert polish == ("Oczekuje na klienta", "Pilny")
    assert english == ("Pending (waiting on customer)", "Urgent")
