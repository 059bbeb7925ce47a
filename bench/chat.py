"""``python -m bench chat``: how many chat widgets one server process holds, and how fast a
visitor's message reaches an agent at that load.

    python -m bench chat [--connections 5000] [--active 20] [--rounds 25]
                         [--database sqlite|postgres] [--postgres-url URL] [--redis-url URL]

Starts ``okienko serve`` on a fresh SQLite install (``--database postgres``: ``okienko web
--workers 1`` on PostgreSQL with the Redis channel layer) with one chat inbox, opens
``--connections`` widget WebSockets (each says hello and gets its welcome, as a page load does)
and keeps them open. ``--active`` of the visitors then write ``--rounds`` messages each, one round
a second; each of their tickets is open on an agent's page (one workspace WebSocket watching it).

For every message the clock starts when the visitor's socket sends it and stops when:
``ack_ms`` the visitor's acknowledgement arrives; ``ticket_message_ms`` the pipeline has made it a
ticket message (the visitor's widget receives it with its id; the agents' pages hear of the
ticket's change from the same commit and then fetch the thread over HTTP, not timed);
``visitor_to_agent_ms`` the agent's page has the message itself (``chat_message`` with its client
id), or, from a server that does not push it, the ticket message. A ticket change heard earlier
(``first_ticket_change_heard_ms``) may come from an earlier message's aftermath (its SLA, its
tasks), so it times nothing. Targets:
5,000 connections, p99 visitor → agent under 50 ms, on loopback.
"""

import argparse
import asyncio
import gzip
import json
import re
import sys
import time
import uuid
from typing import Any

import httpx
import websockets

from bench.environment import DEFAULT_POSTGRES_URL, BenchEnvironment, DatabaseKind
from bench.processes import REPO_ROOT, BenchError, Server, run_okienko
from bench.progress import log
from bench.report import load_average, machine, percentile

TARGET_CONNECTIONS = 5000
TARGET_DELIVERY_P99_MS = 50
WIDGET = REPO_ROOT / "okienko" / "inboxes" / "static" / "chat" / "widget.js"
ORIGIN = "http://shop.bench.example"
AGENT_EMAIL = "bench-chat@okienko.local"
AGENT_PASSWORD = "bench-pass-123"  # noqa: S105 - a throw-away install's agent
OPEN_CONCURRENCY = 50
SETUP = """
from okienko.inboxes.chat.actions import do_create_chat_inbox
widget = do_create_chat_inbox(name="Bench chat", acting_user=None)
print(widget.public_key)
"""


def _summary(values_ms: list[float]) -> dict[str, float]:
    return {
        "count": len(values_ms),
        "p50": round(percentile(values_ms, 0.50), 1),
        "p95": round(percentile(values_ms, 0.95), 1),
        "p99": round(percentile(values_ms, 0.99), 1),
        "max": round(max(values_ms, default=0.0), 1),
    }


