"""Phase ``search``: full-text search over many messages, as JSON.

Every seeded ticket gets ``--messages-per-ticket`` more messages (agent replies, customer
answers, internal notes: sentences of the demo shop's Polish scenarios, so the vocabulary is a
real one), the index is rebuilt with ``do_reindex`` (timed: the rebuild an operator runs with
``okienko search reindex``), and ``--queries`` one- to three-word Polish queries go through
``search()`` as a supervisor (every ticket) and as an agent of one team (scoped), each giving
p50/p95 in milliseconds. Queries use words as they occur in the messages (so in any inflected
form), a quarter of them without diacritics, a tenth misspelled, a fifth cut short (typing).

Run by ``python -m bench``; by hand on a seeded install::

    OKIENKO_VAR_DIR=/tmp/okienko-bench-xxxx python -m bench.search --messages-per-ticket 4
"""

import argparse
import random
import re
import time
from collections.abc import Iterator
from typing import Any

from bench.phase import emit, setup_django
from bench.progress import log
from bench.report import latency_summary
from bench.seed import MESSAGE_COLUMNS

BATCH_TICKETS = 5000
# Demo placeholders: grammatical endings are filled in, data is left out.
_ENDINGS = {"em": "em", "a_em": "em", "bym": "bym", "y": "y", "c_a": "", "c_y": "y"}
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")
_DIACRITICS = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")
_MIN_QUERY_WORD = 4


def _sentences() -> list[str]:
    from okienko.demo.texts import SCENARIOS

    texts: list[str] = []
    for scenario in SCENARIOS:
        texts.extend([*scenario.openings, *scenario.replies, *scenario.notes])
    sentences = []
    for text in texts:
        filled = _PLACEHOLDER.sub(lambda match: _ENDINGS.get(match.group(1), ""), text)
        sentences.extend(part.strip() for part in _SENTENCE_END.split(" ".join(filled.split())))
    return sorted({sentence for sentence in sentences if len(sentence) > 20})


def _message_rows(
    ticket_rows: list[tuple[int, int]], per_ticket: int, first_id: int, rng: random.Random
) -> Iterator[tuple[Any, ...]]:
    from django.utils import timezone

    sentences = _sentences()
    now = timezone.now()
    message_id = first_id
    for ticket_id, requester_id in ticket_rows:
        for index in range(per_ticket):
            text = " ".join(rng.sample(sentences, rng.randint(2, 4)))
            kind = index % 3
            yield (
                message_id,
                ticket_id,
                ("agent", "customer", "agent")[kind],
                requester_id if kind == 1 else None,
                ("outbound", "inbound", "internal")[kind],
                kind != 2,
                "email",
                text,
                "",
                "",
                "",
                now,
            )
            message_id += 1


def add_messages(per_ticket: int, rng: random.Random) -> int:
    """Write ``per_ticket`` more messages on every ticket; returns how many."""
    from django.db import transaction
    from django.db.models import Max

    from bench.bulk import BulkWriter
    from okienko.tickets.models import Message, Ticket

    writer = BulkWriter(
        Message,
        MESSAGE_COLUMNS,
    )
    tickets = list(Ticket.objects.order_by("pk").values_list("pk", "requester_id"))
    next_id = (Message.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
    written = 0
    for start in range(0, len(tickets), BATCH_TICKETS):
        batch = tickets[start : start + BATCH_TICKETS]
        rows = list(_message_rows(batch, per_ticket, next_id + written, rng))
        with transaction.atomic():
            writer.insert(rows)
        written += len(rows)
        log(f"search: {written} messages added")
    _reset_message_sequence()
    return written


def _reset_message_sequence() -> None:
    from django.core.management.color import no_style
    from django.db import connection

    from okienko.tickets.models import Message

    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [Message]):
            cursor.execute(statement)


def _vocabulary() -> list[str]:
    words = set()
    for sentence in _sentences():
        for word in re.findall(r"[^\W\d_]+", sentence):
            if len(word) >= _MIN_QUERY_WORD:
                words.add(word.lower())
    return sorted(words)


