import json
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from okienko.core.errors import Conflict
from okienko.inboxes.actions import do_reprocess_inbound
from okienko.inboxes.selectors import inbound_item, ledger_balances, quarantined_items


class Command(BaseCommand):
    help = (
        "The inbound ledger. `inbound reconcile` proves nothing was lost: per inbox, received "
        "= processed + quarantined + pending. `inbound reprocess` retries quarantined items."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        reconcile = subcommands.add_parser("reconcile", help="count the ledger per inbox")
        reconcile.add_argument("--json", action="store_true", help="one JSON object per inbox")
        reprocess = subcommands.add_parser("reprocess", help="process quarantined items again")
        reprocess.add_argument("items", nargs="*", type=int, metavar="ID")
        reprocess.add_argument("--all", action="store_true", help="every quarantined item")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "reconcile":
            self._reconcile(as_json=options["json"])
        else:
            self._reprocess(options["items"], every=options["all"])

    def _reconcile(self, *, as_json: bool) -> None:
        unbalanced = []
        for balance in ledger_balances():
            if balance.received != balance.processed + balance.quarantined + balance.pending:
                unbalanced.append(balance.inbox)
            if as_json:
                self.stdout.write(json.dumps(asdict(balance)))
            else:
                self.stdout.write(
                    f"{balance.inbox}: received {balance.received} = processed "
                    f"{balance.processed} + quarantined {balance.quarantined} + pending "
                    f"{balance.pending}"
                )
        if unbalanced:
            raise CommandError(f"ledger does not balance for: {', '.join(unbalanced)}")

    def _reprocess(self, item_ids: list[int], *, every: bool) -> None:
        if not item_ids and not every:
            raise CommandError("give item ids or --all")
        if every:
            item_ids = list(quarantined_items().order_by("id").values_list("id", flat=True))
        for item_id in item_ids:
            item = inbound_item(item_id)
            if item is None:
                raise CommandError(f"no inbound item {item_id}")
            try:
                item = do_reprocess_inbound(item=item, acting_user=None)
            except Conflict as error:
                raise CommandError(str(error)) from error
            detail = f": {item.error}" if item.error else f" ({item.outcome})"
            self.stdout.write(f"item {item.pk}: {item.status}{detail}")
