"""Backoff for work sent to other systems (e-mails, webhooks): a few quick retries, then hours."""

import datetime

RETRY_DELAYS = tuple(datetime.timedelta(minutes=m) for m in (1, 5, 15, 60, 240))


def next_attempt_after(attempts: int, now: datetime.datetime) -> datetime.datetime | None:
    """When to try again after ``attempts`` failed tries; None when it is time to give up."""
    if attempts > len(RETRY_DELAYS):
        return None
    return now + RETRY_DELAYS[attempts - 1]
