"""HTTP under ASGI: a request's synchronous work is one call on one thread, kept for later
requests; a plain answer is closed before it is sent, a streamed one after."""

import asyncio
import threading
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.core.signals import request_finished, request_started

from okienko.asgi import SyncChainASGIHandler

SCRIPT = Path(__file__).parents[2] / "okienko/workspace/static/workspace/live.js"


class Exchange:
    """What the handler sent for one request, and when the request's signals fired."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.timeline: list[str] = []

    @property
    def status(self) -> int:
        return int(self.sent[0]["status"])

    @property
    def body(self) -> bytes:
        return b"".join(message.get("body", b"") for message in self.sent[1:])


@pytest.fixture
def signal_threads():
    """(signal, thread ident, thread name) of every request_started and request_finished."""
    fired: list[tuple[str, int, str]] = []

    def started(**kwargs: Any) -> None:
        fired.append(("started", threading.get_ident(), threading.current_thread().name))

    def finished(**kwargs: Any) -> None:
        fired.append(("finished", threading.get_ident(), threading.current_thread().name))

    request_started.connect(started)
    request_finished.connect(finished)
    yield fired
    request_started.disconnect(started)
    request_finished.disconnect(finished)


async def _get(handler: SyncChainASGIHandler, path: str, query: bytes = b"") -> Exchange:
    exchange = Exchange()
    body_read = False

    def finished(**kwargs: Any) -> None:
        exchange.timeline.append("finished")

    async def receive() -> dict[str, Any]:
        nonlocal body_read
        if not body_read:
            body_read = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()  # the client stays connected
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        exchange.sent.append(message)
        exchange.timeline.append(message["type"])

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 40000),
        "server": ("testserver", 80),
    }
    request_finished.connect(finished)
    try:
        await handler(scope, receive, send)
    finally:
        request_finished.disconnect(finished)
    return exchange


def _run(scenario: Coroutine[Any, Any, Any]) -> Any:
    # A loop of its own thread: Playwright's tests may hold the main thread's.
    with ThreadPoolExecutor(max_workers=1) as loop_thread:
        return loop_thread.submit(asyncio.run, scenario).result()


def test_requests_reuse_their_threads_and_run_each_on_one(signal_threads):
    handler = SyncChainASGIHandler()

    async def three_at_once_then_one() -> list[Exchange]:
        # Unauthenticated API requests: answered without the database.
        exchanges = list(
            await asyncio.gather(*(_get(handler, "/api/v1/tickets") for _ in range(3)))
        )
        exchanges.append(await _get(handler, "/api/v1/tickets"))
        return exchanges

    exchanges = _run(three_at_once_then_one())

    assert [exchange.status for exchange in exchanges] == [401, 401, 401, 401]
    finished_on = [ident for signal, ident, _ in signal_threads if signal == "finished"]
    started_on = [ident for signal, ident, _ in signal_threads if signal == "started"]
    assert len(finished_on) == 4
    assert len(set(finished_on[:3])) == 3, "requests served at once had a thread each"
    assert finished_on[3] in finished_on[:3], "a later request reused a thread"
    assert set(started_on) == set(finished_on)
    assert all(name.startswith("request") for _, _, name in signal_threads)
    assert len(handler._idle_request_threads) == 3
    # The answer was complete before it was sent: the connection went back first.
    assert exchanges[3].timeline == ["finished", "http.response.start", "http.response.body"]
    headers = {name.lower(): value for name, value in exchanges[3].sent[0]["headers"]}
    assert headers[b"content-type"] == b"application/problem+json"


def test_a_streamed_answer_is_sent_whole_then_closed(signal_threads):
    exchange = _run(_get(SyncChainASGIHandler(), "/static/workspace/live.js"))

    assert exchange.status == 200
    assert exchange.body == SCRIPT.read_bytes()
    assert exchange.timeline[0] == "http.response.start"
    assert exchange.timeline[-1] == "finished"
    finished_on = {ident for signal, ident, _ in signal_threads if signal == "finished"}
    started_on = {ident for signal, ident, _ in signal_threads if signal == "started"}
    assert finished_on == started_on


def test_a_request_that_cannot_be_read_is_refused_and_closed(signal_threads):
    exchange = _run(_get(SyncChainASGIHandler(), "/api/v1/tickets", query=b"q=\xff"))

    assert exchange.status == 400
    assert exchange.timeline[0] == "finished"
