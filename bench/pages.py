"""``python -m bench.pages``: server time of the workspace's inbox and ticket pages, as JSON.

Issue 3's target: p95 < 100 ms at 1,000,000 tickets. Each page is requested in this process
through Django's test client (every middleware, the view, its queries and the template; no
network), signed in as an agent of a team and as a supervisor, who sees every ticket, with the
garbage collection of a server process (``core.garbage``: no full collection by count, which
paused one page in fifteen to forty for 60-160 ms at 100k tickets). The inbox:
each standard view, newest first and most urgent first, with the counts of every view; then "all
open" and "solved" filtered by a text: words of random tickets' subjects (common ones) and terms
of the search vocabulary (mostly rare, or in no ticket: a customer's code, a number; rebuild the
index after seeding, e.g. with ``python -m bench.search --messages-per-ticket 0``). The ticket
page: tickets the agent may open, picked at random. Point it at an install kept with
``python -m bench --keep`` or seeded by ``python -m bench.seed``::

    OKIENKO_VAR_DIR=/tmp/okienko-bench-xxxx python -m bench.pages
"""

import argparse
import random
import time
from typing import Any
from urllib.parse import quote

from bench.phase import emit, setup_django
from bench.progress import log
from bench.report import latency_summary

WARM_UP = 3
# Texts the inbox is filtered by, of each kind.
TEXTS_OF_A_KIND = 6


def _timed_get(client: Any, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}")
    return elapsed


def _page_times(client: Any, urls: list[str], rounds: int) -> dict[str, float]:
    for url in urls[:WARM_UP]:
        client.get(url)
    return latency_summary([_timed_get(client, url) for _ in range(rounds) for url in urls])


def _filter_texts(rng: random.Random) -> list[str]:
    """Words of random tickets' subjects and random terms of the search vocabulary."""
    from okienko.search.models import SearchTerm
    from okienko.tickets.models import Ticket

    def random_rows(model: Any, field: str) -> list[str]:
        last = model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        rows = model.objects.filter(pk__gte=rng.randint(1, max(last, 1))).order_by("pk")
        return list(rows.values_list(field, flat=True)[:1])

    common: list[str] = []
    vocabulary: list[str] = []
    for _ in range(TEXTS_OF_A_KIND * 20):
        for subject in random_rows(Ticket, "subject"):
            words = [word for word in subject.split() if len(word) > 3 and word.isalpha()]
            common.extend(rng.sample(words, 1) if words else [])
        vocabulary.extend(random_rows(SearchTerm, "term"))
    if not common:
        raise SystemExit("no ticket subjects: seed the install first")
    # Without an index (not rebuilt since the seed) the texts find nothing, which is timed too.
    return common[:TEXTS_OF_A_KIND] + vocabulary[:TEXTS_OF_A_KIND]


def _as(agent: Any, *, rounds: int, tickets: int, rng: random.Random) -> dict[str, Any]:
    from django.test import Client

    from okienko.tickets.choices import InboxView
    from okienko.tickets.selectors import TicketFilters, list_tickets

    client = Client(HTTP_HOST="localhost")
    client.force_login(agent)
    inbox = [f"/inbox/{view}/" for view in InboxView.values]
    by_deadline = [f"{url}?sort=due" for url in inbox]
    texts = _filter_texts(rng)
    with_text = [
        f"/inbox/{view}/?q={quote(text)}"
        for text in texts
        for view in (InboxView.ALL_OPEN, InboxView.SOLVED)
    ]
    # Tickets the agent may open, from anywhere in the history (newest first pages of random
    # keyset positions): the ticket page is as fast for an old ticket as for a new one.
    newest = list_tickets(agent, TicketFilters(), before_id=None, limit=1)[0].pk
    ticket_ids: list[int] = []
    while len(ticket_ids) < tickets:
        page = list_tickets(agent, TicketFilters(), before_id=rng.randint(2, newest), limit=5)
        ticket_ids.extend(ticket.pk for ticket in page)
    ticket_pages = [f"/tickets/{ticket_id}/" for ticket_id in ticket_ids[:tickets]]
    log(
        f"pages: {agent.role} {agent.email}: inbox, inbox by deadline, inbox with texts {texts},"
        f" {tickets} ticket pages"
    )
    return {
        "inbox_ms": _page_times(client, inbox, rounds),
        "inbox_by_deadline_ms": _page_times(client, by_deadline, rounds),
        "inbox_with_text_ms": _page_times(client, with_text, rounds),
        "ticket_page_ms": _page_times(client, ticket_pages, 1),
    }


def measure(*, rounds: int, tickets: int, random_seed: int) -> dict[str, Any]:
    from okienko.accounts.actions import do_create_agent
    from okienko.accounts.choices import Role
    from okienko.accounts.models import Agent
    from okienko.tickets.models import Ticket

    rng = random.Random(random_seed)
    of_team = Agent.objects.filter(role=Role.AGENT, teams__isnull=False, is_active=True).first()
    if of_team is None:
        raise SystemExit("no agent of a team: seed the install first")
    supervisor = Agent.objects.filter(role=Role.SUPERVISOR, is_active=True).first()
    if supervisor is None:  # the seed makes agents only
        supervisor = do_create_agent(
            email="pages-supervisor@bench.okienko.local",
            name="Bench Supervisor",
            password=None,
            role=Role.SUPERVISOR,
            acting_user=None,
        )
    return {
        "tickets": Ticket.objects.count(),
        "agent_of_a_team": _as(of_team, rounds=rounds, tickets=tickets, rng=rng),
        "supervisor": _as(supervisor, rounds=rounds, tickets=tickets, rng=rng),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__)
    parser.add_argument("--rounds", type=int, default=10, help="requests of each inbox view")
    parser.add_argument("--tickets", type=int, default=100, help="ticket pages requested")
    parser.add_argument("--random-seed", type=int, default=3)
    options = parser.parse_args()
    setup_django()
    from okienko.core.garbage import collect_on_a_timer

    collect_on_a_timer()
    emit(measure(rounds=options.rounds, tickets=options.tickets, random_seed=options.random_seed))


if __name__ == "__main__":
    main()
