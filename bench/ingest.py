"""Phase ``ingest``: raw e-mails through the inbound ledger and the pipeline, timed end to end.

Messages are recorded in the ledger in batches, as an IMAP fetch records them, and processed by
the tasks that queues, as the worker runs them: parsed, quotes cut, the customer matched or
created, threaded, and written as a new ticket or a reply on one. The tasks processing queues
(the search index of its tickets and customers) run inside the timed window too: a message
counts once its ticket can be found. Every task runs in this process, one after another, as
one worker thread would. On PostgreSQL the CPU time of the server processes serving the
database is reported too (when the server runs on this machine): on SQLite the database's work
is already this process's own. The mix: new tickets, replies that quote the previous mail in
Polish (threaded by In-Reply-To), HTML-only mail with a small attachment.

With ``--workers N`` the tasks run in N ``okienko worker`` processes (one thread each) instead,
as in the scaled layout: this process only records, and the window ends when every message is
processed and each ticket that got one was indexed after it. The CPU reported is then that of
the workers and this process together. Two workers take two batches at once; batches of one
mailbox are written one after another (the pipeline locks the mailbox's row), so a reply finds
the ticket its original made even when the other worker wrote it.

Run by ``python -m bench``; by hand: ``python -m bench.ingest --count 500``.
"""

import argparse
import os
import random
import subprocess
import sys
import time
import uuid
from typing import Any

import psutil

from bench.phase import database_backends_cpu_seconds, database_cpu_spent, emit, setup_django
from bench.progress import log
from bench.seed import MESSAGES, SUBJECTS

REPLY_SHARE = 0.3
HTML_SHARE = 0.1
SENDERS = 2000
# Messages recorded and processed per transaction, as an IMAP fetch or a queue batch does.
BATCH = 50


def _messages(count: int, rng: random.Random) -> list[bytes]:
    from okienko.testing.mail import make_email

    sent: list[tuple[str, str, str]] = []
    raws = []
    # Message-IDs unique to the run: a second run on the same install would find its new mail
    # already received (duplicates, not tickets).
    run = uuid.uuid4().hex[:12]
    for number in range(count):
        order = f"ZAM-E{number:06d}"
        if sent and rng.random() < REPLY_SHARE:
            sender, subject, message_id = rng.choice(sent)
            text = (
                f"Dziękuję za odpowiedź, czekam dalej na zamówienie {order}.\n\n"
                f"W dniu 20.11.2026 o 10:15, Sklep <pomoc@sklep.example> pisze:\n"
                f"> {rng.choice(MESSAGES).format(order=order, name='Klient')}\n"
            )
            raw = make_email(
                sender=sender, subject=f"Re: {subject}", text=text, in_reply_to=message_id
            )
        else:
            sender = f"Klient {number} <klient{rng.randrange(SENDERS)}@poczta.example>"
            subject = rng.choice(SUBJECTS).format(order=order)
            message_id = f"<bench-{run}-{number}@poczta.example>"
            text = rng.choice(MESSAGES).format(order=order, name="Klient")
            is_html = rng.random() < HTML_SHARE
            raw = make_email(
                sender=sender,
                subject=subject,
                text=text,
                html=f"<p>{text}</p>" if is_html else "",
                message_id=message_id,
                attachments=(("paragon.pdf", "application/pdf", b"%PDF-1.4 " * 200),)
                if is_html
                else (),
            )
            sent.append((sender, subject, message_id))
        raws.append(raw)
    return raws


def _run_queued_tasks() -> int:
    """Run every queued task now, as the worker would; return how many ran."""
    from huey.contrib.djhuey import HUEY

    ran = 0
    # Only while there are tasks: on Redis a dequeue from an empty queue waits for one.
    while HUEY.pending_count():
        task = HUEY.dequeue()
        if task is not None:
            HUEY.execute(task)
            ran += 1
    return ran


def _start_like_a_worker() -> None:
    """Run what a worker runs as it starts (Huey's startup hooks: search loads its dictionaries),
    before the clock starts, as ``_start_workers`` does."""
    from huey.contrib.djhuey import HUEY

    for hook in HUEY._startup.values():
        hook()


def _start_workers(count: int, *, sender_limit: int) -> list[psutil.Process]:
    """``okienko worker`` processes of one thread each, returned once they are up and idle."""
    environment = {**os.environ, "OKIENKO_EMAIL_SENDER_LIMIT": str(sender_limit)}
    command = [sys.executable, "-m", "okienko", "worker", "--workers", "1"]
    workers = [
        psutil.Process(subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL).pid)
        for _ in range(count)
    ]
    time.sleep(1)
    while any(worker.cpu_percent(interval=0.2) > 5 for worker in workers):
        pass
    return workers


def _cpu_seconds(processes: list[psutil.Process]) -> float:
    return sum(sum(process.cpu_times()[:2]) for process in processes)


