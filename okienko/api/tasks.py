from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from okienko.api.actions import do_purge_expired_idempotency_records


@db_periodic_task(crontab(minute="17", hour="*/6"))
def purge_expired_idempotency_records() -> int:
    return do_purge_expired_idempotency_records()
