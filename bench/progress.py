"""Progress lines on stderr, so that stdout carries only JSON."""

import sys
import time

_STARTED = time.monotonic()


def log(message: str) -> None:
    """Print ``message`` to stderr, prefixed with the seconds since the benchmark started."""
    print(f"[bench {time.monotonic() - _STARTED:7.1f}s] {message}", file=sys.stderr, flush=True)