def _unfinished(item_ids: list[int]) -> int:
    """Items not processed yet, or processed into a ticket not indexed since.

    Asked every 50 ms while the workers run, so asked by the range of the items' ids (only
    this phase records items meanwhile): a list of thousands of ids made each question cost
    this process and the database about 1 ms of CPU per message in all, more than recording
    them, and more the slower the workers went."""
    from django.db.models import Exists, OuterRef

    from okienko.inboxes.choices import InboundOutcome, InboundStatus
    from okienko.inboxes.models import InboundItem
    from okienko.search.models import SearchDocument

    items = InboundItem.objects.filter(pk__range=(min(item_ids), max(item_ids)))
    waiting = items.filter(status=InboundStatus.RECEIVED).count()
    if waiting:
        return waiting
    indexed = SearchDocument.objects.filter(
        doc_type="ticket",
        object_id=OuterRef("message__ticket_id"),
        indexed_at__gte=OuterRef("processed_at"),
    )
    written = items.filter(
        outcome__in=[
            InboundOutcome.TICKET_CREATED,
            InboundOutcome.FOLLOW_UP_CREATED,
            InboundOutcome.MESSAGE_APPENDED,
        ]
    )
    return written.exclude(Exists(indexed)).count()


def ingest(count: int, *, random_seed: int, workers: int = 0) -> dict[str, Any]:
    """Record and process ``count`` generated e-mails; return the rate and the outcomes."""
    from django.test.utils import override_settings
    from django.utils.module_loading import autodiscover_modules
    from huey.contrib.djhuey import HUEY

    from okienko.inboxes.actions import RawInbound, do_get_default_inbox, do_record_inbound
    from okienko.inboxes.choices import InboxKind
    from okienko.inboxes.email.adapter import email_source_id
    from okienko.inboxes.models import InboundItem

    raws = _messages(count, random.Random(random_seed))
    inbox = do_get_default_inbox(InboxKind.EMAIL)
    item_ids: list[int] = []
    tasks = 0
    autodiscover_modules("tasks")
    # What earlier phases queued is not this phase's work.
    HUEY.flush()
    log(f"ingest: {count} e-mails through the ledger and the pipeline")
    # Generated senders repeat faster than a real flood limit allows.
    consumers = _start_workers(workers, sender_limit=count) if workers else []
    if not consumers:
        _start_like_a_worker()
    with override_settings(EMAIL_SENDER_LIMIT=count):
        database_cpu_started = database_backends_cpu_seconds()
        started, cpu_started = time.monotonic(), time.process_time()
        consumers_cpu_started = _cpu_seconds(consumers)
        for start in range(0, count, BATCH):
            batch = raws[start : start + BATCH]
            entries = [RawInbound(raw, email_source_id(raw)) for raw in batch]
            recorded = do_record_inbound(inbox=inbox, entries=entries)
            item_ids.extend(item.pk for item, _created in recorded)
            if not consumers:
                tasks += _run_queued_tasks()
        while consumers and _unfinished(item_ids):
            time.sleep(0.05)
        seconds = time.monotonic() - started
        own_cpu_seconds = time.process_time() - cpu_started
        cpu_seconds = own_cpu_seconds + _cpu_seconds(consumers) - consumers_cpu_started
        cpu_ms = cpu_seconds * 1000 / count
        database_cpu_ended = database_backends_cpu_seconds()
    for consumer in consumers:
        consumer.terminate()
    psutil.wait_procs(consumers, timeout=30)
    database_cpu = database_cpu_spent(database_cpu_started, database_cpu_ended)
    database_cpu_ms = round(database_cpu * 1000 / count, 2) if database_cpu is not None else None
    outcomes: dict[str, int] = {}
    for outcome, status in InboundItem.objects.filter(pk__in=item_ids).values_list(
        "outcome", "status"
    ):
        outcomes[outcome or status] = outcomes.get(outcome or status, 0) + 1
    rate = count / seconds
    log(
        f"ingest: {count} e-mails in {seconds:.1f}s, {rate:,.0f} messages/s, {outcomes}, "
        f"{tasks} tasks run"
    )
    return {
        "messages": count,
        "workers": workers,
        "tasks": tasks,
        "seconds": round(seconds, 2),
        "messages_per_s": round(rate, 1),
        "cpu_ms_per_message": round(cpu_ms, 2),
        "own_cpu_ms_per_message": round(own_cpu_seconds * 1000 / count, 2),
        "database_cpu_ms_per_message": database_cpu_ms,
        "outcomes": outcomes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ingest", description=__doc__)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--random-seed", type=int, default=11)
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="okienko worker processes running the tasks (0: this process runs them)",
    )
    options = parser.parse_args()
    setup_django()
    emit(ingest(options.count, random_seed=options.random_seed, workers=options.workers))


if __name__ == "__main__":
    main()
