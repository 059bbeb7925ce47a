"""Satisfaction surveys: ask once a ticket is solved, record the answer on the ticket."""

import secrets

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from okienko.core.errors import Conflict, InvalidInput
from okienko.customers.selectors import email_addresses_of
from okienko.feedback.models import CsatSurvey
from okienko.feedback.selectors import token_digest
from okienko.tickets.actions import CSAT_RATINGS, do_record_csat
from okienko.tickets.choices import Status
from okienko.tickets.models import Ticket
from okienko.tickets.selectors import ticket_by_number

COMMENT_LENGTH = 2000


def do_send_csat_survey(ticket_id: int) -> CsatSurvey | None:
    """Ask the requester of a solved ticket how we did: once per ticket, by e-mail, in their
    language. None when surveys are off, the ticket is not solved (any more), was asked already
    or its requester has no e-mail address. A failed send leaves no survey, so a retry asks."""
    ticket = ticket_by_number(ticket_id)
    if not settings.CSAT_SURVEYS or ticket is None or ticket.status != Status.SOLVED:
        return None
    email = email_addresses_of([ticket.requester]).get(ticket.requester_id)
    if not email:
        return None
    token = secrets.token_urlsafe(24)
    try:
        with transaction.atomic():
            survey = CsatSurvey.objects.create(
                ticket=ticket, email=email, token_digest=token_digest(token), sent_at=timezone.now()
            )
            with translation.override(ticket.requester.language):
                _survey_email(ticket, email, token).send()
    except IntegrityError:
        return None  # asked already
    return survey


def _survey_email(ticket: Ticket, email: str, token: str) -> EmailMessage:
    link = f"{settings.PUBLIC_URL}{reverse('portal:csat', args=[token])}"
    lines = [
        _("Hello,"),
        "",
        _("your request “%(subject)s” is solved. How would you rate our help?")
        % {"subject": ticket.subject},
        "",
        *(
            f"{rating} {'★' * rating}{'☆' * (5 - rating)}  {link}?rating={rating}"
            for rating in reversed(CSAT_RATINGS)
        ),
        "",
        _("One click and a sentence, if you like. Thank you!"),
    ]
    return EmailMessage(
        subject=_("How did we do? [#%(number)s]") % {"number": ticket.pk},
        body="\n".join(lines),
        to=[email],
        headers={"Auto-Submitted": "auto-generated"},
    )


def do_answer_csat(*, survey: CsatSurvey, rating: int, comment: str = "") -> CsatSurvey:
    """Keep the customer's answer (they may change it while the ticket is not closed) and tell
    the ticket, where rules and reports see it."""
    if rating not in CSAT_RATINGS:
        raise InvalidInput("A rating is 1 to 5", errors={"rating": [str(rating)]})
    comment = comment.strip()[:COMMENT_LENGTH]
    if survey.answered_at is not None and survey.ticket.status == Status.CLOSED:
        raise Conflict("This request is closed; its rating can no longer change")
    with transaction.atomic():
        survey.rating = rating
        survey.comment = comment
        survey.answered_at = timezone.now()
        survey.save(update_fields=["rating", "comment", "answered_at"])
        do_record_csat(ticket=survey.ticket, rating=rating, comment=comment)
    return survey
