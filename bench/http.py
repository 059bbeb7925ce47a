"""The HTTP load generator: ticket creation under concurrency and list latency per filter.

Runs in the main process (no Django) against a live ``okienko web`` server. Latency is measured
on the client, so it includes HTTP parsing, authentication and serialisation.

The client is aiohttp: the generator shares the machine's two cores with the server it
measures, and httpx spent 2.5 ms of CPU on each create request here, aiohttp 0.4 ms.
"""

import asyncio
import json
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

import aiohttp

from bench.progress import log
from bench.report import latency_summary
from bench.seed import MESSAGES, SUBJECTS

TICKETS_PATH = "/api/v1/tickets"
# What the inbox views call unsolved (tickets.choices.UNSOLVED_STATUSES).
UNSOLVED = "status=new&status=open&status=pending&status=on_hold"
PAGE_SIZE = 25
DEEP_PAGES = 10
EXISTING_REQUESTER_SHARE = 0.5
TIMEOUT = aiohttp.ClientTimeout(total=60.0)


@dataclass
class CreateResult:
    """What creating tickets over HTTP measured."""

    tickets: int
    seconds: float
    statuses: Counter[str] = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)

    @property
    def created(self) -> int:
        return self.statuses.get("201", 0)

    @property
    def errors(self) -> dict[str, int]:
        return {status: n for status, n in sorted(self.statuses.items()) if status != "201"}


def _headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Accept": "application/json"}


def _ticket_body(number: int, rng: random.Random, existing_emails: list[str]) -> dict[str, Any]:
    order = f"ZAM-H{number:06d}"
    if existing_emails and rng.random() < EXISTING_REQUESTER_SHARE:
        email, name = rng.choice(existing_emails), ""
    else:
        email, name = f"nowy-{uuid.uuid4().hex[:12]}@poczta.example", "Nowy Klient"
    return {
        "subject": rng.choice(SUBJECTS).format(order=order),
        "message": rng.choice(MESSAGES).format(order=order, name=name or "Klient"),
        "channel": "email",
        "requester": {"email": email, "name": name or "Klient"},
    }


def _session(base_url: str, token: str, *, concurrency: int = 1) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        base_url=base_url,
        headers=_headers(token),
        connector=aiohttp.TCPConnector(limit=concurrency),
        timeout=TIMEOUT,
    )


async def _create_tickets(
    base_url: str, token: str, count: int, concurrency: int, existing_emails: list[str], seed: int
) -> CreateResult:
    rng = random.Random(seed)
    bodies = [_ticket_body(number, rng, existing_emails) for number in range(count)]
    queue = iter(bodies)
    result = CreateResult(tickets=count, seconds=0.0)

    async def worker(client: aiohttp.ClientSession) -> None:
        for body in queue:
            sent = time.perf_counter()
            try:
                async with client.post(TICKETS_PATH, json=body) as response:
                    payload = await response.json(content_type=None)
            except (aiohttp.ClientError, TimeoutError) as error:
                result.statuses[type(error).__name__] += 1
                continue
            result.latencies_ms.append((time.perf_counter() - sent) * 1000)
            status = str(response.status)
            if response.status == HTTPStatus.CREATED and "id" not in payload:
                status = "201-without-id"
            result.statuses[status] += 1
            if status != "201" and sum(result.errors.values()) <= 3:
                log(f"http: POST {TICKETS_PATH} -> {response.status}: {str(payload)[:500]}")

    async with _session(base_url, token, concurrency=concurrency) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        result.seconds = time.perf_counter() - started
    return result


def create_tickets(
    base_url: str,
    token: str,
    *,
    count: int,
    concurrency: int,
    existing_emails: list[str],
    seed: int = 11,
) -> CreateResult:
    """POST ``count`` tickets with ``concurrency`` requests in flight; time the whole run."""
    log(f"http: creating {count} tickets, {concurrency} concurrent requests")
    result = asyncio.run(
        _create_tickets(base_url, token, count, concurrency, existing_emails, seed)
    )
    log(
        f"http: {result.created} created in {result.seconds:.1f}s "
        f"({result.created / result.seconds:,.0f}/s), errors {result.errors or 'none'}"
    )
    return result


@dataclass
class ListResult:
    """Latencies of one filter's requests, with failures and how full the pages were."""

    latencies_ms: list[float] = field(default_factory=list)
    items: list[int] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)

    def summary(self) -> dict[str, float]:
        summary = latency_summary(self.latencies_ms)
        summary["items"] = round(sum(self.items) / len(self.items), 1) if self.items else 0.0
        return summary


