"""Reads of the API's own bookkeeping."""

from okienko.accounts.models import Agent
from okienko.api.models import IdempotencyRecord


def idempotency_record(agent: Agent, key: str) -> IdempotencyRecord | None:
    return IdempotencyRecord.objects.filter(agent=agent, key=key).first()
