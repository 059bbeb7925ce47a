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

Run by ``python -m bench``; by hand: ``python -m bench.ingest --count 500``.
"""

import argparse
import random
import time
from typing import Any

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
            message_id = f"<bench-{number}@poczta.example>"
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


def ingest(count: int, *, random_seed: int) -> dict[str, Any]:
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
    with override_settings(EMAIL_SENDER_LIMIT=count):
        database_cpu_started = database_backends_cpu_seconds()
        started, cpu_started = time.monotonic(), time.process_time()
        for start in range(0, count, BATCH):
            batch = raws[start : start + BATCH]
            entries = [RawInbound(raw, email_source_id(raw)) for raw in batch]
            recorded = do_record_inbound(inbox=inbox, entries=entries)
            item_ids.extend(item.pk for item, _created in recorded)
            tasks += _run_queued_tasks()
        seconds = time.monotonic() - started
        cpu_ms = (time.process_time() - cpu_started) * 1000 / count
        database_cpu_ended = database_backends_cpu_seconds()
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
        "tasks": tasks,
        "seconds": round(seconds, 2),
        "messages_per_s": round(rate, 1),
        "cpu_ms_per_message": round(cpu_ms, 2),
        "database_cpu_ms_per_message": database_cpu_ms,
        "outcomes": outcomes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ingest", description=__doc__)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--random-seed", type=int, default=11)
    options = parser.parse_args()
    setup_django()
    emit(ingest(options.count, random_seed=options.random_seed))


if __name__ == "__main__":
    main()
