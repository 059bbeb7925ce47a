"""``Idempotency-Key`` support for create endpoints: a retried request gets the first response.

The create and the remembered response commit in one transaction, so a retry either finds the
response or finds nothing was created. Two concurrent requests with one key: the second one's
insert hits the unique constraint, its work is rolled back, and it replays the first response.
"""

import hashlib
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse

from okienko.accounts.models import Agent
from okienko.api.actions import do_remember_response
from okienko.api.models import IdempotencyRecord
from okienko.api.selectors import idempotency_record
from okienko.core.errors import Conflict, InvalidInput

MAX_KEY_LENGTH = 255
REPLAY_HEADER = "Idempotent-Replayed"


class _KeyTakenMeanwhile(Exception):
    pass


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    for part in (request.method or "", request.get_full_path(), request.body):
        digest.update(part if isinstance(part, bytes) else part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _json(status_code: int, body: Any) -> JsonResponse:
    return JsonResponse(
        body, status=status_code, safe=False, json_dumps_params={"ensure_ascii": False}
    )


def _replay(record: IdempotencyRecord, fingerprint: str) -> JsonResponse:
    if record.fingerprint != fingerprint:
        raise InvalidInput(
            "This Idempotency-Key was already used for a different request",
            errors={"Idempotency-Key": ["reused with another request"]},
        )
    response = _json(record.status_code, record.body)
    response[REPLAY_HEADER] = "true"
    return response


def run_idempotent(
    request: HttpRequest, agent: Agent, create: Callable[[], Any], *, status_code: int = 201
) -> JsonResponse:
    """Run ``create`` (which returns the JSON-ready body) at most once per Idempotency-Key."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return _json(status_code, create())
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(f"Idempotency-Key is longer than {MAX_KEY_LENGTH} characters")
    fingerprint = _fingerprint(request)
    existing = idempotency_record(agent, key)
    if existing is not None:
        return _replay(existing, fingerprint)
    try:
        with transaction.atomic():
            body = create()
            try:
                with transaction.atomic():
                    do_remember_response(
                        agent=agent,
                        key=key,
                        fingerprint=fingerprint,
                        status_code=status_code,
                        body=body,
                    )
            except IntegrityError as error:
                raise _KeyTakenMeanwhile from error
    except _KeyTakenMeanwhile:
        existing = idempotency_record(agent, key)
        if existing is None:
            raise Conflict("A request with this Idempotency-Key is in progress") from None
        return _replay(existing, fingerprint)
    return _json(status_code, body)
