"""A per-process copy of settings that change rarely and are read on every event (automation
rules, SLA policies), loaded whole and loaded again when their version changes.

The version is read at most once per ``recheck_seconds``, so a burst of events (a sweep raising
thousands of alerts, a batch of e-mails) costs no query each. A change made in another process
shows within that time; one made in this process shows at once through ``forget_on_change``.
"""

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from django.db import transaction

Value = TypeVar("Value")


class ReloadedOnChange(Generic[Value]):
    def __init__(
        self,
        *,
        version: Callable[[], object],
        load: Callable[[], Value],
        recheck_seconds: float = 1.0,
    ) -> None:
        self._read_version = version
        self._load = load
        self._recheck_seconds = recheck_seconds
        self._lock = threading.Lock()
        self._loaded: tuple[object, Value] | None = None
        self._checked_at = 0.0

    def get(self) -> Value:
        with self._lock:
            loaded = self._loaded
            if loaded and time.monotonic() - self._checked_at < self._recheck_seconds:
                return loaded[1]
        version = self._read_version()
        if loaded is None or version != loaded[0]:
            loaded = (version, self._load())
        with self._lock:
            self._loaded, self._checked_at = loaded, time.monotonic()
        return loaded[1]

    def forget(self) -> None:
        """Load afresh on the next read."""
        with self._lock:
            self._loaded = None

    def forget_on_change(self) -> None:
        """The settings are being changed in this transaction: forget them now, for this
        transaction's own reads, and again after the commit, for this process's others."""
        self.forget()
        transaction.on_commit(self.forget)
