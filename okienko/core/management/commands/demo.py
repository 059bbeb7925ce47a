from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from okienko.demo.load import DemoAlreadyLoaded, load_demo
from okienko.demo.plan import DEFAULT_CUSTOMERS, DEFAULT_SEED, DEFAULT_TICKETS


class Command(BaseCommand):
    help = (
        "Load the demo: a Polish online shop's last 90 days of customer service (agents, "
        "customers, tickets). Does nothing when the demo or other data is already there."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=f"random seed; the same seed gives the same data ({DEFAULT_SEED})",
        )
        parser.add_argument(
            "--customers",
            type=int,
            default=DEFAULT_CUSTOMERS,
            help=f"number of customers ({DEFAULT_CUSTOMERS})",
        )
        parser.add_argument(
            "--tickets",
            type=int,
            default=DEFAULT_TICKETS,
            help=f"number of tickets ({DEFAULT_TICKETS})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = load_demo(
                seed=options["seed"],
                customers=options["customers"],
                tickets=options["tickets"],
                stdout=self.stdout,
            )
        except DemoAlreadyLoaded as refusal:
            # Refusing is the expected outcome of a second run (`make run` loads the demo every
            # time), so it is reported without failing.
            self.stdout.write(self.style.WARNING(refusal.detail))
            return
        for line in summary.lines():
            self.stdout.write(line)
