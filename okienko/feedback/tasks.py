from huey.contrib.djhuey import db_task

from okienko.core.events import DomainEvent
from okienko.feedback.actions import do_send_csat_survey


def survey_solved_ticket(event: DomainEvent) -> None:
    """A ticket whose status changed may have been solved: the survey task checks and asks."""
    if event.payload["field"] == "status":
        send_csat_survey(event.payload["ticket_id"])


@db_task(retries=3, retry_delay=300)
def send_csat_survey(ticket_id: int) -> bool:
    return do_send_csat_survey(ticket_id) is not None
