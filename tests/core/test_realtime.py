"""The realtime publisher hands messages to the loop that can deliver them, and skips the work
where nobody could hear them."""

import asyncio
import threading

import pytest
from channels.layers import InMemoryChannelLayer

from okienko.core import realtime


@pytest.fixture
def sent(monkeypatch):
    calls: list[tuple[str, dict]] = []
    # The embedded mode's layer, whatever this run configured (Redis in the scaled run).
    layer = InMemoryChannelLayer()
    monkeypatch.setattr(realtime, "get_channel_layer", lambda: layer)

    async def record(group, message):
        calls.append((group, message))

    monkeypatch.setattr(layer, "group_send", record)
    monkeypatch.setattr(realtime, "_serving_loop", None)
    return calls


def test_without_a_consumer_in_this_process_the_in_memory_layer_is_not_bothered(sent):
    realtime.send_all([("agent.1", {"type": "x"}), ("team.2", {"type": "x"})])

    assert sent == []


def test_messages_go_to_the_serving_loop_in_one_hand_over(sent):
    loop = asyncio.new_event_loop()
    server = threading.Thread(target=loop.run_forever, daemon=True)
    server.start()
    realtime.bind_serving_loop(loop)
    try:
        realtime.send_all([("agent.1", {"type": "a"}), ("team.2", {"type": "b"})])
        asyncio.run_coroutine_threadsafe(asyncio.sleep(0.05), loop).result(timeout=2)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        server.join(timeout=2)
        realtime.bind_serving_loop(None)

    assert sent == [("agent.1", {"type": "a"}), ("team.2", {"type": "b"})]


def test_a_process_without_a_serving_loop_sends_on_one_loop_of_its_own(monkeypatch):
    loops = []

    class Layer:
        async def group_send(self, group, message):
            loops.append((group, asyncio.get_running_loop()))

    monkeypatch.setattr(realtime, "get_channel_layer", Layer)
    monkeypatch.setattr(realtime, "_serving_loop", None)

    def worker() -> None:
        realtime.send_all([("agent.1", {"type": "a"})])
        realtime.send_all([("team.2", {"type": "b"})])
        realtime.flush()

    # A thread of its own, as a worker's: in this one, a browser test's Playwright may have
    # left its event loop marked running.
    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(timeout=30)

    assert [group for group, _loop in loops] == ["agent.1", "team.2"]
    assert loops[0][1] is loops[1][1]


def test_a_process_without_a_serving_loop_does_not_wait_for_its_sends_and_keeps_their_order(
    monkeypatch,
):
    release = threading.Event()
    sent: list[str] = []

    class SlowLayer:
        async def group_send(self, group, message):
            await asyncio.get_running_loop().run_in_executor(None, release.wait, 5)
            sent.append(group)

    monkeypatch.setattr(realtime, "get_channel_layer", SlowLayer)
    monkeypatch.setattr(realtime, "_serving_loop", None)
    outcome: dict[str, list[str]] = {}

    def worker() -> None:
        for number in range(5):
            realtime.send_all([(f"agent.{number}", {"type": "a"})])
        outcome["before"] = list(sent)
        release.set()
        realtime.flush()
        outcome["after"] = list(sent)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(timeout=30)

    assert outcome == {"before": [], "after": [f"agent.{number}" for number in range(5)]}


def test_a_layer_that_sends_many_at_once_is_called_by_the_sender_in_one_call(monkeypatch):
    calls: list[tuple[list, threading.Thread]] = []

    class PipelinedLayer:
        def group_send_all(self, messages):
            calls.append((list(messages), threading.current_thread()))

    monkeypatch.setattr(realtime, "get_channel_layer", PipelinedLayer)
    monkeypatch.setattr(realtime, "_serving_loop", None)
    messages = [("ticket.7", {"type": "a"}), ("tickets.all", {"type": "a"})]

    def worker() -> None:
        realtime.send_all(messages)

    # A thread of its own, as a worker's: in this one, a browser test's Playwright may have
    # left its event loop marked running.
    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(timeout=30)

    # Sent when send_all returns, by the thread that changed something: nothing to flush.
    assert calls == [(messages, thread)]
