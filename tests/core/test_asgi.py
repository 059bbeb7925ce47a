"""HTTP under ASGI: a request's synchronous work runs on one thread, kept for later requests."""

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.core.signals import request_finished, request_started

from okienko.asgi import SyncChainASGIHandler


def _scope(path: str) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 40000),
        "server": ("testserver", 80),
    }


async def _get(handler: SyncChainASGIHandler, path: str) -> int:
    sent: list[dict[str, Any]] = []
    body_read = False

    async def receive() -> dict[str, Any]:
        nonlocal body_read
        if not body_read:
            body_read = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()  # the client stays connected
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await handler(_scope(path), receive, send)
    return int(sent[0]["status"])


def test_requests_reuse_their_threads_and_run_each_on_one():
    threads: list[tuple[str, int, str]] = []

    def started(**kwargs: Any) -> None:
        threads.append(("started", threading.get_ident(), threading.current_thread().name))

    def finished(**kwargs: Any) -> None:
        threads.append(("finished", threading.get_ident(), threading.current_thread().name))

    handler = SyncChainASGIHandler()
    request_started.connect(started)
    request_finished.connect(finished)
    try:

        async def three_at_once_then_one() -> list[int]:
            # Unauthenticated API requests: answered without the database.
            statuses = list(
                await asyncio.gather(*(_get(handler, "/api/v1/tickets") for _ in range(3)))
            )
            statuses.append(await _get(handler, "/api/v1/tickets"))
            return statuses

        # A loop of its own thread: Playwright's tests may hold the main thread's.
        with ThreadPoolExecutor(max_workers=1) as loop_thread:
            statuses = loop_thread.submit(asyncio.run, three_at_once_then_one()).result()
        assert statuses == [401, 401, 401, 401]
    finally:
        request_started.disconnect(started)
        request_finished.disconnect(finished)

    finished_on = [ident for event, ident, _ in threads if event == "finished"]
    assert len(finished_on) == 4
    assert len(set(finished_on[:3])) == 3, "requests served at once had a thread each"
    assert finished_on[3] in finished_on[:3], "a later request reused a thread"
    started_on = [ident for event, ident, _ in threads if event == "started"]
    assert set(started_on) == set(finished_on)
    assert len(handler._idle_request_threads) == 3
    assert all(name.startswith("request") for _, _, name in threads)
