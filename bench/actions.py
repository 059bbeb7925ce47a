"""Phase ``actions``: create tickets one by one through ``do_create_ticket`` and time it.

This is the path every channel takes after parsing (an e-mail, a chat, a form), without HTTP:
one transaction per ticket with its first message, its ``created`` event and the domain event
published after commit. Requesters are existing customers picked at random.

On PostgreSQL the CPU time of the server processes the creating processes talk to is reported
too (when the server runs on this machine), as for the ingest phase.

``--processes`` splits the count over that many processes creating at the same time, as the
workers of a server do: the sustained rate of the machine, not of one Python thread (which
waits for the database on every statement while the second core sits idle).

Run by ``python -m bench``; by hand: ``python -m bench.actions --count 500 --processes 2``.
"""

import argparse
import multiprocessing
import os
import random
import time
from typing import Any

from bench.phase import database_cpu_seconds, emit, setup_django
from bench.progress import log
from bench.seed import MESSAGES, SUBJECTS

REQUESTER_POOL = 500


def _create_part(count: int, random_seed: int) -> dict[str, Any]:
    """Create ``count`` e-mail tickets through the action; return when it started and ended
    (wall clock, comparable across processes), the CPU it took and, on PostgreSQL, the CPU
    of the server process it talked to."""
    from django.db.models import Max, Min

    from okienko.core import realtime
    from okienko.customers.models import Customer
    from okienko.tickets.actions import do_create_ticket
    from okienko.tickets.choices import Channel

    rng = random.Random(random_seed)
    bounds = Customer.objects.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        raise SystemExit("no customers: run the seed phase first")
    candidates = {rng.randint(bounds["low"], bounds["high"]) for _ in range(REQUESTER_POOL)}
    requesters = list(Customer.objects.filter(pk__in=candidates).select_related("tier"))
    database_cpu_started = database_cpu_seconds()
    started, cpu_started = time.time(), time.process_time()
    for number in range(count):
        requester = rng.choice(requesters)
        order = f"ZAM-A{random_seed}-{number:06d}"
        do_create_ticket(
            subject=rng.choice(SUBJECTS).format(order=order),
            requester=requester,
            channel=Channel.EMAIL,
            text=rng.choice(MESSAGES).format(order=order, name=requester.name),
            acting_user=None,
        )
    # The realtime messages of these tickets are sent by a thread of this process, in the
    # window and in its CPU time, not after it.
    realtime.flush()
    ended, cpu_seconds = time.time(), time.process_time() - cpu_started
    database_cpu_ended = database_cpu_seconds()
    return {
        "started": started,
        "ended": ended,
        "cpu_seconds": cpu_seconds,
        "database_cpu_seconds": (
            database_cpu_ended - database_cpu_started
            if database_cpu_started is not None and database_cpu_ended is not None
            else None
        ),
    }


def create_tickets(count: int, *, random_seed: int, processes: int = 1) -> dict[str, Any]:
    """Create ``count`` e-mail tickets through the action in ``processes`` processes at once
    and return the rate."""
    from django.db import connections

    log(f"actions: creating {count} tickets through do_create_ticket in {processes} process(es)")
    shares = [
        count // processes + (1 if part < count % processes else 0) for part in range(processes)
    ]
    if processes == 1:
        parts = [_create_part(count, random_seed)]
    else:
        # Forked children open connections of their own.
        connections.close_all()
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            parts = pool.starmap(
                _create_part, [(share, random_seed + part) for part, share in enumerate(shares)]
            )
    seconds = max(part["ended"] for part in parts) - min(part["started"] for part in parts)
    cpu_ms = sum(part["cpu_seconds"] for part in parts) * 1000 / count
    database_cpu = [part["database_cpu_seconds"] for part in parts]
    database_cpu_ms = None if None in database_cpu else sum(database_cpu) * 1000 / count
    rate = count / seconds
    log(f"actions: {count} tickets in {seconds:.1f}s, {rate:,.0f} tickets/s")
    return {
        "tickets": count,
        "processes": processes,
        "seconds": round(seconds, 2),
        "tickets_per_s": round(rate, 1),
        "cpu_ms_per_ticket": round(cpu_ms, 2),
        "database_cpu_ms_per_ticket": (
            None if database_cpu_ms is None else round(database_cpu_ms, 2)
        ),
        # Other work on a shared machine slows the rate; the CPU figures are less affected.
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.actions", description=__doc__)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--random-seed", type=int, default=7)
    options = parser.parse_args()
    setup_django()
    emit(
        create_tickets(options.count, random_seed=options.random_seed, processes=options.processes)
    )


if __name__ == "__main__":
    main()