def main_filters(catalogue: dict[str, Any]) -> dict[str, Callable[[random.Random], str]]:
    """The main filters of the ticket list, each a function giving a query string.

    Filters by id pick a real value at random on every call, so requests do not all hit the
    same cached rows.
    """
    agents, teams = catalogue["agent_ids"], catalogue["team_ids"]
    customers, tags, rare_tag = (
        catalogue["customer_ids"],
        catalogue["tag_names"],
        catalogue["rare_tag"],
    )
    categories = catalogue["category_ids"]
    return {
        "none": lambda rng: "",
        "status=open": lambda rng: "status=open",
        "status=pending": lambda rng: "status=pending",
        "priority=urgent": lambda rng: "priority=urgent",
        "channel=chat": lambda rng: "channel=chat",
        "assignee=<agent>": lambda rng: f"assignee={rng.choice(agents)}",
        "assignee=none": lambda rng: "assignee=none",
        "team=<team>": lambda rng: f"team={rng.choice(teams)}",
        "requester=<customer>": lambda rng: f"requester={rng.choice(customers)}",
        "tag=<tag>": lambda rng: f"tag={rng.choice(tags)}",
        "tag=<rare tag>": lambda rng: f"tag={rare_tag}",
        "category=<category>": lambda rng: f"category={rng.choice(categories)}",
        "status=open&team=<team>": lambda rng: f"status=open&team={rng.choice(teams)}",
        # The inbox views "all open" and "mine".
        "status=unsolved": lambda rng: UNSOLVED,
        "status=unsolved&assignee=<agent>": lambda rng: f"{UNSOLVED}&assignee={rng.choice(agents)}",
    }


async def _get_page(
    client: aiohttp.ClientSession, query: str, result: ListResult, *, timed: bool = True
) -> str | None:
    """GET one page; record its latency when ``timed``; return the next cursor."""
    url = f"{TICKETS_PATH}?{query + '&' if query else ''}limit={PAGE_SIZE}"
    sent = time.perf_counter()
    try:
        async with client.get(url) as response:
            body = await response.read()
    except (aiohttp.ClientError, TimeoutError) as error:
        result.errors[type(error).__name__] += 1
        return None
    elapsed_ms = (time.perf_counter() - sent) * 1000
    if response.status != HTTPStatus.OK:
        result.errors[str(response.status)] += 1
        if sum(result.errors.values()) <= 2:
            log(f"http: GET {url} -> {response.status}: {body[:500]!r}")
        return None
    payload = json.loads(body)
    if timed:
        result.latencies_ms.append(elapsed_ms)
        result.items.append(len(payload.get("items", [])))
    cursor: str | None = payload.get("next_cursor")
    return cursor


async def _deep_page(client: aiohttp.ClientSession, result: ListResult) -> None:
    """Follow ``next_cursor`` from the first page and time only the tenth page."""
    cursor = await _get_page(client, "", result, timed=False)
    for _ in range(DEEP_PAGES - 2):
        if cursor is None:
            return
        cursor = await _get_page(client, urlencode({"cursor": cursor}), result, timed=False)
    if cursor is not None:
        await _get_page(client, urlencode({"cursor": cursor}), result)


async def _list_latency(
    base_url: str, token: str, catalogue: dict[str, Any], requests: int, seed: int
) -> tuple[dict[str, dict[str, float]], dict[str, int]]:
    rng = random.Random(seed)
    summaries: dict[str, dict[str, float]] = {}
    errors: Counter[str] = Counter()
    async with _session(base_url, token) as client:
        for name, query in main_filters(catalogue).items():
            result = ListResult()
            for _ in range(requests):
                await _get_page(client, query(rng), result)
            summaries[name] = result.summary()
            errors.update({f"{name}: {status}": n for status, n in result.errors.items()})
            log(f"http: GET ?{name}: {summaries[name]}")
        deep = ListResult()
        for _ in range(requests):
            await _deep_page(client, deep)
        summaries["page_deep"] = deep.summary()
        errors.update({f"page_deep: {status}": n for status, n in deep.errors.items()})
        log(f"http: GET page {DEEP_PAGES}: {summaries['page_deep']}")
    return summaries, dict(errors)


def list_latency(
    base_url: str, token: str, catalogue: dict[str, Any], *, requests: int, seed: int = 13
) -> tuple[dict[str, dict[str, float]], dict[str, int]]:
    """Time ``requests`` sequential list requests per main filter; return summaries and errors."""
    return asyncio.run(_list_latency(base_url, token, catalogue, requests, seed))


def warm_up(base_url: str, token: str, *, concurrency: int, rounds: int = 5) -> None:
    """Concurrent list requests, so that every worker has loaded its code and opened its
    database connection before anything is timed."""

    async def run() -> None:
        async with _session(base_url, token, concurrency=concurrency) as client:
            for _ in range(rounds):
                await asyncio.gather(
                    *(_get_page(client, "", ListResult()) for _ in range(concurrency))
                )

    asyncio.run(run())
