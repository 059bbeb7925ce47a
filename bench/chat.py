"""``python -m bench chat``: how many chat widgets one server process holds, and how fast a
visitor's message reaches an agent at that load.

    python -m bench chat [--connections 5000] [--active 20] [--rounds 25] [--command serve]

Starts ``okienko serve`` (or ``okienko web --workers 1``) on a fresh SQLite install with one chat
inbox, opens ``--connections`` widget WebSockets (each says hello and gets its welcome, as a page
load does) and keeps them open. An admin's workspace WebSocket listens meanwhile. ``--active``
of the visitors then write ``--rounds`` messages each, one round a second; for every message the
bench times the visitor's acknowledgement and the moment the agent's socket hears of the ticket
(visitor → agent delivery, on loopback). Targets: 5,000 connections, p99 delivery under 50 ms.
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

from bench.environment import BenchEnvironment
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
    """One widget: its socket and what the server told it."""

    def __init__(self, socket: Any) -> None:
        self.socket = socket
        self.acks: dict[str, asyncio.Future[float]] = {}
        self.reader: asyncio.Task[None] | None = None

    async def read(self) -> None:
        async for raw in self.socket:
            message = json.loads(raw)
            if message["type"] in {"ack", "error"} and message.get("cid") in self.acks:
                future = self.acks.pop(message["cid"])
                if future.done():
                    continue
                if message["type"] == "ack":
                    future.set_result(time.perf_counter())
                else:
                    future.set_exception(BenchError(f"refused: {message['code']}"))

    async def say(self, text: str) -> tuple[str, float, asyncio.Future[float]]:
        cid = uuid.uuid4().hex
        acknowledged: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.acks[cid] = acknowledged
        sent_at = time.perf_counter()
        await self.socket.send(json.dumps({"type": "message", "cid": cid, "text": text}))
        return cid, sent_at, acknowledged


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


class Agent:
    """The admin's workspace socket: when it hears of each ticket."""

    def __init__(self, socket: Any) -> None:
        self.socket = socket
        self.waiting: dict[int, asyncio.Future[float]] = {}
        self.new_tickets: asyncio.Queue[int] = asyncio.Queue()
        self.known: set[int] = set()

    async def read(self) -> None:
        async for raw in self.socket:
            heard_at = time.perf_counter()
            message = json.loads(raw)
            if message.get("kind") != "tickets":
                continue
            for ticket_id in message["ticket_ids"]:
                future = self.waiting.pop(ticket_id, None)
                if future is not None and not future.done():
                    future.set_result(heard_at)
                if ticket_id not in self.known:
                    self.known.add(ticket_id)
                    self.new_tickets.put_nowait(ticket_id)


async def _run(
    server: Server, public_key: str, cookie: str, *, connections: int, active: int, rounds: int
) -> dict[str, Any]:
    base_url = server.base_url
    ws_base = base_url.replace("http://", "ws://")
    agent_socket = await websockets.connect(
        f"{ws_base}/ws/workspace/",
        origin=base_url,
        additional_headers={"Cookie": f"sessionid={cookie}"},
        ping_interval=None,
    )
    agent = Agent(agent_socket)
    agent_reader = asyncio.create_task(agent.read())

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

    # Each active visitor's first message opens its ticket: one at a time, to learn which.
    talkers: list[tuple[Visitor, int]] = []
    for visitor in opened[:active]:
        _cid, _sent, acknowledged = await visitor.say("Dzień dobry, mam pytanie o zamówienie.")
        await asyncio.wait_for(acknowledged, timeout=30)
        ticket_id = await asyncio.wait_for(agent.new_tickets.get(), timeout=30)
        talkers.append((visitor, ticket_id))
    await asyncio.sleep(1)

    log(f"chat: {active} visitors write {rounds} messages each, one round a second")
    delivery_ms: list[float] = []
    ack_ms: list[float] = []
    lost = 0
    for round_number in range(rounds):
        round_started = time.perf_counter()
        pending = []
        for visitor, ticket_id in talkers:
            heard: asyncio.Future[float] = asyncio.get_running_loop().create_future()
            agent.waiting[ticket_id] = heard
            _cid, sent_at, acknowledged = await visitor.say(f"Wiadomość {round_number}")
            pending.append((sent_at, acknowledged, heard))
        for sent_at, acknowledged, heard in pending:
            try:
                ack_ms.append((await asyncio.wait_for(acknowledged, timeout=30) - sent_at) * 1000)
                delivery_ms.append((await asyncio.wait_for(heard, timeout=30) - sent_at) * 1000)
            except (TimeoutError, BenchError):
                lost += 1
        await asyncio.sleep(max(0.0, 1.0 - (time.perf_counter() - round_started)))

    still_open = sum(1 for visitor in opened if visitor.socket.state.name == "OPEN")
    for visitor in opened:
        if visitor.reader is not None:
            visitor.reader.cancel()
    agent_reader.cancel()
    await asyncio.gather(*(visitor.socket.close() for visitor in opened), return_exceptions=True)
    await agent_socket.close()
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
    }


def measure(*, connections: int, active: int, rounds: int, command: str) -> dict[str, Any]:
    bench_env = BenchEnvironment(database="sqlite")
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
        args = ["serve"] if command == "serve" else ["web", "--workers", "1"]
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
            "database": "sqlite",
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
    parser.add_argument("--command", choices=["serve", "web"], default="serve")
    options = parser.parse_args(argv)
    try:
        report = measure(
            connections=options.connections,
            active=options.active,
            rounds=options.rounds,
            command=options.command,
        )
    except BenchError as error:
        log(f"failed: {error}")
        return 1
    sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    return 0
