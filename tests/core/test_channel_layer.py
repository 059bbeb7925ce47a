"""The channel layers. The embedded one delivers like Channels' in-memory layer, and still drops
expired messages, looking for them (when a consumer receives) at most once a second. The scaled
one (Redis) keeps receiving through quiet spells longer than redis-py's read timeout, and delivers
messages sent together in one round trip as it delivers each one sent alone."""

import asyncio
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from channels.layers import get_channel_layer

from okienko.core.channel_layer import ThrottledInMemoryChannelLayer


def test_messages_arrive_and_expired_ones_are_dropped_on_a_later_look():
    async def scenario():
        layer = ThrottledInMemoryChannelLayer(expiry=0.5)
        await layer.send("widget.a", {"type": "chat.message", "text": "hej"})
        received = await layer.receive("widget.a")
        await layer.send("widget.b", {"type": "chat.message", "text": "nikt nie odbierze"})
        await layer.send("widget.c", {"type": "chat.message", "text": "za chwilę"})
        await asyncio.sleep(0.6)
        # Expired, but looked for less than a second ago: still there.
        await layer.send("widget.d", {"type": "chat.message", "text": "teraz"})
        await layer.receive("widget.d")
        before = set(layer.channels)
        await asyncio.sleep(0.5)
        await layer.send("widget.e", {"type": "chat.message", "text": "później"})
        await layer.receive("widget.e")
        return received, before, set(layer.channels)

    # A loop of its own thread: the browser tests of the same session hold the main one.
    with ThreadPoolExecutor(max_workers=1) as executor:
        received, before, after = executor.submit(asyncio.run, scenario()).result()

    assert received == {"type": "chat.message", "text": "hej"}
    assert before == {"widget.b", "widget.c"}
    assert after == set()


# redis-py 8 gives up on a read after 5 s by default.
REDIS_READ_TIMEOUT_SECONDS = 5


@pytest.mark.redis
def test_a_quiet_redis_layer_keeps_receiving_after_a_long_silence():
    # A process whose consumers hear nothing for a while (thousands of widgets connecting, a
    # night without chats) must still hear the next message, and its waiting consumer must not
    # fail: the list-based layer's 5 s blocking pop ran into redis-py's 5 s read timeout, and
    # each empty pop closed a WebSocket.
    async def scenario():
        layer = get_channel_layer()
        channel = await layer.new_channel()
        receiving = asyncio.create_task(layer.receive(channel))
        await layer.group_add("tickets.all", channel)
        await asyncio.sleep(REDIS_READ_TIMEOUT_SECONDS + 1.5)
        failed_while_quiet = receiving.done()
        await layer.group_send("tickets.all", {"type": "tickets.changed", "ticket_ids": [7]})
        try:
            return failed_while_quiet, await asyncio.wait_for(receiving, timeout=5)
        finally:
            await layer.group_discard("tickets.all", channel)
            await layer.flush()

    with ThreadPoolExecutor(max_workers=1) as executor:
        failed_while_quiet, received = executor.submit(asyncio.run, scenario()).result()

    assert failed_while_quiet is False
    assert received == {"type": "tickets.changed", "ticket_ids": [7]}


@pytest.mark.redis
def test_messages_sent_together_reach_the_group_members_as_group_send_would():
    # What a change sends together goes in one round trip; a consumer subscribed
    # through the layer hears each message of its own groups, in order, and nothing else.
    layer = get_channel_layer()

    async def scenario():
        channel = await layer.new_channel()
        await layer.group_add("team.7", channel)
        try:
            await asyncio.to_thread(
                layer.group_send_all,
                [
                    ("team.7", {"type": "tickets.changed", "ticket_ids": [1]}),
                    ("team.8", {"type": "tickets.changed", "ticket_ids": [2]}),
                    ("team.7", {"type": "tickets.changed", "ticket_ids": [3]}),
                ],
            )
            await layer.group_send("team.7", {"type": "tickets.changed", "ticket_ids": [4]})
            return [await asyncio.wait_for(layer.receive(channel), timeout=5) for _ in range(3)]
        finally:
            await layer.group_discard("team.7", channel)
            await layer.flush()

    with ThreadPoolExecutor(max_workers=1) as executor:
        received = executor.submit(asyncio.run, scenario()).result()

    assert [message["ticket_ids"] for message in received] == [[1], [3], [4]]


@pytest.mark.redis
def test_a_redis_that_stops_answering_costs_the_sender_seconds_not_a_hang():
    # Imported here: without Redis configured, the Redis client is not importable.
    import redis

    from okienko.core.redis_channel_layer import (
        BLOCKING_SEND_TIMEOUT_SECONDS,
        PipelinedRedisPubSubChannelLayer,
    )

    # Accepts the connection, reads, never answers: as a Redis hung under load.
    silent = socket.create_server(("127.0.0.1", 0))
    port = silent.getsockname()[1]
    layer = PipelinedRedisPubSubChannelLayer(hosts=[f"redis://127.0.0.1:{port}/0"])
    started = time.monotonic()
    try:
        with pytest.raises(redis.exceptions.TimeoutError):
            layer.group_send_all([("team.7", {"type": "tickets.changed", "ticket_ids": [1]})])
    finally:
        silent.close()

    assert time.monotonic() - started < BLOCKING_SEND_TIMEOUT_SECONDS * 3
