"""Periodic work of the knowledge base."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from okienko.kb.actions import do_send_review_reminders


@db_periodic_task(crontab(minute="5", hour="7"))
def send_review_reminders() -> int:
    """Every morning: owners hear of their articles whose review date has come."""
    return do_send_review_reminders()
