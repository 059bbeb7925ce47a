from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from okienko.core.processes import run_worker


class Command(BaseCommand):
    help = "Run background workers that execute queued tasks (scaled-out layout)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workers", type=int, default=4, help="worker threads")

    def handle(self, *args: Any, **options: Any) -> None:
        run_worker(workers=options["workers"])
