"""The embedded mode's channel layer: in memory, cleaned at most once a second (the scaled
mode's Redis layer is in ``redis_channel_layer``, so that an install without Redis never imports
the Redis client).

Channels' ``InMemoryChannelLayer`` walks every channel and group for expired messages on every
send and receive. With thousands of chat widgets connected to one process (each consumer has a
channel), that walk costs more than the message itself; messages expire after a minute, so
looking once a second keeps the same guarantees.
"""

import time

from channels.layers import InMemoryChannelLayer

CLEAN_EVERY_SECONDS = 1.0


class ThrottledInMemoryChannelLayer(InMemoryChannelLayer):
    _cleaned_at = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._cleaned_at < CLEAN_EVERY_SECONDS:
            return
        self._cleaned_at = now
        super()._clean_expired()
