import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from okienko.core.errors import InvalidInput
from okienko.search.actions import do_reindex
from okienko.search.registry import document_types


class Command(BaseCommand):
    help = (
        "The search index. `search reindex` rebuilds it from the tickets, customers and other "
        "registered types (all, or those given with --type), with a progress bar; search keeps "
        "answering meanwhile."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        reindex = subcommands.add_parser("reindex", help="rebuild the index")
        reindex.add_argument(
            "--type",
            action="append",
            default=[],
            dest="types",
            help=f"only this type ({', '.join(sorted(document_types()))}); may repeat",
        )
        reindex.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        bars: dict[str, tqdm] = {}
        # tqdm redraws its line with carriage returns: no newline after each write.
        self.stderr.ending = ""

        def on_progress(doc_type: str, done: int, total: int) -> None:
            if options["no_progress"]:
                return
            bar = bars.get(doc_type)
            if bar is None:
                bar = bars[doc_type] = tqdm(
                    total=total, desc=doc_type, unit="doc", file=self.stderr, leave=True
                )
            bar.update(done - bar.n)
            if done >= total:
                bar.close()

        started = time.monotonic()
        try:
            written = do_reindex(options["types"], on_progress=on_progress)
        except InvalidInput as error:
            raise CommandError(error.detail) from error
        finally:
            for bar in bars.values():
                bar.close()
        self.stdout.write(f"indexed {written} documents in {time.monotonic() - started:.1f} s")
