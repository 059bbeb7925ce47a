"""Start Okienko's own processes from tests, against the test database and queue."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from django.conf import settings
from django.db import connection


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def process_environment() -> dict[str, str]:
    """The environment of this test process, pointed at the test database."""
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{database['NAME']}"
    else:
        url = (
            f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:"
            f"{database['PORT']}/{database['NAME']}"
        )
    return {
        **os.environ,
        "OKIENKO_DATABASE_URL": url,
        "OKIENKO_VAR_DIR": str(settings.VAR_DIR),
        "OKIENKO_SECRET_KEY": settings.SECRET_KEY,
    }


@contextmanager
def okienko_process(*arguments: str, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``okienko <arguments>`` until the block ends, its output kept in ``log``."""
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603  (our own command, fixed arguments)
            [sys.executable, "-m", "okienko", *arguments],
            env=process_environment(),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_for_http(url: str, *, seconds: float = 90) -> httpx.Response:
    # Generous: on a busy 2-core machine two worker processes took over 30 s to boot Django.
    deadline = time.monotonic() + seconds
    while True:
        try:
            return httpx.get(url, timeout=2)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
