"""Subprocesses of a benchmark: Django phases, ``okienko`` commands and the server under test."""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import httpx
import psutil

from bench.progress import log

REPO_ROOT = Path(__file__).resolve().parent.parent
MEGABYTE = 1024 * 1024


class BenchError(RuntimeError):
    """A phase, a command or the server failed; the benchmark cannot go on."""


def run_phase(phase: str, args: Sequence[str], env: dict[str, str]) -> dict[str, Any]:
    """Run ``python -m bench.<phase> args`` and return the JSON it printed last on stdout.

    The phase's stderr (its progress) goes straight to ours.
    """
    command = [sys.executable, "-m", f"bench.{phase}", *args]
    completed = subprocess.run(
        command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, text=True, check=False
    )
    if completed.returncode != 0:
        raise BenchError(f"phase {phase} exited with {completed.returncode}")
    lines = [line for line in completed.stdout.splitlines() if line.strip()]
    if not lines:
        raise BenchError(f"phase {phase} printed nothing")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def run_okienko(args: Sequence[str], env: dict[str, str], *, timeout: float = 600) -> str:
    """Run ``python -m okienko args`` and return its stdout; fail with its output on error."""
    command = [sys.executable, "-m", "okienko", *args]
    completed = subprocess.run(
        command,
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if completed.returncode != 0:
        raise BenchError(
            f"okienko {' '.join(args)} exited with {completed.returncode}:\n"
            f"{completed.stdout[-2000:]}\n{completed.stderr[-4000:]}"
        )
    return completed.stdout


def create_admin_token(env: dict[str, str], *, email: str = "bench@okienko.local") -> str:
    """Create an admin agent and an API token through the CLI; return the token."""
    run_okienko(
        [
            "createagent",
            "--email",
            email,
            "--password",
            "bench-pass-123",
            "--role",
            "admin",
            "--name",
            "Bench",
        ],
        env,
    )
    output = run_okienko(["token", "create", "--agent", email], env)
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    if not lines:
        raise BenchError("okienko token create printed no token")
    return lines[-1]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Server:
    """The server under test, in its own process group so that stopping it stops its workers.

    Use as a context manager: the server is stopped (SIGTERM, then SIGKILL) on leaving, also
    when the benchmark fails.
    """

    def __init__(self, args: Sequence[str], env: dict[str, str], log_path: Path) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._command = [
            sys.executable,
            "-m",
            "okienko",
            *args,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
        ]
        self._env = env
        self._log_path = log_path
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Self:
        log(f"starting server: {' '.join(self._command[2:])}")
        with self._log_path.open("wb") as log_file:
            self._process = subprocess.Popen(
                self._command,
                cwd=REPO_ROOT,
                env=self._env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def pid(self) -> int:
        if self._process is None:
            raise BenchError("server not started")
        return self._process.pid

    def log_tail(self, characters: int = 4000) -> str:
        """The end of the server's output, for error messages."""
        try:
            return self._log_path.read_text(errors="replace")[-characters:]
        except OSError:
            return ""

    def errors(self, limit: int = 3) -> list[str]:
        """The first ``limit`` tracebacks in the server's output, to explain failed requests."""
        text = self.log_tail(characters=10_000_000)
        blocks = []
        for block in text.split("Traceback (most recent call last):")[1 : limit + 1]:
            lines = block.strip().splitlines()
            blocks.append("Traceback (most recent call last):\n" + "\n".join(lines[-25:]))
        return blocks

    def wait_ready(self, *, timeout: float = 90) -> None:
        """Wait until ``GET /api/v1/openapi.json`` answers 200, or fail with the server's log."""
        deadline = time.monotonic() + timeout
        url = f"{self.base_url}/api/v1/openapi.json"
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise BenchError(
                    f"server exited with {self._process.returncode}:\n{self.log_tail()}"
                )
            try:
                if httpx.get(url, timeout=5).status_code == httpx.codes.OK:
                    log(f"server ready on {self.base_url}")
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise BenchError(f"server not ready after {timeout:.0f}s:\n{self.log_tail()}")

    def rss_mb(self) -> tuple[float, int]:
        """Resident memory of the server and all its children in MB, and how many processes."""
        root = psutil.Process(self.pid)
        total = 0
        processes = [root, *root.children(recursive=True)]
        for process in processes:
            try:
                total += process.memory_info().rss
            except psutil.Error:
                continue
        return round(total / MEGABYTE, 1), len(processes)

    def cpu_seconds(self) -> float:
        """CPU time (user and system) the server and its children have used so far."""
        root = psutil.Process(self.pid)
        total = 0.0
        for process in [root, *root.children(recursive=True)]:
            try:
                times = process.cpu_times()
            except psutil.Error:
                continue
            total += times.user + times.system
        return total

    def stop(self) -> None:
        """Stop the whole process group: SIGTERM, then SIGKILL after ten seconds."""
        process, self._process = self._process, None
        if process is None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            log("server did not stop in 10 s; killing it")
        # Workers can outlive their parent; make sure nothing of the group is left.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
