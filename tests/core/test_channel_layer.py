"""The embedded channel layer: delivers like Channels' in-memory layer, and still drops expired
messages, looking for them (when a consumer receives) at most once a second."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

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
