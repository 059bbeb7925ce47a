"""A smoke run of ``python -m bench chat``: a few widgets and messages on a tiny install.

Not a timed test: it checks that every connection opened, every message was answered and that
the report has its measurements, never the figures themselves.
"""

import json
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_bench_chat_smoke_run_opens_every_connection_and_answers_every_message():
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "chat",
            "--connections",
            "30",
            "--active",
            "2",
            "--rounds",
            "2",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr[-3000:]
    report = json.loads(completed.stdout)
    assert (report["connections_open"], report["connections_failed"]) == (30, 0)
    assert report["connections_still_open_after_messages"] == 30
    assert (report["messages"], report["messages_refused_or_unanswered"]) == (4, 0)
    assert report["visitor_to_agent_ms"]["count"] == 4
    assert report["ack_ms"]["count"] == 4
    assert report["widget_gzip_bytes"] < report["widget_bytes"]
    assert set(report["targets"]) == {
        "connections>=5000",
        "visitor_to_agent_p99_ms<50",
        "widget_gzip_bytes<40960",
    }
