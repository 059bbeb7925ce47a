"""``python -m bench``: seed a throw-away install and print one JSON object of measurements.

    python -m bench [--tickets N] [--database sqlite|postgres] [--redis-url URL]
                    [--actions-sample 2000]
                    [--http-sample 3000] [--http-concurrency 16] [--requests-per-filter 200]
                    [--workers 2] [--sla-sample 500] [--automation-sample 500]
                    [--search-messages-per-ticket 4] [--search-queries 300] [--keep]
    python -m bench serve-rss [--requests 200]
    python -m bench chat [--connections 5000] [--active 20] [--rounds 25] [--database postgres]

Phases: migrate, seed (bulk inserts), actions (``do_create_ticket`` in one process, then in
``--workers`` processes at once), ingest (the e-mail pipeline in one process, then, with Redis,
in ``--workers`` ``okienko worker`` processes), http (``okienko web`` with ``--workers``
processes: creation under concurrency, list latency per filter, server RSS), sla (an SLA
policy, clocks on every open ticket, the sweep and the replay), automation (200 active
triggers: their evaluation and ``do_run_triggers`` per event), search (more messages per
ticket, the index rebuilt, p50/p95 of one- to three-word Polish queries), size.
"""

import argparse
import json
import signal
import sys
import time
from types import FrameType
from typing import Any

from bench.automation import automation_targets
from bench.environment import DEFAULT_POSTGRES_URL, BenchEnvironment
from bench.http import DEEP_PAGES, create_tickets, list_latency, warm_up
from bench.processes import BenchError, Server, create_admin_token, run_okienko, run_phase
from bench.progress import log
from bench.report import latency_summary, load_average, machine, targets


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--tickets", type=int, default=100_000, help="tickets to seed")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--postgres-url",
        default=DEFAULT_POSTGRES_URL,
        help="the bench database (dropped and created again); default %(default)s",
    )
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/0",
        help="with PostgreSQL, Redis for the queue, the channel layer and the cache (the scaled "
        "layout); empty: none. Default %(default)s",
    )
    parser.add_argument(
        "--actions-sample",
        type=int,
        default=2000,
        help="tickets created through do_create_ticket, by one process and then by --workers "
        "processes at once",
    )
    parser.add_argument(
        "--http-sample", type=int, default=3000, help="tickets created through POST /api/v1/tickets"
    )
    parser.add_argument(
        "--ingest-sample", type=int, default=2000, help="e-mails ingested through the pipeline"
    )
    parser.add_argument(
        "--sla-sample",
        type=int,
        default=500,
        help="tickets replayed by do_refresh_ticket_sla (created through actions, and as many "
        "seeded)",
    )
    parser.add_argument(
        "--automation-sample",
        type=int,
        default=500,
        help="events run through do_run_triggers per event kind, with and without a match",
    )
    parser.add_argument(
        "--search-messages-per-ticket",
        type=int,
        default=4,
        help="messages added to every ticket before the search index is rebuilt",
    )
    parser.add_argument(
        "--search-queries", type=int, default=300, help="queries timed per kind of searcher"
    )
    parser.add_argument(
        "--page-rounds", type=int, default=10, help="requests of each inbox view (phase pages)"
    )
    parser.add_argument(
        "--ticket-pages", type=int, default=100, help="ticket pages requested (phase pages)"
    )
    parser.add_argument("--http-concurrency", type=int, default=16)
    parser.add_argument("--requests-per-filter", type=int, default=200)
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="okienko web worker processes, processes creating in the actions phase and, with "
        "Redis, okienko worker processes of the ingest phase",
    )
    parser.add_argument("--random-seed", type=int, default=42)
    parser.add_argument(
        "--settings",
        default="okienko.settings",
        help="Django settings module for every phase and the server, to try a configuration "
        "change (it must be importable, e.g. through PYTHONPATH)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the var dir and the bench database afterwards"
    )
    return parser


