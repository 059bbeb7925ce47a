"""The scaled mode's channel layer: Redis pub/sub, able to send many group messages in one
round trip."""

import threading
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import redis
from channels_redis.pubsub import RedisPubSubChannelLayer
from channels_redis.utils import _consistent_hash, decode_hosts

BLOCKING_SEND_TIMEOUT_SECONDS = 2


class PipelinedRedisPubSubChannelLayer(RedisPubSubChannelLayer):
    """Channels' Redis pub/sub layer with ``group_send_all``: many group messages in one round
    trip per Redis host, for sync code, which waits for it (``realtime.send_all``). A new
    ticket tells three groups; a ``group_send`` each, on asyncio Redis, cost more Python than
    the ticket's own inserts."""

    def __init__(self, hosts: Any = None, prefix: str = "asgi", **kwargs: Any) -> None:
        super().__init__(hosts=hosts, prefix=prefix, **kwargs)
        self._hosts = decode_hosts(hosts)
        self._prefix = prefix
        self._clients: list[redis.Redis] | None = None
        self._clients_lock = threading.Lock()

    def _blocking_clients(self) -> list[redis.Redis]:
        # One client per host with a pool of its own (which reconnects in a forked child).
        # The thread that changed something waits for the send: a Redis that stops answering
        # must cost it seconds, not hang it (the message is logged as lost).
        with self._clients_lock:
            if self._clients is None:
                self._clients = [
                    redis.Redis.from_url(
                        host["address"],
                        socket_timeout=BLOCKING_SEND_TIMEOUT_SECONDS,
                        socket_connect_timeout=BLOCKING_SEND_TIMEOUT_SECONDS,
                    )
                    for host in self._hosts
                ]
            return self._clients

    def group_send_all(self, messages: Sequence[tuple[str, dict[str, Any]]]) -> None:
        """``group_send`` of each (group, message), in order; blocks for the round trips.
        Published where ``group_send`` publishes: the same channel names, host and encoding."""
        clients = self._blocking_clients()
        by_host: dict[int, list[tuple[str, bytes]]] = defaultdict(list)
        for group, message in messages:
            channel = f"{self._prefix}__group__{group}"
            by_host[_consistent_hash(channel, len(clients))].append(
                (channel, self.serialize(message))
            )
        for host, published in by_host.items():
            pipeline = clients[host].pipeline(transaction=False)
            for channel, payload in published:
                pipeline.publish(channel, payload)
            pipeline.execute()
