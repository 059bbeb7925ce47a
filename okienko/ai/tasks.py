from huey.contrib.djhuey import db_task

from okienko.ai.actions import do_answer_customer_message, do_refresh_article_embeddings
from okienko.core.events import DomainEvent
from okienko.tickets.choices import AuthorKind, Channel


@db_task()
def answer_message(message_id: int) -> bool:
    return do_answer_customer_message(message_id=message_id)


@db_task()
def refresh_article_embeddings() -> int:
    return do_refresh_article_embeddings()


def answer_customer_message(event: DomainEvent) -> None:
    """A customer wrote in a chat (a new ticket, or a message on one): the bot may answer, in
    a task, since finding the answer takes a moment."""
    if event.payload.get("channel") != Channel.CHAT:
        return
    if event.name == "ticket.message_added" and (
        event.payload["author_kind"] != AuthorKind.CUSTOMER or not event.payload["is_public"]
    ):
        return
    answer_message(event.payload["message_id"])


def embed_changed_articles(event: DomainEvent) -> None:
    refresh_article_embeddings()
