"""Writes of the customer portal: sign-in links and new requests. Tickets change through the
tickets actions, deflection is counted by the kb actions.

A customer asks for a link with their e-mail address; the answer never tells whether the
address is known. The e-mail goes out from a task, which also makes the token: only its SHA-256
digest is stored, and the token travels nowhere but in the e-mail. A link works once, for
``PORTAL_SIGN_IN_LINK_MINUTES``.
"""

import datetime
from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from okienko.core.errors import DomainError, NotFound
from okienko.core.events import publish_on_commit
from okienko.core.tokens import send_link_email, token_digest
from okienko.customers.choices import IdentityKind
from okienko.customers.models import Customer
from okienko.customers.selectors import customer_with_identity, portal_customer
from okienko.kb.actions import do_record_request_submitted
from okienko.portal import throttle
from okienko.portal.models import SignInLink
from okienko.tickets.actions import AttachmentInput, do_create_ticket
from okienko.tickets.choices import Channel
from okienko.tickets.models import Category, Ticket

# Sign-in links are kept this long after they were asked for, then purged.
KEEP_LINKS_FOR = datetime.timedelta(days=1)


class TooManyRequests(DomainError):
    """Asked too often from this address or this client; try again after the window."""

    status_code = 429
    title = "Too many requests"


def check_sign_in_link_opening(*, client_ip: str) -> None:
    """Count one opening of a sign-in link's page from ``client_ip``; ``TooManyRequests`` once
    the client opened more than its limit in the window, so tokens cannot be tried at speed."""
    if not throttle.hit(
        "portal-sign-in-link-ip",
        client_ip,
        limit=settings.PORTAL_SIGN_IN_LINK_OPENS_PER_IP,
        window_seconds=settings.PORTAL_SIGN_IN_WINDOW_MINUTES * 60,
    ):
        raise TooManyRequests("Too many sign-in links were opened; try again later")


@transaction.atomic
def do_request_sign_in_link(*, email: str, client_ip: str) -> None:
    """Count the request against the address's and the client's limits; then, if the address
    is a customer's e-mail identity, queue an e-mail with a sign-in link.

    Returns the same (nothing) whether the address is known or not; ``TooManyRequests`` when
    the address or the client asked too often, known address or not.
    """
    window = settings.PORTAL_SIGN_IN_WINDOW_MINUTES * 60
    address = email.strip().lower()
    by_client = throttle.hit(
        "portal-sign-in-ip", client_ip, limit=settings.PORTAL_SIGN_IN_PER_IP, window_seconds=window
    )
    by_address = throttle.hit(
        "portal-sign-in-address",
        address,
        limit=settings.PORTAL_SIGN_IN_PER_ADDRESS,
        window_seconds=window,
    )
    if not (by_client and by_address):
        raise TooManyRequests("Too many sign-in links were asked for; try again later")
    customer = customer_with_identity(IdentityKind.EMAIL, address)
    if customer is None:
        return
    now = timezone.now()
    link = SignInLink.objects.create(
        customer=customer,
        email=address,
        created_at=now,
        expires_at=now + datetime.timedelta(minutes=settings.PORTAL_SIGN_IN_LINK_MINUTES),
    )
    publish_on_commit("portal.sign_in_link_requested", link_id=link.pk)


def do_send_sign_in_link(*, link_id: int) -> bool:
    """E-mail the sign-in link in the customer's language (see ``send_link_email``)."""
    return send_link_email(
        SignInLink.objects.select_related("customer"),
        link_id,
        language=lambda link: link.customer.language,
        email=_sign_in_email,
    )


def _sign_in_email(link: SignInLink, token: str) -> EmailMessage:
    url = f"{settings.PUBLIC_URL}{reverse('portal:sign_in_link', args=[token])}"
    body = render_to_string(
        "portal/email/sign_in_link.txt",
        {
            "customer": link.customer,
            "url": url,
            "minutes": settings.PORTAL_SIGN_IN_LINK_MINUTES,
        },
    )
    return EmailMessage(
        subject=_("Your sign-in link to the customer portal"),
        body=body,
        to=[link.email],
        headers={"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"},
    )


@transaction.atomic
def do_sign_in_with_link(*, token: str, at: datetime.datetime | None = None) -> Customer:
    """Use the link whose token this is: the customer it signs in, or ``NotFound`` when the
    link is unknown, used or expired. Using one link retires the customer's other links."""
    now = at or timezone.now()
    digest = token_digest(token)
    used = SignInLink.objects.filter(
        token_digest=digest, used_at__isnull=True, expires_at__gt=now
    ).update(used_at=now)
    if used != 1:
        raise NotFound("This sign-in link is unknown, used or expired")
    link = SignInLink.objects.get(token_digest=digest)
    SignInLink.objects.filter(customer_id=link.customer_id, used_at__isnull=True).update(
        used_at=now
    )
    customer = portal_customer(link.customer_id)
    if customer is None:
        raise NotFound("This sign-in link is unknown, used or expired")
    return customer


def do_purge_sign_in_links(*, now: datetime.datetime | None = None) -> int:
    """Forget sign-in links asked for more than a day ago."""
    cutoff = (now or timezone.now()) - KEEP_LINKS_FOR
    deleted, _ = SignInLink.objects.filter(created_at__lt=cutoff).delete()
    return deleted


@transaction.atomic
def do_submit_request(
    *,
    customer: Customer,
    subject: str,
    text: str,
    category: Category | None,
    attachments: Sequence[AttachmentInput],
    attempt: str = "",
) -> Ticket:
    """A customer's new request from the portal as a ticket; when they had opened an article
    the form suggested (``attempt`` is the form's key), that they still submitted is noted."""
    ticket = do_create_ticket(
        subject=subject,
        requester=customer,
        channel=Channel.PORTAL,
        text=text,
        category=category,
        attachments=attachments,
        acting_user=None,
    )
    if attempt:
        do_record_request_submitted(key=attempt, customer=customer, ticket=ticket)
    return ticket
