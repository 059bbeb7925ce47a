"""How the portal words a ticket for its customer: status in plain words, who handles it and
when to expect our answer."""

import datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from okienko.sla.choices import Metric
from okienko.sla.selectors import TicketSla
from okienko.tickets.choices import AuthorKind, Status
from okienko.tickets.models import Message, Ticket

PLAIN_STATUS = {
    Status.NEW: gettext_lazy("Received, we will look at it soon"),
    Status.OPEN: gettext_lazy("We are working on it"),
    Status.PENDING: gettext_lazy("Waiting for your reply"),
    Status.ON_HOLD: gettext_lazy("In progress, waiting on a third party"),
    Status.SOLVED: gettext_lazy("Solved"),
    Status.CLOSED: gettext_lazy("Closed"),
}

# The statuses in which the ticket waits on us, so an answer is due from us.
WAITING_ON_US = (Status.NEW, Status.OPEN)
REPLY_METRICS = (Metric.FIRST_REPLY, Metric.NEXT_REPLY)


def plain_status(ticket: Ticket) -> str:
    return str(PLAIN_STATUS.get(Status(ticket.status), ticket.get_status_display()))


def handled_by(ticket: Ticket) -> str:
    """The name of the agent handling the ticket, or a word that someone will."""
    if ticket.assignee is not None:
        return ticket.assignee.name
    return _("Our team")


def answer_due(ticket: Ticket, sla: TicketSla) -> datetime.datetime | None:
    """When our next answer is due under the SLA: the first or next reply target, only while
    the ticket waits on us."""
    if ticket.status not in WAITING_ON_US:
        return None
    dues = [
        view.clock.due_at
        for view in sla.clocks
        if view.is_running and view.clock.metric in REPLY_METRICS and view.clock.due_at
    ]
    return min(dues, default=None)


def expected_answer(ticket: Ticket, sla: TicketSla, now: datetime.datetime) -> str:
    """When to expect our answer, in words ("We will answer today by 14:30."); empty when we
    promise nothing now."""
    due = answer_due(ticket, sla)
    if due is None:
        return ""
    if due <= now:
        return _("We will answer as soon as we can.")
    local = timezone.localtime(due)
    today = timezone.localdate(now)
    time = date_format(local, "H:i")
    if local.date() == today:
        return _("We will answer today by %(time)s.") % {"time": time}
    if local.date() == today + datetime.timedelta(days=1):
        return _("We will answer tomorrow by %(time)s.") % {"time": time}
    return _("We will answer by %(date)s, %(time)s.") % {
        "date": date_format(local, "j E"),
        "time": time,
    }


def author_name(message: Message, customer_id: int) -> str:
    """Who wrote a message, as the signed-in customer reads it."""
    if message.author_kind == AuthorKind.CUSTOMER:
        if message.author_customer_id == customer_id:
            return _("You")
        return message.author_customer.name if message.author_customer else _("Customer")
    if message.author_kind == AuthorKind.AGENT and message.author_agent is not None:
        return message.author_agent.name
    return _("Customer service")
