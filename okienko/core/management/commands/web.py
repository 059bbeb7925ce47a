from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from okienko.core.processes import run_web


class Command(BaseCommand):
    help = "Run the web server (HTTP and WebSocket) for the scaled-out layout."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")

    def handle(self, *args: Any, **options: Any) -> None:
        run_web(host=options["host"], port=options["port"], workers=options["workers"])
