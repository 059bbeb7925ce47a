"""The server and queue processes behind ``okienko serve``, ``web``, ``worker``, ``scheduler``."""

import ctypes
import logging
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Protocol

import uvicorn
from django.utils.module_loading import autodiscover_modules
from huey.consumer import Consumer, Scheduler
from huey.contrib.djhuey import HUEY

logger = logging.getLogger(__name__)
# A factory: each server process sets itself up (see ``asgi.serving_application``).
ASGI_APP = "okienko.asgi:serving_application"


class EmbeddedService(Protocol):
    """A long-running part of an app (an IMAP IDLE watcher) that ``okienko serve`` runs as
    threads beside the web server; ``stop`` returns once its threads have ended."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


_embedded_services: dict[str, Callable[[], EmbeddedService]] = {}


def register_embedded_service(name: str, factory: Callable[[], EmbeddedService]) -> None:
    """Let ``okienko serve`` run this service; the scaled layout runs it as its own command."""
    _embedded_services[name] = factory


def _register_tasks() -> None:
    # A consumer can only run tasks whose modules it imported: every app's tasks.py.
    autodiscover_modules("tasks")


class EmbeddedConsumer(Consumer):
    """A Huey consumer that runs as threads beside uvicorn, which owns the process signals."""

    def _set_signal_handlers(self) -> None:
        return None


# glibc's mallopt parameter for the most malloc arenas a process may have.
_M_ARENA_MAX = -8
MALLOC_ARENAS = 2


def _limit_malloc_arenas() -> None:
    """glibc gives threads that allocate at once arenas of their own, up to eight per core, and
    each keeps its freed memory. Python allocates under its GIL, so a threaded server gains
    nothing from them: two keep ``okienko serve`` ~10 MB smaller after some work."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return  # not glibc (musl, macOS): their allocators do not work this way
    libc.mallopt(_M_ARENA_MAX, MALLOC_ARENAS)


def run_embedded(*, host: str, port: int, queue_workers: int) -> None:
    """One process: uvicorn (HTTP and WebSocket) plus Huey worker threads and the scheduler."""
    _limit_malloc_arenas()
    _register_tasks()
    consumer = EmbeddedConsumer(HUEY, workers=queue_workers, worker_type="thread", periodic=True)
    consumer.start()
    services = [factory() for factory in _embedded_services.values()]
    try:
        for service in services:
            service.start()
        uvicorn.run(ASGI_APP, factory=True, host=host, port=port, lifespan="off", log_level="info")
    finally:
        for service in reversed(services):
            service.stop()
        consumer.stop(graceful=True)


def run_web(*, host: str, port: int, workers: int) -> None:
    """HTTP and WebSocket only; background work goes to separate ``worker`` processes."""
    uvicorn.run(
        ASGI_APP,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        lifespan="off",
        log_level="info",
        proxy_headers=True,
    )


def run_worker(*, workers: int) -> None:
    """Execute queued tasks; periodic tasks are enqueued by the single ``scheduler``."""
    _limit_malloc_arenas()
    _register_tasks()
    Consumer(HUEY, workers=workers, worker_type="thread", periodic=False).run()


def run_scheduler() -> None:
    """Enqueue due scheduled and periodic tasks; run exactly one of these per installation."""
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    _register_tasks()
    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    scheduler = Scheduler(HUEY, stop, interval=1, periodic=True)
    logger.info("scheduler started")
    while not stop.is_set():
        scheduler.loop()
    logger.info("scheduler stopped")
