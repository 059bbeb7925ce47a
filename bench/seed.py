"""Phase ``seed``: fill an empty install with N tickets of a realistic shape, fast.

Agents and teams go through the accounts actions; the bulk (customers with an e-mail identity,
tickets, their first message, their ``created`` event and their tags) is written by
``bench.bulk.BulkWriter`` (``COPY`` on PostgreSQL, ``executemany`` on SQLite) in batches of
5,000 tickets, one transaction per batch, with ids assigned here so that rows can point at each
other without reading them back. PostgreSQL gets ``VACUUM ANALYZE`` afterwards, as after a
restore. Prints the seed rate and a catalogue of the real ids and names the HTTP phase filters by.

Run by ``python -m bench``; by hand: ``python -m bench.seed --tickets 1000``.
"""

import argparse
import datetime
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from bench.phase import emit, setup_django
from bench.progress import log

BATCH_SIZE = 5000
SAMPLE_SIZE = 1000
TICKETS_PER_CUSTOMER = 4
SPREAD = datetime.timedelta(days=365)

STATUS_WEIGHTS = {
    "new": 5,
    "open": 15,
    "pending": 10,
    "on_hold": 5,
    "solved": 30,
    "closed": 35,
}
PRIORITY_WEIGHTS = {"low": 20, "normal": 60, "high": 15, "urgent": 5}
CHANNEL_WEIGHTS = {"email": 50, "chat": 25, "web_form": 15, "phone": 10}
TAGGED_SHARE = 0.3
UNASSIGNED_SHARE = 0.15
TEAMLESS_SHARE = 0.1

TEAMS = ("Obsługa zamówień", "Reklamacje")
AGENTS_PER_TEAM = 5
TAGS = (
    "zwrot",
    "vip",
    "reklamacja",
    "faktura",
    "dostawa",
    "kurier",
    "uszkodzenie",
    "gwarancja",
    "płatność",
    "blik",
    "rabat",
    "newsletter",
    "rodo",
    "konto",
    "hasło",
    "paczkomat",
    "opóźnienie",
    "wymiana",
    "allegro",
    "pilne",
)
# A tag few tickets carry (one in RARE_TAG_EVERY, the first one included), spread over the
# whole year: a list filtered by it cannot stop after the newest few tickets it walks.
RARE_TAG = "prokuratura"
RARE_TAG_EVERY = 20_000
CATEGORIES = ("Zamówienia", "Dostawa", "Reklamacje", "Płatności", "Konto klienta", "Inne")
FIRST_NAMES = (
    "Anna",
    "Maria",
    "Katarzyna",
    "Małgorzata",
    "Agnieszka",
    "Barbara",
    "Ewa",
    "Zofia",
    "Piotr",
    "Krzysztof",
    "Andrzej",
    "Tomasz",
    "Paweł",
    "Michał",
    "Marcin",
    "Jakub",
)
LAST_NAMES = (
    "Nowak",
    "Kowalski",
    "Wiśniewski",
    "Wójcik",
    "Kowalczyk",
    "Kamiński",
    "Lewandowski",
    "Zieliński",
    "Szymański",
    "Woźniak",
    "Dąbrowski",
    "Kozłowski",
    "Jankowski",
    "Mazur",
)
MAIL_DOMAINS = ("poczta.example", "skrzynka.example", "firma.example", "sklep-klient.example")
SUBJECTS = (
    "Gdzie jest moja paczka?",
    "Zwrot towaru z zamówienia {order}",
    "Reklamacja: uszkodzony produkt",
    "Nie mogę się zalogować do konta",
    "Pytanie o fakturę VAT do zamówienia {order}",
    "Płatność BLIK nie przeszła",
    "Zmiana adresu dostawy",
    "Kiedy wysyłka zamówienia {order}?",
    "Brak elementu w przesyłce",
    "Prośba o usunięcie danych (RODO)",
    "Wymiana rozmiaru",
    "Kod rabatowy nie działa",
)
MESSAGES = (
    "Dzień dobry,\n\nzamówiłem towar tydzień temu (zamówienie {order}) i nadal nie dotarł. "
    "Status przesyłki nie zmienia się od kilku dni. Proszę o informację, co się dzieje.\n\n"
    "Pozdrawiam\n{name}",
    "Dzień dobry, chciałabym zwrócić produkt z zamówienia {order}, ponieważ rozmiar nie pasuje. "
    "Jak mam to zrobić i kiedy otrzymam zwrot pieniędzy?\n\n{name}",
    "Witam, paczka przyszła uszkodzona, karton był zgnieciony, a produkt ma pęknięcie. "
    "W załączeniu zdjęcia. Proszę o wymianę albo zwrot.\n{name}",
    "Dzień dobry, nie mogę zalogować się na swoje konto, resetowanie hasła nie przychodzi "
    "na maila. Proszę o pomoc.\n\nZ poważaniem\n{name}",
    "Proszę o wystawienie faktury VAT na firmę do zamówienia {order}. NIP podaję w stopce.\n{name}",
    "Płaciłem BLIK-iem, pieniądze zeszły z konta, a zamówienie {order} wciąż czeka na "
    "płatność. Co mam zrobić?\n{name}",
)

