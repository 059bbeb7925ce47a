from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from okienko.core.processes import run_embedded


class Command(BaseCommand):
    help = "Run Okienko in one process: web server, background workers and scheduler."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--queue-workers", type=int, default=2, help="background worker threads (default 2)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(
            f"Okienko serving on http://{options['host']}:{options['port']}/ "
            f"with {options['queue_workers']} background workers"
        )
        run_embedded(
            host=options["host"], port=options["port"], queue_workers=options["queue_workers"]
        )