def _misspelled(word: str, rng: random.Random) -> str:
    position = rng.randrange(1, len(word) - 1)
    return word[:position] + word[position + 1] + word[position] + word[position + 2 :]


def queries(count: int, rng: random.Random) -> list[str]:
    """One- to three-word queries as people type them."""
    vocabulary = _vocabulary()
    made = []
    for _ in range(count):
        words = rng.sample(vocabulary, rng.randint(1, 3))
        roll = rng.random()
        if roll < 0.25:
            words = [word.translate(_DIACRITICS) for word in words]
        elif roll < 0.35:
            words[-1] = _misspelled(words[-1], rng)
        elif roll < 0.55:
            words[-1] = words[-1][: max(3, len(words[-1]) - 3)]
        made.append(" ".join(words))
    return made


def _timed(searcher: Any, texts: list[str]) -> tuple[dict[str, float], float]:
    from okienko.search.selectors import search

    latencies, found = [], 0
    for text in texts:
        started = time.perf_counter()
        hits = search(searcher, text, limit=20).hits
        latencies.append((time.perf_counter() - started) * 1000)
        found += bool(hits)
    return latency_summary(latencies), round(found / len(texts), 2)


def measure(
    *, per_ticket: int, query_count: int, random_seed: int, reindex: bool = True
) -> dict[str, Any]:
    from django.db import connection

    from okienko.accounts.choices import Role
    from okienko.accounts.models import Agent
    from okienko.search.actions import do_reindex
    from okienko.search.models import SearchDocument, SearchTerm
    from okienko.tickets.models import Message

    rng = random.Random(random_seed)
    started = time.monotonic()
    added = add_messages(per_ticket, rng) if per_ticket else 0
    add_seconds = time.monotonic() - started
    last_logged = [0.0]

    def on_progress(doc_type: str, done: int, total: int) -> None:
        if time.monotonic() - last_logged[0] > 10 or done == total:
            last_logged[0] = time.monotonic()
            log(f"search: reindex {doc_type} {done}/{total}")

    started = time.monotonic()
    documents = do_reindex(on_progress=on_progress) if reindex else 0
    reindex_seconds = time.monotonic() - started if reindex else 0.0
    messages = Message.objects.count()
    # Unsaved: a supervisor sees every ticket, and the install stays as it was seeded.
    supervisor = Agent(role=Role.SUPERVISOR)
    agent = Agent.objects.filter(role="agent", teams__isnull=False).order_by("pk").first()
    texts = queries(query_count, rng)
    # Warm up: dictionaries, the language model, the database's caches.
    _timed(supervisor, texts[:20])
    supervisor_latency, supervisor_found = _timed(supervisor, texts)
    agent_latency, agent_found = _timed(agent, texts)
    log(f"search: supervisor {supervisor_latency}, agent of a team {agent_latency}")
    return {
        "database": connection.vendor,
        "messages": messages,
        "messages_added": added,
        "messages_added_s": round(add_seconds, 1),
        "documents": documents,
        "terms": SearchTerm.objects.count(),
        "indexed_tickets": SearchDocument.objects.filter(doc_type="ticket").count(),
        "reindex_s": round(reindex_seconds, 1),
        "reindex_messages_per_s": round(messages / reindex_seconds) if reindex_seconds else 0,
        "queries": len(texts),
        "query_examples": texts[:8],
        "latency_ms_supervisor": supervisor_latency,
        "latency_ms_team_agent": agent_latency,
        "queries_with_hits": {"supervisor": supervisor_found, "team_agent": agent_found},
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.search", description=__doc__)
    parser.add_argument("--messages-per-ticket", type=int, default=4)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--random-seed", type=int, default=42)
    parser.add_argument(
        "--no-reindex",
        action="store_true",
        help="time the queries on the index as it is (with --messages-per-ticket 0)",
    )
    options = parser.parse_args()
    setup_django()
    emit(
        measure(
            per_ticket=options.messages_per_ticket,
            query_count=options.queries,
            random_seed=options.random_seed,
            reindex=not options.no_reindex,
        )
    )


if __name__ == "__main__":
    main()