def _session_cookie(base_url: str) -> str:
    """Sign the bench agent in through the workspace's login form; its session cookie."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        page = client.get("/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        if token is None:
            raise BenchError("no CSRF token on the login page")
        client.post(
            "/login/",
            data={
                "csrfmiddlewaretoken": token.group(1),
                "username": AGENT_EMAIL,
                "email": AGENT_EMAIL,
                "password": AGENT_PASSWORD,
            },
            headers={"Referer": f"{base_url}/login/"},
        )
        session = client.cookies.get("sessionid")
        if not session:
            raise BenchError("the bench agent could not sign in")
        return str(session)


class Visitor:
    """One widget: its socket and when the server told it of each of its messages."""

    def __init__(self, socket: Any) -> None:
        self.socket = socket
        self.acks: dict[str, asyncio.Future[float]] = {}
        self.made: dict[str, asyncio.Future[float]] = {}
        self.reader: asyncio.Task[None] | None = None

    async def read(self) -> None:
        async for raw in self.socket:
            heard_at = time.perf_counter()
            message = json.loads(raw)
            cid = message.get("cid")
            if message["type"] == "error" and cid in self.acks:
                error = BenchError(f"refused: {message['code']}")
                for waiting in (self.acks.pop(cid), self.made.pop(cid, None)):
                    if waiting is not None and not waiting.done():
                        waiting.set_exception(error)
                continue
            if message["type"] == "ack":
                _resolve(self.acks, cid, heard_at)
            # The ticket message the pipeline made: in the acknowledgement, or pushed after it.
            made = message.get("message") or {}
            if made.get("id") and made.get("cid"):
                _resolve(self.made, made["cid"], heard_at)

    async def say(self, text: str) -> tuple[str, float]:
        cid = uuid.uuid4().hex
        loop = asyncio.get_running_loop()
        self.acks[cid] = loop.create_future()
        self.made[cid] = loop.create_future()
        sent_at = time.perf_counter()
        await self.socket.send(json.dumps({"type": "message", "cid": cid, "text": text}))
        return cid, sent_at


def _resolve(futures: dict[str, asyncio.Future[float]], key: str | None, at: float) -> None:
    future = futures.pop(key, None) if key else None
    if future is not None and not future.done():
        future.set_result(at)


async def _open_visitor(ws_url: str, errors: list[str]) -> Visitor | None:
    try:
        socket = await websockets.connect(
            ws_url, origin=ORIGIN, open_timeout=60, ping_interval=None, max_queue=None
        )
        await socket.send(json.dumps({"type": "hello", "token": None, "after": 0, "lang": "pl"}))
        welcome = json.loads(await asyncio.wait_for(socket.recv(), timeout=60))
        if welcome.get("type") != "welcome":
            raise BenchError(f"expected a welcome, got {welcome.get('type')}")
    except (OSError, TimeoutError, websockets.WebSocketException, BenchError) as error:
        errors.append(f"{type(error).__name__}: {error}")
        return None
    return Visitor(socket)


class AgentPage:
    """An agent's workspace socket, watching one chat's ticket: when it first hears of each
    message (the message itself, by its client id, or a change of the ticket). ``new_tickets``
    (one page's only) gets each ticket id the first time any change of it is heard."""

    def __init__(self, socket: Any, new_tickets: asyncio.Queue[int] | None = None) -> None:
        self.socket = socket
        self.ticket_id: int | None = None
        self.new_tickets = new_tickets
        self.known: set[int] = set()
        self.live: dict[str, asyncio.Future[float]] = {}
        self.changed: asyncio.Future[float] | None = None

    async def read(self) -> None:
        async for raw in self.socket:
            heard_at = time.perf_counter()
            message = json.loads(raw)
            if message.get("kind") == "chat_message":
                _resolve(self.live, message.get("cid"), heard_at)
            if message.get("kind") != "tickets":
                continue
            for ticket_id in message["ticket_ids"]:
                if ticket_id == self.ticket_id and self.changed and not self.changed.done():
                    self.changed.set_result(heard_at)
                if self.new_tickets is not None and ticket_id not in self.known:
                    self.known.add(ticket_id)
                    self.new_tickets.put_nowait(ticket_id)

    async def watch(self, ticket_id: int) -> None:
        self.ticket_id = ticket_id
        await self.socket.send(json.dumps({"action": "watch", "ticket_id": ticket_id}))

    def expect(self, cid: str) -> tuple[asyncio.Future[float], asyncio.Future[float]]:
        loop = asyncio.get_running_loop()
        self.live[cid] = loop.create_future()
        self.changed = loop.create_future()
        return self.live[cid], self.changed


async def _open_agent_page(
    base_url: str, cookie: str, new_tickets: asyncio.Queue[int] | None = None
) -> AgentPage:
    socket = await websockets.connect(
        f"{base_url.replace('http://', 'ws://')}/ws/workspace/",
        origin=base_url,
        additional_headers={"Cookie": f"sessionid={cookie}"},
        ping_interval=None,
    )
    return AgentPage(socket, new_tickets)


async def _run(
    server: Server, public_key: str, cookie: str, *, connections: int, active: int, rounds: int
) -> dict[str, Any]:
    base_url = server.base_url
    ws_base = base_url.replace("http://", "ws://")
    # Agents' pages: one per chat that will talk, each watching its ticket once it has one.
    # The first page (an inbox) learns which ticket each new chat opened.
    new_tickets: asyncio.Queue[int] = asyncio.Queue()
    inbox = await _open_agent_page(base_url, cookie, new_tickets)
    pages = [await _open_agent_page(base_url, cookie) for _ in range(active)]
    page_readers = [asyncio.create_task(page.read()) for page in [inbox, *pages]]

    log(f"chat: opening {connections} widget connections")
    errors: list[str] = []
    gate = asyncio.Semaphore(OPEN_CONCURRENCY)

    async def open_one() -> Visitor | None:
        async with gate:
            return await _open_visitor(f"{ws_base}/ws/chat/{public_key}/", errors)

    started = time.perf_counter()
    opened = [v for v in await asyncio.gather(*(open_one() for _ in range(connections))) if v]
    open_seconds = time.perf_counter() - started
    log(f"chat: {len(opened)} open in {open_seconds:.1f} s ({len(errors)} failed)")
    rss_open_mb, _ = server.rss_mb()
    for visitor in opened:
        visitor.reader = asyncio.create_task(visitor.read())

    # Each active visitor's first message opens its ticket: one at a time, to learn which;
    # then an agent's page opens it.
    talkers: list[tuple[Visitor, AgentPage]] = []
    for visitor, page in zip(opened[:active], pages, strict=False):
        cid, _sent = await visitor.say("Dzień dobry, mam pytanie o zamówienie.")
        await asyncio.wait_for(visitor.acks[cid], timeout=30)
        ticket_id = await asyncio.wait_for(new_tickets.get(), timeout=30)
        await page.watch(ticket_id)
        talkers.append((visitor, page))
    await asyncio.sleep(2)

    log(f"chat: {active} visitors write {rounds} messages each, one round a second")
    cpu_before_messages = server.cpu_seconds()
    ack_ms: list[float] = []
    delivery_ms: list[float] = []
    changed_ms: list[float] = []
    made_ms: list[float] = []
    lost = 0
    for round_number in range(rounds):
        round_started = time.perf_counter()
        pending = []
        for visitor, page in talkers:
            cid = uuid.uuid4().hex
            live, changed = page.expect(cid)
            loop = asyncio.get_running_loop()
            visitor.acks[cid] = loop.create_future()
            visitor.made[cid] = loop.create_future()
            acknowledged, made = visitor.acks[cid], visitor.made[cid]
            sent_at = time.perf_counter()
            await visitor.socket.send(
                json.dumps({"type": "message", "cid": cid, "text": f"Wiadomość {round_number}"})
            )
            pending.append((sent_at, acknowledged, made, live, changed))
        for sent_at, acknowledged, made, live, changed in pending:
            try:
                ack_ms.append((await asyncio.wait_for(acknowledged, timeout=30) - sent_at) * 1000)
                made_at = await asyncio.wait_for(made, timeout=30)
                made_ms.append((made_at - sent_at) * 1000)
                # A ticket change the page hears may come from an earlier message's aftermath,
                # so it does not time this one: the agent has the message when the server
                # pushed it, else when the pipeline made it (its change goes out in that commit).
                heard_at = live.result() if live.done() else made_at
                delivery_ms.append((heard_at - sent_at) * 1000)
                changed_ms.append((changed.result() - sent_at) * 1000 if changed.done() else 0.0)
            except (TimeoutError, BenchError):
                lost += 1
        await asyncio.sleep(max(0.0, 1.0 - (time.perf_counter() - round_started)))

    cpu_of_messages = server.cpu_seconds() - cpu_before_messages
    still_open = sum(1 for visitor in opened if visitor.socket.state.name == "OPEN")
    for task in [*(visitor.reader for visitor in opened if visitor.reader), *page_readers]:
        task.cancel()
    await asyncio.gather(*(visitor.socket.close() for visitor in opened), return_exceptions=True)
    await asyncio.gather(*(page.socket.close() for page in [inbox, *pages]), return_exceptions=True)
    return {
        "connections_wanted": connections,
        "connections_open": len(opened),
        "connections_failed": len(errors),
        "connection_errors": sorted(set(errors))[:5],
        "connections_still_open_after_messages": still_open,
        "open_seconds": round(open_seconds, 1),
        "server_rss_mb_with_connections_open": rss_open_mb,
        "messages": active * rounds,
        "messages_refused_or_unanswered": lost,
        "ack_ms": _summary(ack_ms),
        "visitor_to_agent_ms": _summary(delivery_ms),
        "first_ticket_change_heard_ms": _summary([value for value in changed_ms if value]),
        "ticket_message_ms": _summary(made_ms),
        # The server's CPU time (its Huey threads' included) while the visitors wrote, per
        # message: less disturbed than the latencies by other work on a shared machine.
        "server_cpu_ms_per_message": round(cpu_of_messages * 1000 / max(1, active * rounds), 1),
    }


def measure(
    *,
    connections: int,
    active: int,
    rounds: int,
    database: DatabaseKind,
    postgres_url: str,
    redis_url: str,
) -> dict[str, Any]:
    bench_env = BenchEnvironment(database=database, postgres_url=postgres_url)
    load_at_start = load_average()
    try:
        bench_env.prepare()
        # Every simulated visitor comes from 127.0.0.1 and writes once a second: the limits
        # per address and per visitor would stop them.
        env = {
            **bench_env.env(),
            "OKIENKO_CHAT_MESSAGES_PER_IP": "1000000",
            "OKIENKO_CHAT_MESSAGES_PER_VISITOR": "1000000",
            "OKIENKO_CHAT_CONVERSATIONS_PER_IP": "1000000",
        }
        if database == "postgres":
            env["OKIENKO_REDIS_URL"] = redis_url
        run_okienko(["migrate", "--no-input"], env)
        run_okienko(
            [
                "createagent",
                "--email",
                AGENT_EMAIL,
                "--password",
                AGENT_PASSWORD,
                "--role",
                "admin",
                "--name",
                "Bench Chat",
            ],
            env,
        )
        public_key = run_okienko(["shell", "-c", SETUP], env).strip().splitlines()[-1]
        # The scaled mode's web process (its Huey tasks wait in Redis for a worker not started
        # here); the embedded mode's one process with its Huey threads.
        args = ["serve"] if database == "sqlite" else ["web", "--workers", "1"]
        with Server(args, env, bench_env.var_dir / "server.log") as server:
            server.wait_ready()
            idle_mb, _ = server.rss_mb()
            cookie = _session_cookie(server.base_url)
            result = asyncio.run(
                _run(
                    server,
                    public_key,
                    cookie,
                    connections=connections,
                    active=active,
                    rounds=rounds,
                )
            )
            rss_mb, processes = server.rss_mb()
            cpu_seconds = server.cpu_seconds()
        widget = WIDGET.read_bytes()
        delivery = result["visitor_to_agent_ms"]
        return {
            "command": f"okienko {' '.join(args)}",
            "database": database,
            "channel_layer": "redis" if database == "postgres" else "in-memory",
            **result,
            "server_rss_mb_idle": idle_mb,
            "server_rss_mb_after_messages": rss_mb,
            "server_processes": processes,
            "server_cpu_seconds": round(cpu_seconds, 1),
            "widget_bytes": len(widget),
            "widget_gzip_bytes": len(gzip.compress(widget, compresslevel=9)),
            "targets": {
                f"connections>={TARGET_CONNECTIONS}": result["connections_open"]
                >= TARGET_CONNECTIONS,
                f"visitor_to_agent_p99_ms<{TARGET_DELIVERY_P99_MS}": delivery["count"] > 0
                and delivery["p99"] < TARGET_DELIVERY_P99_MS,
                "widget_gzip_bytes<40960": len(gzip.compress(widget, compresslevel=9)) < 40960,
            },
            "machine": machine(bench_env.server_version(), load_at_start=load_at_start),
        }
    finally:
        bench_env.cleanup()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench chat", description=__doc__)
    parser.add_argument("--connections", type=int, default=TARGET_CONNECTIONS)
    parser.add_argument("--active", type=int, default=20, help="visitors who write")
    parser.add_argument("--rounds", type=int, default=25, help="messages per active visitor")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    options = parser.parse_args(argv)
    try:
        report = measure(
            connections=options.connections,
            active=options.active,
            rounds=options.rounds,
            database=options.database,
            postgres_url=options.postgres_url,
            redis_url=options.redis_url,
        )
    except BenchError as error:
        log(f"failed: {error}")
        return 1
    sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    return 0
