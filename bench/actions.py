"""Phase ``actions``: create tickets one by one through ``do_create_ticket`` and time it.

This is the path every channel takes after parsing (an e-mail, a chat, a form), without HTTP:
one transaction per ticket with its first message, its ``created`` event and the domain event
published after commit. Requesters are existing customers picked at random.

Run by ``python -m bench``; by hand: ``python -m bench.actions --count 500``.
"""

import argparse
import random
import time
from typing import Any

from bench.phase import emit, setup_django
from bench.progress import log
from bench.seed import MESSAGES, SUBJECTS

REQUESTER_POOL = 500


def create_tickets(count: int, *, random_seed: int) -> dict[str, Any]:
    """Create ``count`` e-mail tickets through the action and return the rate."""
    from django.db.models import Max, Min

    from okienko.customers.models import Customer
    from okienko.tickets.actions import do_create_ticket
    from okienko.tickets.choices import Channel

    rng = random.Random(random_seed)
    bounds = Customer.objects.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        raise SystemExit("no customers: run the seed phase first")
    candidates = {rng.randint(bounds["low"], bounds["high"]) for _ in range(REQUESTER_POOL)}
    requesters = list(Customer.objects.filter(pk__in=candidates).select_related("tier"))
    log(f"actions: creating {count} tickets through do_create_ticket")
    started, cpu_started = time.monotonic(), time.process_time()
    for number in range(count):
        requester = rng.choice(requesters)
        order = f"ZAM-A{number:06d}"
        do_create_ticket(
            subject=rng.choice(SUBJECTS).format(order=order),
            requester=requester,
            channel=Channel.EMAIL,
            text=rng.choice(MESSAGES).format(order=order, name=requester.name),
            acting_user=None,
        )
    seconds = time.monotonic() - started
    cpu_ms = (time.process_time() - cpu_started) * 1000 / count
    rate = count / seconds
    log(f"actions: {count} tickets in {seconds:.1f}s, {rate:,.0f} tickets/s")
    return {
        "tickets": count,
        "seconds": round(seconds, 2),
        "tickets_per_s": round(rate, 1),
        "cpu_ms_per_ticket": round(cpu_ms, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.actions", description=__doc__)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--random-seed", type=int, default=7)
    options = parser.parse_args()
    setup_django()
    emit(create_tickets(options.count, random_seed=options.random_seed))


if __name__ == "__main__":
    main()
