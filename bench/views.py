"""``python -m bench.views``: saved inbox views on a seeded install, as JSON.

For saved views of the shapes agents define (a customer tier, text, statuses, a tag, "me"), the
median milliseconds of the first page newest first, the first page most urgent first and a deep
page, as an agent of a team sees them; and the inbox counts with and without these views. Point
it at an install kept with ``python -m bench --keep`` (or seeded by ``python -m bench.seed``)::

    OKIENKO_VAR_DIR=/tmp/okienko-bench-xxxx python -m bench.views
"""

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

from bench.phase import emit, setup_django
from bench.progress import log

PAGE = 51


def _median_ms(call: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


def _view_filters() -> dict[str, dict[str, Any]]:
    from django.db.models import Count

    from okienko.customers.models import Customer, Tier
    from okienko.tickets.choices import UNSOLVED_STATUSES
    from okienko.tickets.models import Tag

    by_size = dict(
        Customer.objects.values("tier_id").annotate(n=Count("id")).values_list("tier_id", "n")
    )
    tiers = list(Tier.objects.values_list("pk", flat=True))
    common = max(tiers, key=lambda pk: by_size.get(pk, 0))
    rare = min(tiers, key=lambda pk: by_size.get(pk, 0))
    tag = Tag.objects.order_by("id").values_list("name", flat=True).first() or ""
    unsolved = list(UNSOLVED_STATUSES)
    return {
        "tier common, any status": {"tier_id": common},
        "tier rare, any status": {"tier_id": rare},
        "text common, any status": {"text": "dostaw"},
        "text absent, any status": {"text": "nie-ma-takiego-tekstu"},
        "unsolved, tier common": {"statuses": unsolved, "tier_id": common},
        "unsolved, text": {"statuses": unsolved, "text": "faktur"},
        "unsolved, urgent, tag": {"statuses": unsolved, "priorities": ["urgent"], "tag": tag},
        "unsolved, mine": {"statuses": unsolved, "assignee": "me"},
    }


def measure(*, rounds: int) -> dict[str, Any]:
    from django.db import connection

    from okienko.accounts.models import Agent
    from okienko.tickets.models import SavedView, Ticket
    from okienko.tickets.selectors import (
        inbox_counts,
        list_tickets,
        list_tickets_by_deadline,
        saved_view_filters,
    )

    agent = Agent.objects.filter(role="agent", teams__isnull=False).order_by("pk").first()
    if agent is None:
        raise SystemExit("no agent in a team: seed the install first")
    middle = (Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) // 2
    # Unsaved (ids far above any real one): the benchmark leaves the install as it found it.
    views = [
        SavedView(pk=10**9 + index, name=name, filters=filters, owner=agent)
        for index, (name, filters) in enumerate(_view_filters().items(), start=1)
    ]
    pages: dict[str, dict[str, float]] = {}
    for view in views:
        filters = saved_view_filters(agent, view)
        pages[view.name] = {
            "newest_ms": _median_ms(
                lambda f=filters: list_tickets(agent, f, before_id=None, limit=PAGE), rounds
            ),
            "deadline_ms": _median_ms(
                lambda f=filters: list_tickets_by_deadline(agent, f, after=None, limit=PAGE),
                rounds,
            ),
            "deep_page_ms": _median_ms(
                lambda f=filters: list_tickets(agent, f, before_id=middle, limit=PAGE), rounds
            ),
        }
        log(f"views {view.name}: {pages[view.name]}")
    return {
        "database": connection.vendor,
        "tickets": Ticket.objects.count(),
        "pages": pages,
        "counts_standard_ms": _median_ms(lambda: inbox_counts(agent, []), rounds),
        "counts_with_saved_ms": _median_ms(lambda: inbox_counts(agent, views), rounds),
        "saved_views": len(views),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.views", description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    setup_django()
    emit(measure(rounds=options.rounds))


if __name__ == "__main__":
    main()
