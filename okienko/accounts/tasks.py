"""Tasks of agents' accounts: sending invitations."""

from huey.contrib.djhuey import db_task

from okienko.accounts.actions import do_send_agent_invitation
from okienko.core.events import DomainEvent


@db_task(retries=2, retry_delay=30)
def send_agent_invitation(invitation_id: int) -> None:
    do_send_agent_invitation(invitation_id=invitation_id)


def queue_agent_invitation(event: DomainEvent) -> None:
    send_agent_invitation(event.payload["invitation_id"])
