"""A smoke run of ``python -m bench``: every phase runs end to end on a tiny SQLite install.

Not a timed test: it checks the shape of the report and that nothing failed, never the rates.
The benchmark strips inherited ``OKIENKO_*`` variables, so this passes the same whether the
suite runs on SQLite or on PostgreSQL.
"""

import json
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
FILTERS = {
    "none",
    "status=open",
    "status=pending",
    "priority=urgent",
    "channel=chat",
    "assignee=<agent>",
    "assignee=none",
    "team=<team>",
    "requester=<customer>",
    "tag=<tag>",
    "tag=<rare tag>",
    "category=<category>",
    "status=open&team=<team>",
    "status=unsolved",
    "status=unsolved&assignee=<agent>",
    "page_deep",
}
TOP_LEVEL_KEYS = {
    "database",
    "tickets",
    "seed",
    "create_actions_per_s",
    "create_actions_one_process_per_s",
    "create_http_per_s",
    "ingest_email_per_s",
    "ingest_email_one_process_per_s",
    "ingest_workers",
    "ingest_outcomes",
    "http_errors",
    "list_latency_ms",
    "sla",
    "automation",
    "pages",
    "search",
    "db_size_mb",
    "server_rss_mb",
    "targets",
    "machine",
}


def test_bench_smoke_run_reports_every_measurement():
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--tickets",
            "300",
            "--actions-sample",
            "20",
            "--http-sample",
            "30",
            "--requests-per-filter",
            "3",
            "--ingest-sample",
            "40",
            "--sla-sample",
            "10",
            "--automation-sample",
            "10",
            "--search-messages-per-ticket",
            "2",
            "--search-queries",
            "20",
            "--page-rounds",
            "1",
            "--ticket-pages",
            "3",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,  # a guard against a hang, not a speed target: machines are shared
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-4000:]

    report = json.loads(completed.stdout)

    assert report.keys() >= TOP_LEVEL_KEYS
    assert report["database"] == "sqlite"
    assert report["redis"] is False
    assert report["tickets"] == 300
    assert report["seed"]["tickets_per_s"] > 0
    assert report["create_actions_per_s"] > 0
    assert report["create_actions_one_process_per_s"] > 0
    assert report["create_http_per_s"] > 0
    assert report["ingest_email_per_s"] > 0
    # Embedded: no worker processes, the one-process figure is the figure.
    assert report["ingest_workers"] == 0
    assert report["ingest_email_one_process_per_s"] == report["ingest_email_per_s"]
    assert sum(report["ingest_outcomes"].values()) == 40
    assert report["ingest_tasks_run"] > 0
    assert report["http_errors"] == {"total": 0, "create": {}, "list": {}}
    assert set(report["list_latency_ms"]) == FILTERS
    assert all(summary["p95"] > 0 for summary in report["list_latency_ms"].values())
    assert all(summary["items"] > 0 for summary in report["list_latency_ms"].values())
    assert report["db_size_mb"] > 0
    assert report["server_rss_mb"] > 0
    search = report["search"]
    assert search["messages_added"] == 2 * search["indexed_tickets"]
    assert search["queries"] == 20
    assert search["latency_ms_supervisor"]["p95"] > 0
    assert search["queries_with_hits"]["supervisor"] > 0
    sla = report["sla"]
    assert sla["clocks"] == 2 * sla["open_tickets"]
    assert sla["sweep_idle_alerts"] == 0
    assert sla["alerts"] == sla["due_clocks"]
    assert sla["alerts"]["warnings"] > 0
    assert sla["refresh_sample"] == 10
    assert sla["refresh_seeded_sample"] == 10
    assert sla["refresh_per_ticket_ms"]["p95"] > 0
    assert sla["refresh_seeded_per_ticket_ms"]["p95"] > 0
    # The sweep claims due clocks through the partial indexes, not by scanning every clock.
    assert any("clock_warning_due" in line for line in sla["claim_plans"]["warning"])
    assert any("clock_breach_due" in line for line in sla["claim_plans"]["breached"])
    # Most urgent first walks the deadline index status by status and never sorts.
    assert sla["dated_tickets"] > 0
    assert set(sla["deadline_list_ms"]) == {"first", "deep", "undated"}
    plans = sla["deadline_list_plans"]
    assert len(plans) == 4
    assert all(any("ticket_status_sla_due_id" in line for line in plan) for plan in plans)
    assert not any("TEMP B-TREE" in line for plan in plans for line in plan)
    assert "sla_sweep_s<5" in report["targets"]
    automation = report["automation"]
    assert automation["rules"] == 200
    assert sum(automation["rules_per_event"].values()) == 200
    assert automation["fields_used"] == 18
    assert automation["operators_used"] == 10
    assert automation["evaluate_us"]["p95"] > 0
    assert set(automation["events"]) == {"ticket_created", "customer_message"}
    for event in automation["events"].values():
        assert event["no_match"]["events"] == 10
        assert event["no_match"]["firings"] == 0
        assert event["no_match"]["ms"]["p95"] > 0
        # One read of the ticket's facts per event, not one per listening rule.
        assert 0 < event["no_match"]["queries"]["max"] < event["rules"]
        assert event["match"]["events"] > 0
        assert event["match"]["firings_per_event"] >= 1
    assert "automation_no_match_p95_ms<1" in report["targets"]
    for seen_by in ("agent_of_a_team", "supervisor"):
        pages = report["pages"][seen_by]
        assert set(pages) == {
            "inbox_ms",
            "inbox_by_deadline_ms",
            "inbox_with_text_ms",
            "ticket_page_ms",
        }
        assert all(times["p95"] > 0 for times in pages.values())
    assert "pages_p95_ms<100" in report["targets"]
    assert report["machine"]["cores"] >= 1
