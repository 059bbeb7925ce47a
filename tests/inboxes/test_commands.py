import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from okienko.inboxes.actions import do_create_inbox
from okienko.inboxes.choices import InboundStatus, InboxKind
from okienko.inboxes.models import InboundItem, Inbox
from okienko.testing.mail import make_email
from okienko.tickets.models import Ticket

CORPUS_FOLDERS = (
    "attachments-html",
    "bounces-autoreplies",
    "charsets",
    "headers",
    "mime-malformed",
    "quoted-replies",
    "threading",
    "security",
)


def run(*args: str) -> list[str]:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().splitlines()


def corpus_messages(testdata: Path) -> list[Path]:
    """Every whole message of the shared corpus (bare bodies and expectations excluded)."""
    corpus = testdata / "email-corpus"
    return sorted(
        path
        for folder in CORPUS_FOLDERS
        for path in (corpus / folder).iterdir()
        if path.is_file()
        and ".expected." not in path.name
        and path.suffix in {".eml", ".raw", ".txt", ".msg"}
        and not (folder == "security" and path.suffix == ".txt")
    )


@pytest.mark.django_db
def test_email_ingest_prints_one_json_outcome_per_file(tmp_path):
    good = tmp_path / "dobra.eml"
    good.write_bytes(make_email(message_id="<dobra@poczta.example>"))
    bad = tmp_path / "zla.eml"
    bad.write_bytes(b"")

    lines = run("email", "ingest", str(good), str(bad), "--json")

    results = [json.loads(line) for line in lines]
    ticket = Ticket.objects.get()
    assert results[0]["status"] == "processed"
    assert results[0]["outcome"] == "ticket_created"
    assert results[0]["ticket"] == ticket.pk
    assert results[0]["reason"] == ""
    assert results[1]["status"] == "quarantined"
    assert results[1]["reason"]
    assert Inbox.objects.get().name == "E-mail"


@pytest.mark.django_db
def test_email_ingest_into_a_named_inbox_and_as_text(tmp_path):
    do_create_inbox(name="Reklamacje", kind=InboxKind.EMAIL, acting_user=None)
    path = tmp_path / "list.eml"
    path.write_bytes(make_email())

    lines = run("email", "ingest", str(path), "--inbox", "Reklamacje")

    ticket = Ticket.objects.get()
    assert lines == [
        f"{path}: ticket_created, ticket #{ticket.pk}, message "
        f"{ticket.messages.get().pk} (item {InboundItem.objects.get().pk})"
    ]
    assert InboundItem.objects.get().inbox.name == "Reklamacje"


@pytest.mark.django_db
def test_email_ingest_refuses_an_unknown_inbox_and_reports_unreadable_files(tmp_path):
    with pytest.raises(CommandError, match="Inbox 'Nie ma' not found"):
        run("email", "ingest", str(tmp_path / "x.eml"), "--inbox", "Nie ma")
    with pytest.raises(CommandError, match="1 file"):
        run("email", "ingest", str(tmp_path / "brak.eml"))


@pytest.mark.django_db
def test_inbound_reconcile_prints_the_balance_per_inbox(tmp_path):
    path = tmp_path / "a.eml"
    path.write_bytes(make_email())
    run("email", "ingest", str(path))

    assert [json.loads(line) for line in run("inbound", "reconcile", "--json")] == [
        {"inbox": "E-mail", "received": 1, "processed": 1, "quarantined": 0, "pending": 0}
    ]
    assert run("inbound", "reconcile") == [
        "E-mail: received 1 = processed 1 + quarantined 0 + pending 0"
    ]


@pytest.mark.django_db
def test_inbound_reprocess_retries_quarantined_items(tmp_path, settings):
    settings.EMAIL_SENDER_LIMIT = 0
    path = tmp_path / "a.eml"
    path.write_bytes(make_email())
    run("email", "ingest", str(path))
    settings.EMAIL_SENDER_LIMIT = 30

    lines = run("inbound", "reprocess", "--all")

    item = InboundItem.objects.get()
    assert lines == [f"item {item.pk}: processed (ticket_created)"]
    with pytest.raises(CommandError, match="is not quarantined"):
        run("inbound", "reprocess", str(item.pk))


@pytest.mark.django_db
def test_every_corpus_message_ends_processed_or_quarantined(testdata):
    paths = corpus_messages(testdata)

    lines = run("email", "ingest", "--json", *map(str, paths))

    results = [json.loads(line) for line in lines]
    assert len(results) == len(paths) > 100
    assert {result["status"] for result in results} <= {"processed", "quarantined"}
    quarantined = [r for r in results if r["status"] == InboundStatus.QUARANTINED]
    assert all(result["reason"] for result in quarantined)
    assert [json.loads(line)["pending"] for line in run("inbound", "reconcile", "--json")] == [0]
