"""Helpers of the invitation tests: the token from the last e-mail, a mail server that is down."""

import re

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

LINK = re.compile(r"https?://\S+/invitation/(?P<token>[\w-]+)/")


def token_from_invitation() -> str:
    """The token of the invitation link in the last e-mail sent."""
    match = LINK.search(mail.outbox[-1].body)
    assert match is not None
    return match.group("token")


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionError("the mail server is down")