def _http_phase(
    options: argparse.Namespace, bench_env: BenchEnvironment, catalogue: dict[str, Any]
) -> dict[str, Any]:
    env = bench_env.env()
    server_args = ["web", "--workers", str(options.workers)]
    with Server(server_args, env, bench_env.var_dir / "server.log") as server:
        # Nothing is timed yet: create the token while the workers start.
        token = create_admin_token(env)
        server.wait_ready()
        warm_up(server.base_url, token, concurrency=options.http_concurrency)
        server_cpu, client_cpu = server.cpu_seconds(), time.process_time()
        created = create_tickets(
            server.base_url,
            token,
            count=options.http_sample,
            concurrency=options.http_concurrency,
            existing_emails=catalogue["customer_emails"],
        )
        create_cpu = server.cpu_seconds() - server_cpu, time.process_time() - client_cpu
        server_cpu, client_cpu = server.cpu_seconds(), time.process_time()
        latencies, list_errors = list_latency(
            server.base_url, token, catalogue, requests=options.requests_per_filter
        )
        list_requests = options.requests_per_filter * (len(latencies) - 1 + DEEP_PAGES)
        list_cpu = server.cpu_seconds() - server_cpu, time.process_time() - client_cpu
        rss_mb, processes = server.rss_mb()
        log(f"http: server RSS {rss_mb} MB in {processes} processes")
        if created.errors or list_errors:
            for traceback in server.errors():
                log(f"http: server error:\n{traceback}")
    create_errors = created.errors
    return {
        "create_http_per_s": round(created.created / created.seconds, 1) if created.seconds else 0,
        "create_http_latency_ms": latency_summary(created.latencies_ms),
        "http_errors": {
            "total": sum(create_errors.values()) + sum(list_errors.values()),
            "create": create_errors,
            "list": list_errors,
        },
        "list_latency_ms": latencies,
        "server_rss_mb": rss_mb,
        "server_processes": processes,
        # CPU per request does not depend on how busy the machine was, unlike the rates.
        "cpu_ms_per_request": {
            "create_server": _per_request_ms(create_cpu[0], options.http_sample),
            "create_load_generator": _per_request_ms(create_cpu[1], options.http_sample),
            "list_server": _per_request_ms(list_cpu[0], list_requests),
            "list_load_generator": _per_request_ms(list_cpu[1], list_requests),
        },
    }


def _per_request_ms(seconds: float, requests: int) -> float:
    return round(seconds * 1000 / requests, 2) if requests else 0.0


