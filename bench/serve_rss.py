"""``python -m bench serve-rss``: memory of the embedded server with the demo loaded.

Starts ``okienko serve`` (one process: uvicorn with the Huey consumer threads and the scheduler
inside) on a fresh SQLite install, loads the demo data, sends some list and create requests and
reports the resident memory of the server and any children. Target: under 300 MB.
"""

import argparse
import json
import sys
from typing import Any

import httpx

from bench.environment import BenchEnvironment
from bench.http import PAGE_SIZE, TICKETS_PATH, create_tickets, warm_up
from bench.processes import BenchError, Server, create_admin_token, run_okienko
from bench.progress import log
from bench.report import TARGET_SERVE_RSS_MB, latency_summary, load_average, machine

LIST_QUERIES = (
    "",
    "status=open",
    "status=pending",
    "priority=urgent",
    "channel=chat",
    "assignee=none",
)


def _load_demo(env: dict[str, str]) -> tuple[bool, str]:
    """Run ``okienko demo``; report whether the demo data is loaded, and why not."""
    try:
        run_okienko(["demo"], env)
    except BenchError as error:
        detail = str(error)
        if "Unknown command" in detail:
            return False, "okienko demo does not exist yet; measured without the demo data"
        raise
    return True, ""


def measure(requests: int, creates: int) -> dict[str, Any]:
    """Start ``okienko serve`` with the demo loaded, exercise it and measure its RSS."""
    bench_env = BenchEnvironment(database="sqlite")
    load_at_start = load_average()
    try:
        bench_env.prepare()
        env = bench_env.env()
        run_okienko(["migrate", "--no-input"], env)
        log("serve-rss: loading the demo")
        demo_loaded, note = _load_demo(env)
        if note:
            log(f"serve-rss: {note}")
        with Server(["serve"], env, bench_env.var_dir / "server.log") as server:
            token = create_admin_token(env)
            server.wait_ready()
            idle_mb, _ = server.rss_mb()
            warm_up(server.base_url, token, concurrency=4)
            created = create_tickets(
                server.base_url, token, count=creates, concurrency=4, existing_emails=[]
            )
            latencies: list[float] = []
            headers = {"Authorization": f"Bearer {token}"}
            with httpx.Client(base_url=server.base_url, headers=headers, timeout=60) as client:
                for number in range(requests):
                    query = LIST_QUERIES[number % len(LIST_QUERIES)]
                    response = client.get(f"{TICKETS_PATH}?{query}&limit={PAGE_SIZE}")
                    if response.status_code != httpx.codes.OK:
                        raise BenchError(f"GET ?{query} -> {response.status_code}")
                    latencies.append(response.elapsed.total_seconds() * 1000)
            rss_mb, processes = server.rss_mb()
        log(f"serve-rss: {rss_mb} MB in {processes} processes (idle {idle_mb} MB)")
        report: dict[str, Any] = {
            "command": "okienko serve",
            "demo_loaded": demo_loaded,
            "server_rss_mb": rss_mb,
            "server_rss_idle_mb": idle_mb,
            "server_processes": processes,
            "requests": requests + creates,
            "create_errors": created.errors,
            "list_latency_ms": latency_summary(latencies),
            "targets": {f"server_rss_mb<{TARGET_SERVE_RSS_MB}": rss_mb < TARGET_SERVE_RSS_MB},
            "machine": machine(bench_env.server_version(), load_at_start=load_at_start),
        }
        if note:
            report["note"] = note
        return report
    finally:
        bench_env.cleanup()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench serve-rss", description=__doc__)
    parser.add_argument("--requests", type=int, default=300, help="list requests to send")
    parser.add_argument("--creates", type=int, default=100, help="tickets to create over HTTP")
    options = parser.parse_args(argv)
    try:
        report = measure(options.requests, options.creates)
    except BenchError as error:
        log(f"failed: {error}")
        return 1
    sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    return 0