# The columns a seeded message is written with (also by the search phase).
MESSAGE_COLUMNS = [
    "id",
    "ticket",
    "author_kind",
    "author_customer",
    "direction",
    "is_public",
    "channel",
    "text",
    "html",
    "quoted_text",
    "external_id",
    "created_at",
]


@dataclass(frozen=True)
class Catalogue:
    """The reference rows every ticket points at."""

    agents_by_team: dict[int, list[int]]
    agent_names: dict[int, str]
    team_names: dict[int, str]
    tag_ids: dict[str, int]
    category_ids: list[int]
    rare_tag_id: int


def _weighted(rng: random.Random, weights: dict[str, int], count: int) -> list[str]:
    return rng.choices(list(weights), weights=list(weights.values()), k=count)


def _batches(total: int, size: int) -> Iterator[tuple[int, int]]:
    """``(offset, count)`` pairs covering ``total`` items in batches of ``size``."""
    for offset in range(0, total, size):
        yield offset, min(size, total - offset)


def _next_id(model: Any) -> int:
    from django.db.models import Max

    return int(model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def _create_catalogue() -> Catalogue:
    from okienko.accounts.actions import do_create_agent, do_create_team
    from okienko.accounts.choices import Role
    from okienko.tickets.models import Category, Tag

    agents_by_team: dict[int, list[int]] = {}
    agent_names: dict[int, str] = {}
    team_names: dict[int, str] = {}
    number = 0
    for team_name in TEAMS:
        members = []
        for _ in range(AGENTS_PER_TEAM):
            number += 1
            first, last = (
                FIRST_NAMES[number % len(FIRST_NAMES)],
                LAST_NAMES[number % len(LAST_NAMES)],
            )
            name = f"{first} {last}"
            agent = do_create_agent(
                email=f"agent{number}@bench.okienko.local",
                name=name,
                password=None,
                role=Role.AGENT,
                acting_user=None,
            )
            members.append(agent)
            agent_names[agent.pk] = agent.name
        team = do_create_team(name=team_name, members=members, acting_user=None)
        agents_by_team[team.pk] = [agent.pk for agent in members]
        team_names[team.pk] = team.name
    Tag.objects.bulk_create([Tag(name=name) for name in TAGS], ignore_conflicts=True)
    tag_ids = dict(Tag.objects.filter(name__in=TAGS).values_list("name", "pk"))
    rare_tag_id = Tag.objects.get_or_create(name=RARE_TAG)[0].pk
    category_ids = [Category.objects.create(name=name).pk for name in CATEGORIES]
    return Catalogue(agents_by_team, agent_names, team_names, tag_ids, category_ids, rare_tag_id)


def _seed_customers(count: int, rng: random.Random) -> tuple[int, list[str]]:
    """Create ``count`` customers with an e-mail identity each; return the first id and names."""
    from django.db import transaction
    from django.utils import timezone

    from bench.bulk import BulkWriter
    from okienko.customers.actions import default_tier
    from okienko.customers.choices import IdentityKind
    from okienko.customers.models import Customer, Identity

    customer_writer = BulkWriter(
        Customer, ["id", "name", "language", "tier", "notes", "created_at", "updated_at"]
    )
    identity_writer = BulkWriter(
        Identity, ["customer", "kind", "address", "is_verified", "created_at"]
    )
    tier_id = default_tier().pk
    first_id = _next_id(Customer)
    now = timezone.now()
    names: list[str] = []
    for offset, batch in _batches(count, BATCH_SIZE):
        customers = []
        identities = []
        for customer_id in range(first_id + offset, first_id + offset + batch):
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            names.append(name)
            customers.append((customer_id, name, "pl", tier_id, "", now, now))
            address = f"klient{customer_id}@{MAIL_DOMAINS[customer_id % len(MAIL_DOMAINS)]}"
            identities.append((customer_id, IdentityKind.EMAIL.value, address, True, now))
        with transaction.atomic():
            customer_writer.insert(customers)
            identity_writer.insert(identities)
    log(f"seed: {count} customers")
    return first_id, names


def _seed_tickets(
    count: int,
    catalogue: Catalogue,
    customer_first_id: int,
    customer_names: Sequence[str],
    rng: random.Random,
    started: float,
) -> None:
    from django.db import transaction
    from django.utils import timezone

    from bench.bulk import BulkWriter
    from okienko.tickets.choices import AuthorKind, Direction, EscalationLevel, EventKind
    from okienko.tickets.models import Message, Ticket, TicketEvent

    ticket_writer = BulkWriter(
        Ticket,
        [
            "id",
            "subject",
            "status",
            "priority",
            "channel",
            "requester",
            "assignee",
            "team",
            "category",
            "custom_fields",
            "reply_count",
            "transfer_count",
            "reopen_count",
            "escalation_level",
            "escalation_count",
            "created_at",
            "updated_at",
            "first_response_at",
            "solved_at",
            "closed_at",
            "last_message_at",
        ],
    )
    message_writer = BulkWriter(
        Message,
        MESSAGE_COLUMNS,
    )
    event_writer = BulkWriter(
        TicketEvent,
        ["ticket", "kind", "field", "new_value", "actor_kind", "rule", "message", "created_at"],
    )
    tag_writer = BulkWriter(Ticket.tags.through, ["ticket", "tag"])
    customer_kind, inbound, created = (
        AuthorKind.CUSTOMER.value,
        Direction.INBOUND.value,
        EventKind.CREATED.value,
    )
    first_line = EscalationLevel.FIRST_LINE.value
    tag_items = list(catalogue.tag_ids.items())
    team_ids = list(catalogue.agents_by_team)
    category_names = dict(zip(catalogue.category_ids, CATEGORIES, strict=True))
    now = timezone.now()
    start = now - SPREAD - datetime.timedelta(hours=1)
    step = SPREAD / max(count, 1)
    first_ticket_id = _next_id(Ticket)
    first_message_id = _next_id(Message)
    customer_count = len(customer_names)

    for offset, batch in _batches(count, BATCH_SIZE):
        statuses = _weighted(rng, STATUS_WEIGHTS, batch)
        priorities = _weighted(rng, PRIORITY_WEIGHTS, batch)
        channels = _weighted(rng, CHANNEL_WEIGHTS, batch)
        tickets: list[tuple[Any, ...]] = []
        messages: list[tuple[Any, ...]] = []
        events: list[tuple[Any, ...]] = []
        ticket_tags: list[tuple[int, int]] = []
        for position in range(batch):
            index = offset + position
            ticket_id = first_ticket_id + index
            message_id = first_message_id + index
            status, priority, channel = statuses[position], priorities[position], channels[position]
            created_at = start + step * index + datetime.timedelta(seconds=rng.random())
            customer_index = rng.randrange(customer_count)
            requester_id = customer_first_id + customer_index
            requester_name = customer_names[customer_index]
            team_id = None if rng.random() < TEAMLESS_SHARE else rng.choice(team_ids)
            assignee_id = None
            if status != "new" and team_id is not None and rng.random() >= UNASSIGNED_SHARE:
                assignee_id = rng.choice(catalogue.agents_by_team[team_id])
            category_id = rng.choice(catalogue.category_ids)
            order = f"ZAM-{2025_000000 + ticket_id}"
            subject = rng.choice(SUBJECTS).format(order=order)
            first_response_at = solved_at = closed_at = None
            updated_at = created_at
            if status != "new":
                first_response_at = created_at + datetime.timedelta(minutes=rng.randint(2, 600))
                updated_at = first_response_at
            if status in {"solved", "closed"}:
                solved_at = created_at + datetime.timedelta(hours=rng.randint(1, 96))
                updated_at = solved_at
            if status == "closed":
                closed_at = updated_at + datetime.timedelta(days=4)
                updated_at = closed_at
            updated_at = min(updated_at, now)
            tags = rng.sample(tag_items, rng.randint(1, 2)) if rng.random() < TAGGED_SHARE else []
            if index % RARE_TAG_EVERY == 0:
                tags.append((RARE_TAG, catalogue.rare_tag_id))
            tickets.append(
                (
                    ticket_id,
                    subject,
                    status,
                    priority,
                    channel,
                    requester_id,
                    assignee_id,
                    team_id,
                    category_id,
                    {},
                    0 if status == "new" else 1,
                    0,
                    0,
                    first_line,
                    0,
                    created_at,
                    updated_at,
                    first_response_at,
                    solved_at,
                    closed_at,
                    created_at,
                )
            )
            external_id = f"<{ticket_id}.bench@{MAIL_DOMAINS[0]}>" if channel == "email" else ""
            text = rng.choice(MESSAGES).format(order=order, name=requester_name)
            messages.append(
                (
                    message_id,
                    ticket_id,
                    customer_kind,
                    requester_id,
                    inbound,
                    True,
                    channel,
                    text,
                    "",
                    "",
                    external_id,
                    created_at,
                )
            )
            snapshot = {
                "subject": subject,
                "status": "new",
                "priority": priority,
                "channel": channel,
                "requester": {"id": requester_id, "name": requester_name},
                "assignee": None,
                "team": None,
                "category": {"id": category_id, "name": category_names[category_id]},
                "tags": sorted(name for name, _ in tags),
                "custom_fields": {},
            }
            events.append(
                (ticket_id, created, "", snapshot, customer_kind, "", message_id, created_at)
            )
            ticket_tags.extend((ticket_id, tag_id) for _, tag_id in tags)
        with transaction.atomic():
            ticket_writer.insert(tickets)
            message_writer.insert(messages)
            event_writer.insert(events)
            tag_writer.insert(ticket_tags)
        done = offset + batch
        if done % (BATCH_SIZE * 20) == 0 or done == count:
            elapsed = time.monotonic() - started
            log(f"seed: {done}/{count} tickets, {done / elapsed:,.0f} tickets/s")


def _reset_sequences() -> None:
    """Move the id sequences past the ids assigned here (PostgreSQL; SQLite follows by itself)."""
    from django.core.management.color import no_style
    from django.db import connection
    from django.db.models import Model

    from okienko.customers.models import Customer, Identity
    from okienko.tickets.models import Message, Ticket, TicketEvent

    models: list[type[Model]] = [
        Customer,
        Identity,
        Ticket,
        Message,
        TicketEvent,
        Ticket.tags.through,
    ]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _analyze() -> float:
    """Give PostgreSQL's planner statistics and a visibility map; return the seconds it took."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    started = time.monotonic()
    log("seed: VACUUM ANALYZE")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return time.monotonic() - started


def seed(tickets: int, *, random_seed: int) -> dict[str, Any]:
    """Seed ``tickets`` tickets and return the rate and the ids to filter by."""
    rng = random.Random(random_seed)
    started = time.monotonic()
    catalogue = _create_catalogue()
    customers = max(1, tickets // TICKETS_PER_CUSTOMER)
    customer_first_id, customer_names = _seed_customers(customers, rng)
    _seed_tickets(tickets, catalogue, customer_first_id, customer_names, rng, started)
    _reset_sequences()
    seconds = time.monotonic() - started
    analyze_seconds = _analyze()
    sample = rng.sample(range(customers), min(SAMPLE_SIZE, customers))
    customer_ids = [customer_first_id + index for index in sample]
    return {
        "seconds": round(seconds, 1),
        "tickets_per_s": round(tickets / seconds, 1),
        "customers": customers,
        "analyze_seconds": round(analyze_seconds, 1),
        "catalogue": {
            "agent_ids": sorted(catalogue.agent_names),
            "team_ids": sorted(catalogue.team_names),
            "tag_names": sorted(catalogue.tag_ids),
            "rare_tag": RARE_TAG,
            "category_ids": catalogue.category_ids,
            "customer_ids": customer_ids,
            "customer_emails": [
                f"klient{customer_id}@{MAIL_DOMAINS[customer_id % len(MAIL_DOMAINS)]}"
                for customer_id in customer_ids
            ],
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.seed", description=__doc__)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--random-seed", type=int, default=42)
    options = parser.parse_args()
    setup_django()
    emit(seed(options.tickets, random_seed=options.random_seed))


if __name__ == "__main__":
    main()
