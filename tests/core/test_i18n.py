import re
from pathlib import Path

from django.utils import translation

from okienko.tickets.choices import Priority, Status

PO_FILE = Path(__file__).resolve().parents[2] / "okienko/locale/pl/LC_MESSAGES/django.po"


def _entries() -> list[tuple[str, str]]:
    pairs = re.findall(r'^msgid "(.+)"\nmsgstr "(.*)"$', PO_FILE.read_text(), flags=re.MULTILINE)
    return [(msgid, msgstr) for msgid, msgstr in pairs if msgid]


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
