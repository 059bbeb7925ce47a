"""Garbage collection in a server process: full collections on a timer, not by count.

CPython's cyclic collector runs a full collection (over every tracked object) each time the
objects that outlived the younger collections grew by a quarter. A server process holding
5,000 chat widgets tracks some 900,000 objects (about 160 per connection: its protocol, consumer,
queues, tasks), and one full collection of them took 0.8 s of CPU (``bench chat``), all of it
with the event loop stopped: every message in flight waited as long. Opening the 5,000
connections ran fifteen of them, and a steady turnover of widgets runs one per ~1,400 new
connections.

So a server process leaves full collections to a timer. The younger generations are collected
as before (most garbage cycles die young); the cycles that lived long are reclaimed by a full
collection every ``FULL_COLLECTION_EVERY_SECONDS``. What exists once the application is loaded
(modules, settings, URL patterns) lasts as long as the process: it is frozen out of every
collection.
"""

import gc
import threading

FULL_COLLECTION_EVERY_SECONDS = 300
# Full collections by count need this many collections of the middle generation: never.
NO_FULL_COLLECTION_BY_COUNT = 1_000_000_000

_timer: threading.Thread | None = None
_timer_lock = threading.Lock()


def collect_on_a_timer() -> None:
    """Switch this process to full collections on a timer (once; later calls do nothing)."""
    global _timer  # noqa: PLW0603 - one timer per process
    with _timer_lock:
        if _timer is not None:
            return
        gc.freeze()
        young, middle, _full = gc.get_threshold()
        gc.set_threshold(young, middle, NO_FULL_COLLECTION_BY_COUNT)
        _timer = threading.Thread(target=_collect_fully, name="full-gc", daemon=True)
        _timer.start()


def _collect_fully() -> None:
    stop = threading.Event()  # never set: the thread ends with the process
    while not stop.wait(FULL_COLLECTION_EVERY_SECONDS):
        gc.collect()
