from typing import Any

from django.core.management.base import BaseCommand

from okienko.core.processes import run_scheduler


class Command(BaseCommand):
    help = "Enqueue scheduled and periodic tasks; run exactly one per installation."

    def handle(self, *args: Any, **options: Any) -> None:
        run_scheduler()
