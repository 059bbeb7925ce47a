import itertools
import json
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from okienko.core.errors import NotFound
from okienko.inboxes.actions import (
    RawInbound,
    do_get_default_inbox,
    do_process_inbound,
    do_record_inbound,
)
from okienko.inboxes.choices import InboundStatus, InboxKind
from okienko.inboxes.email.adapter import email_source_id
from okienko.inboxes.email.smtp_receiver import receiver
from okienko.inboxes.email.watcher import RENEW_SECONDS, MailWatcher
from okienko.inboxes.models import InboundItem, Inbox
from okienko.inboxes.selectors import inbox_named

# Files recorded and processed per transaction.
BATCH = 50


def _outcome(path: Path, item: InboundItem, created: bool) -> dict[str, Any]:
    message = item.message
    return {
        "file": str(path),
        "item": item.pk,
        "status": item.status,
        "outcome": item.outcome,
        "reason": item.error,
        "ticket": message.ticket_id if message else None,
        "message": message.pk if message else None,
        "already_recorded": not created,
    }


def _line(result: dict[str, Any]) -> str:
    if result["status"] == InboundStatus.QUARANTINED:
        return f"{result['file']}: quarantined (item {result['item']}): {result['reason']}"
    ticket = f"ticket #{result['ticket']}" if result["ticket"] else "no ticket"
    return (
        f"{result['file']}: {result['outcome']}, {ticket}, message {result['message']} "
        f"(item {result['item']})"
    )


def _batches(paths: list[Path]) -> Iterator[list[Path]]:
    iterator = iter(paths)
    while batch := list(itertools.islice(iterator, BATCH)):
        yield batch


class Command(BaseCommand):
    help = "E-mail channel tools. `email ingest FILE...` feeds raw .eml files through the pipeline."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        ingest = subcommands.add_parser(
            "ingest", help="record raw e-mails in the inbound ledger and process them"
        )
        ingest.add_argument("files", nargs="+", type=Path, metavar="FILE")
        ingest.add_argument("--inbox", help="inbox name (default: the default e-mail inbox)")
        ingest.add_argument("--json", action="store_true", help="one JSON object per file")
        receive = subcommands.add_parser(
            "receive", help="run the SMTP (or LMTP) receiver an MTA delivers to"
        )
        receive.add_argument("--host", default="127.0.0.1")
        receive.add_argument("--port", type=int, default=2525)
        receive.add_argument("--lmtp", action="store_true", help="speak LMTP instead of SMTP")
        watch = subcommands.add_parser(
            "watch", help="fetch new mail the moment it arrives, with IMAP IDLE (run one)"
        )
        watch.add_argument(
            "--renew-seconds",
            type=float,
            default=RENEW_SECONDS,
            help=f"re-issue each IDLE after this long (default {RENEW_SECONDS})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "receive":
            self._receive(options["host"], options["port"], lmtp=options["lmtp"])
            return
        if options["subcommand"] == "watch":
            self._watch(options["renew_seconds"])
            return
        try:
            inbox = (
                inbox_named(options["inbox"])
                if options["inbox"]
                else do_get_default_inbox(InboxKind.EMAIL)
            )
        except NotFound as error:
            raise CommandError(str(error)) from error
        unreadable = 0
        for batch in _batches(options["files"]):
            unreadable += self._ingest(inbox, batch, as_json=options["json"])
        if unreadable:
            raise CommandError(f"{unreadable} file(s) could not be read")

    def _receive(self, host: str, port: int, *, lmtp: bool) -> None:
        server = receiver(host=host, port=port, lmtp=lmtp)
        server.start()
        protocol = "LMTP" if lmtp else "SMTP"
        self.stdout.write(f"Receiving e-mail over {protocol} on {host}:{port} (Ctrl+C stops)")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()

    def _watch(self, renew_seconds: float) -> None:
        watcher = MailWatcher(renew_seconds=renew_seconds)
        self.stdout.write("Watching IMAP mailboxes with IDLE (Ctrl+C stops)")
        self.stdout.flush()
        signal.signal(signal.SIGTERM, lambda signum, frame: watcher.stop())
        signal.signal(signal.SIGINT, lambda signum, frame: watcher.stop())
        watcher.run()
        self.stdout.write("Stopped watching")

    def _ingest(self, inbox: Inbox, paths: list[Path], *, as_json: bool) -> int:
        readable: list[tuple[Path, bytes]] = []
        for path in paths:
            try:
                readable.append((path, path.read_bytes()))
            except OSError as error:
                self.stderr.write(f"{path}: cannot read: {error.strerror}")
        recorded = do_record_inbound(
            inbox=inbox,
            entries=[RawInbound(raw, email_source_id(raw)) for _path, raw in readable],
            notify=False,
        )
        do_process_inbound(items=[item for item, _created in recorded])
        for (path, _raw), (item, created) in zip(readable, recorded, strict=True):
            result = _outcome(path, item, created)
            self.stdout.write(json.dumps(result) if as_json else _line(result))
        return len(paths) - len(readable)
