import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from okienko.accounts.selectors import active_token
from okienko.api.models import IdempotencyRecord
from okienko.api.tasks import purge_expired_idempotency_records
from okienko.testing.factories import make_agent
from okienko.testing.processes import (
    free_port,
    okienko_process,
    process_environment,
    wait_for_http,
)


def _old_record() -> IdempotencyRecord:
    record = IdempotencyRecord.objects.create(
        agent=make_agent(), key="old", fingerprint="f" * 64, status_code=201, body={}
    )
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        created_at=timezone.now() - timedelta(days=3)
    )
    return record


def _wait_until_gone(record: IdempotencyRecord, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not IdempotencyRecord.objects.filter(pk=record.pk).exists():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_serve_answers_http_and_runs_queued_tasks_in_the_same_process(tmp_path):
    record = _old_record()
    purge_expired_idempotency_records()
    port = free_port()

    with okienko_process("serve", "--port", str(port), log=tmp_path / "serve.log"):
        docs = wait_for_http(f"http://127.0.0.1:{port}/api/v1/openapi.json")
        purged = _wait_until_gone(record)

    assert docs.status_code == 200
    assert purged, (tmp_path / "serve.log").read_text()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_scaled_worker_runs_tasks_queued_in_redis(tmp_path):
    record = _old_record()
    purge_expired_idempotency_records()

    with okienko_process("worker", "--workers", "1", log=tmp_path / "worker.log"):
        purged = _wait_until_gone(record)

    assert purged, (tmp_path / "worker.log").read_text()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_scaled_web_serves_the_api_from_worker_processes(tmp_path):
    port = free_port()

    with okienko_process("web", "--port", str(port), "--workers", "2", log=tmp_path / "web.log"):
        response = wait_for_http(f"http://127.0.0.1:{port}/api/v1/tickets")

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.real_password_hashing
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_createagent_and_token_create_print_a_working_token():
    def okienko(*arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603
            [sys.executable, "-m", "okienko", *arguments],
            env=process_environment(),
            capture_output=True,
            text=True,
            check=False,
        )

    created = okienko(
        "createagent",
        "--email",
        "Ewa@Sklep.pl",
        "--password",
        "dlugie-haslo-1",
        "--role",
        "supervisor",
        "--name",
        "Ewa Lis",
    )
    token = okienko("token", "create", "--agent", "ewa@sklep.pl")
    unknown = okienko("token", "create", "--agent", "nobody@example.pl")

    assert created.returncode == 0, created.stderr
    assert token.returncode == 0, token.stderr
    agent = active_token(token.stdout.strip().splitlines()[-1]).agent
    assert (agent.email, agent.role, agent.name) == ("ewa@sklep.pl", "supervisor", "Ewa Lis")
    assert agent.check_password("dlugie-haslo-1")
    assert unknown.returncode == 1
    assert "No active agent with e-mail nobody@example.pl" in unknown.stderr
