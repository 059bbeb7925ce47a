"""``python -m bench.explain``: the query plan of every main ticket-list filter, as JSON.

Runs ``tickets.selectors.list_tickets`` for each filter the HTTP phase times, captures the SQL it
sends and asks the database how it runs it: ``EXPLAIN (ANALYZE, BUFFERS)`` on PostgreSQL,
``EXPLAIN QUERY PLAN`` plus a timed execution on SQLite. Point it at an install kept with
``python -m bench --keep``::

    OKIENKO_DATABASE_URL=postgres://postgres@127.0.0.1:5432/okienko_bench python -m bench.explain
    OKIENKO_VAR_DIR=/tmp/okienko-bench-xxxx python -m bench.explain
"""

import argparse
import random
import time
from typing import Any

from bench.phase import emit, setup_django
from bench.progress import log
from bench.seed import RARE_TAG


def _filters(rng: random.Random) -> dict[str, dict[str, Any]]:
    """The main filters as ``TicketFilters`` arguments, with real ids picked at random."""
    from okienko.accounts.models import Agent, Team
    from okienko.tickets.choices import UNSOLVED_STATUSES
    from okienko.tickets.models import Category, Tag, Ticket

    agent_id = rng.choice(
        list(
            Agent.objects.filter(assigned_tickets__isnull=False)
            .values_list("pk", flat=True)
            .distinct()[:50]
        )
    )
    team_id = rng.choice(list(Team.objects.values_list("pk", flat=True)))
    requester_id = Ticket.objects.order_by("?").values_list("requester_id", flat=True)[0]
    tag = rng.choice(list(Tag.objects.values_list("name", flat=True)))
    category_id = rng.choice(list(Category.objects.values_list("pk", flat=True)))
    return {
        "none": {},
        "status=open": {"statuses": ["open"]},
        "status=pending": {"statuses": ["pending"]},
        "priority=urgent": {"priorities": ["urgent"]},
        "channel=chat": {"channels": ["chat"]},
        f"assignee={agent_id}": {"assignee_id": agent_id},
        "assignee=none": {"assignee_id": 0},
        f"team={team_id}": {"team_id": team_id},
        f"requester={requester_id}": {"requester_id": requester_id},
        f"tag={tag}": {"tag": tag},
        f"tag={RARE_TAG}": {"tag": RARE_TAG},
        f"category={category_id}": {"category_id": category_id},
        f"status=open&team={team_id}": {"statuses": ["open"], "team_id": team_id},
        "status=unsolved": {"statuses": list(UNSOLVED_STATUSES)},
        f"status=unsolved&assignee={agent_id}": {
            "statuses": list(UNSOLVED_STATUSES),
            "assignee_id": agent_id,
        },
    }


def _explain(sql: str, params: Any) -> tuple[list[str], float]:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            lines = [row[0] for row in cursor.fetchall()]
            timing = next((line for line in lines if line.startswith("Execution Time")), "")
            milliseconds = float(timing.split(":")[1].split()[0]) if timing else 0.0
            return lines, milliseconds
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        lines = [" ".join(str(part) for part in row) for row in cursor.fetchall()]
        started = time.perf_counter()
        cursor.execute(sql, params)
        cursor.fetchall()
        return lines, (time.perf_counter() - started) * 1000


def explain_filters(*, random_seed: int) -> dict[str, Any]:
    """The SQL, plan and database time of the main list query for every filter."""
    from django.db import connection

    from okienko.accounts.models import Agent
    from okienko.tickets.selectors import TicketFilters, list_tickets

    admin = Agent.objects.filter(role="admin").first() or Agent.objects.first()
    if admin is None:
        raise SystemExit("no agents: seed the install first")
    rng = random.Random(random_seed)
    report: dict[str, Any] = {"database": connection.vendor}
    for name, arguments in _filters(rng).items():
        # Capture the SQL and parameters of the first (main) query the selector sends.
        captured: list[tuple[str, Any]] = []

        def capture(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            captured.append((sql, params))  # noqa: B023  (used within this iteration)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(capture):
            list_tickets(admin, TicketFilters(**arguments), before_id=None, limit=25)
        sql, params = captured[0]
        plan, milliseconds = _explain(sql, params)
        readable = sql % tuple(repr(param) for param in params) if params else sql
        report[name] = {"ms": round(milliseconds, 2), "plan": plan, "sql": readable}
        log(f"explain {name}: {milliseconds:.1f} ms")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.explain", description=__doc__)
    parser.add_argument("--random-seed", type=int, default=5)
    options = parser.parse_args()
    setup_django()
    emit(explain_filters(random_seed=options.random_seed))


if __name__ == "__main__":
    main()