def run_benchmark(options: argparse.Namespace) -> dict[str, Any]:
    """Run every phase against a fresh install and return the report."""
    bench_env = BenchEnvironment(
        database=options.database,
        postgres_url=options.postgres_url,
        redis_url=options.redis_url,
        keep=options.keep,
        settings_module=options.settings,
    )
    started = time.monotonic()
    load_at_start = load_average()
    try:
        bench_env.prepare()
        env = bench_env.env()
        log("migrate")
        run_okienko(["migrate", "--no-input"], env)
        log(f"seed: {options.tickets} tickets")
        seeded = run_phase(
            "seed",
            ["--tickets", str(options.tickets), "--random-seed", str(options.random_seed)],
            env,
        )
        catalogue = seeded.pop("catalogue")
        one_process = run_phase(
            "actions", ["--count", str(options.actions_sample), "--processes", "1"], env
        )
        # The sustained rate: as many creating processes as the server has workers.
        actions = run_phase(
            "actions",
            ["--count", str(options.actions_sample), "--processes", str(options.workers)],
            env,
        )
        ingested_one_process = run_phase("ingest", ["--count", str(options.ingest_sample)], env)
        # The scaled layout (PostgreSQL, Redis): as many ``okienko worker`` processes as the
        # server has web workers, as for the actions. Embedded, the server's own threads.
        ingested = (
            run_phase(
                "ingest",
                ["--count", str(options.ingest_sample), "--workers", str(options.workers)],
                env,
            )
            if env.get("OKIENKO_REDIS_URL")
            else ingested_one_process
        )
        http = _http_phase(options, bench_env, catalogue)
        # After the HTTP phase: with a policy in place every created ticket also gets its clocks.
        sla = run_phase(
            "sla",
            ["--sample", str(options.sla_sample), "--random-seed", str(options.random_seed)],
            env,
        )
        automation = run_phase(
            "automation",
            [
                "--sample",
                str(options.automation_sample),
                "--random-seed",
                str(options.random_seed),
            ],
            env,
        )
        pages = run_phase(
            "pages",
            [
                "--rounds",
                str(options.page_rounds),
                "--tickets",
                str(options.ticket_pages),
                "--random-seed",
                str(options.random_seed),
            ],
            env,
        )
        search = run_phase(
            "search",
            [
                "--messages-per-ticket",
                str(options.search_messages_per_ticket),
                "--queries",
                str(options.search_queries),
                "--random-seed",
                str(options.random_seed),
            ],
            env,
        )
        db_size_mb = bench_env.size_mb()
        report: dict[str, Any] = {
            "database": options.database,
            "redis": bool(bench_env.env().get("OKIENKO_REDIS_URL")),
            "tickets": options.tickets,
            "seed": seeded,
            "create_actions_per_s": actions["tickets_per_s"],
            "create_actions_one_process_per_s": one_process["tickets_per_s"],
            "create_http_per_s": http.pop("create_http_per_s"),
            "ingest_email_per_s": ingested["messages_per_s"],
            "ingest_email_one_process_per_s": ingested_one_process["messages_per_s"],
            "ingest_workers": ingested.get("workers", 0),
            "ingest_outcomes": ingested["outcomes"],
            # The search indexing the batches queued, run inside the timed window.
            "ingest_tasks_run": ingested["tasks"],
            "http_errors": http.pop("http_errors"),
            "list_latency_ms": http.pop("list_latency_ms"),
            "sla": sla,
            "automation": automation,
            "pages": pages,
            "search": search,
            "db_size_mb": db_size_mb,
            "server_rss_mb": http.pop("server_rss_mb"),
            "cpu_ms_per_request": {
                "create_actions": actions["cpu_ms_per_ticket"],
                # The PostgreSQL server's share (null on SQLite, where it is in the line above).
                "create_actions_database": actions["database_cpu_ms_per_ticket"],
                "ingest_email": ingested["cpu_ms_per_message"],
                "ingest_email_database": ingested["database_cpu_ms_per_message"],
                **http.pop("cpu_ms_per_request"),
            },
            **http,
            "parameters": {
                "actions_sample": options.actions_sample,
                "http_sample": options.http_sample,
                "ingest_sample": options.ingest_sample,
                "sla_sample": options.sla_sample,
                "automation_sample": options.automation_sample,
                "search_messages_per_ticket": options.search_messages_per_ticket,
                "search_queries": options.search_queries,
                "page_rounds": options.page_rounds,
                "ticket_pages": options.ticket_pages,
                "http_concurrency": options.http_concurrency,
                "requests_per_filter": options.requests_per_filter,
                "workers": options.workers,
                "settings": options.settings,
            },
            "machine": machine(bench_env.server_version(), load_at_start=load_at_start),
            "seconds": round(time.monotonic() - started, 1),
        }
        report["targets"] = {**targets(report), **automation_targets(automation)}
        return report
    finally:
        bench_env.cleanup()


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    # SystemExit unwinds the finally blocks: the server's process group is stopped and the
    # temporary directory and bench database are removed, as on Ctrl-C.
    sys.exit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    arguments = sys.argv[1:] if argv is None else argv
    if arguments[:1] == ["chat"]:
        from bench.chat import main as chat_main

        return chat_main(arguments[1:])
    if arguments[:1] == ["serve-rss"]:
        from bench.serve_rss import main as serve_rss_main

        return serve_rss_main(arguments[1:])
    options = _parser().parse_args(arguments)
    try:
        report = run_benchmark(options)
    except BenchError as error:
        log(f"failed: {error}")
        return 1
    sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
