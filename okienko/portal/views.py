"""Pages of the customer portal: parse the form, authorise, call one action or selector, render.

The portal session is separate from the agents' Django authentication: a signed-in customer is
their id in the session under ``CUSTOMER_KEY``, which no agent sign-in sets and which grants
nothing in the workspace; an agent's sign-in grants nothing here. Plain forms and redirects, so
every page works without JavaScript.
"""

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from okienko.core.downloads import safe_download
from okienko.core.errors import Conflict, DomainError, NotFound
from okienko.core.link_pages import link_page
from okienko.customers.actions import do_update_customer
from okienko.customers.models import Customer
from okienko.customers.selectors import portal_customer
from okienko.kb.actions import DEFLECTION_KEY, do_record_suggestion_opened
from okienko.kb.search import suggested_articles
from okienko.kb.selectors import access_public_article
from okienko.portal import throttle
from okienko.portal.actions import (
    TooManyRequests,
    check_sign_in_link_opening,
    do_request_sign_in_link,
    do_sign_in_with_link,
    do_submit_request,
)
from okienko.portal.forms import ReplyForm, RequestForm, SignInForm, SuggestionsForm
from okienko.portal.presenters import (
    answer_due,
    author_name,
    expected_answer,
    handled_by,
    plain_status,
)
from okienko.portal.selectors import (
    access_portal_attachment,
    access_portal_ticket,
    is_usable_sign_in_link,
    list_portal_tickets,
    public_thread,
)
from okienko.sla.selectors import attach_sla, sla_of, ticket_sla
from okienko.tickets.actions import do_add_customer_message, do_change_status_by_customer
from okienko.tickets.choices import Channel, Status
from okienko.tickets.models import Ticket

CUSTOMER_KEY = "portal_customer_id"
LANGUAGE_KEY = "portal_language"
PAGE_SIZE = 25
UNPROCESSABLE = 422
TOO_MANY_REQUESTS = 429

P = ParamSpec("P")
PortalView = Callable[Concatenate[HttpRequest, Customer, P], HttpResponseBase]
PublicView = Callable[Concatenate[HttpRequest, P], HttpResponseBase]


def _signed_in(request: HttpRequest) -> Customer | None:
    customer_id = request.session.get(CUSTOMER_KEY)
    if not isinstance(customer_id, int):
        return None
    return portal_customer(customer_id)


def activate_language(request: HttpRequest, customer: Customer | None) -> None:
    """The language chosen in the portal, else the customer's, else the browser's."""
    chosen = request.session.get(LANGUAGE_KEY) or (customer.language if customer else "")
    language = chosen if chosen in dict(settings.LANGUAGES) else request.LANGUAGE_CODE
    translation.activate(language)
    request.LANGUAGE_CODE = language


def public_page(view: PublicView[P]) -> PublicView[P]:
    """A page for anyone, in the portal's language."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        activate_language(request, _signed_in(request))
        return view(request, *args, **kwargs)

    return wrapped


def customer_page(view: PortalView[P]) -> PublicView[P]:
    """A page for a signed-in customer, who is passed to the view; others go to sign in."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        customer = _signed_in(request)
        activate_language(request, customer)
        if customer is None:
            return redirect("portal:sign_in")
        return view(request, customer, *args, **kwargs)

    return wrapped


# Signing in and out


@public_page
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """Ask for a sign-in link; the answer is the same whether the address is known or not."""
    if _signed_in(request) is not None:
        return redirect("portal:requests")
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            do_request_sign_in_link(
                email=form.cleaned_data["email"], client_ip=request.META.get("REMOTE_ADDR", "")
            )
        except TooManyRequests:
            form.add_error(None, _("Too many sign-in links were asked for. Try again later."))
            return render(request, "portal/sign_in.html", {"form": form}, status=TOO_MANY_REQUESTS)
        return redirect("portal:link_sent")
    status = UNPROCESSABLE if form.errors else 200
    return render(request, "portal/sign_in.html", {"form": form}, status=status)


@public_page
@require_GET
def link_sent(request: HttpRequest) -> HttpResponse:
    context = {"minutes": settings.PORTAL_SIGN_IN_LINK_MINUTES}
    return render(request, "portal/link_sent.html", context)


@public_page
@require_http_methods(["GET", "POST"])
@link_page(count_opening=check_sign_in_link_opening, template="portal/sign_in_link.html")
def sign_in_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the e-mail. Opening it only asks to confirm, so that mail scanners that
    open links do not use it up; the confirming POST signs in."""
    if request.method == "GET":
        usable = is_usable_sign_in_link(token)
        return render(
            request,
            "portal/sign_in_link.html",
            {"usable": usable},
            status=200 if usable else 404,
        )
    try:
        customer = do_sign_in_with_link(token=token)
    except NotFound:
        return render(request, "portal/sign_in_link.html", {"usable": False}, status=404)
    # A new session key: whoever knew the old one (fixation) is not signed in with it.
    request.session.cycle_key()
    request.session[CUSTOMER_KEY] = customer.pk
    return redirect("portal:requests")


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """Sign the customer out of the portal; an agent signed in in the same browser stays."""
    request.session.pop(CUSTOMER_KEY, None)
    request.session.cycle_key()
    return redirect("portal:sign_in")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the portal between Polish and English; a signed-in customer keeps the choice
    (e-mails to them follow it)."""
    language = request.POST.get("language", "")
    if language in dict(settings.LANGUAGES):
        request.session[LANGUAGE_KEY] = language
        customer = _signed_in(request)
        if customer is not None and customer.language != language:
            do_update_customer(customer=customer, changes={"language": language}, acting_user=None)
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "portal:requests"
    return redirect(next_url)


# Requests


@customer_page
@require_GET
def requests(request: HttpRequest, customer: Customer) -> HttpResponse:
    """My requests: status in plain words, who handles each and when to expect our answer."""
    before = request.GET.get("before", "")
    before_id = int(before) if before.isdigit() else None
    found = list_portal_tickets(customer, before_id=before_id, limit=PAGE_SIZE + 1)
    tickets = found[:PAGE_SIZE]
    attach_sla(tickets)
    now = timezone.now()
    rows = [
        {
            "ticket": ticket,
            "status": plain_status(ticket),
            "handled_by": handled_by(ticket),
            "expected": expected_answer(ticket, sla_of(ticket, now=now), now),
            "is_mine": ticket.requester_id == customer.pk,
        }
        for ticket in tickets
    ]
    context = {
        "customer": customer,
        "rows": rows,
        "next_before": tickets[-1].pk if len(found) > PAGE_SIZE else None,
    }
    return render(request, "portal/requests.html", context)


@customer_page
@require_http_methods(["GET", "POST"])
def new_request(request: HttpRequest, customer: Customer) -> HttpResponse:
    """Submit a request: subject, description, category, photos and other files. While the
    customer writes, help-center articles that may answer it are suggested (``suggestions``).
    """
    form = RequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = do_submit_request(
                customer=customer,
                subject=data["subject"],
                text=data["description"],
                category=data["category"],
                attachments=form.attachment_inputs(),
                attempt=data["attempt"],
            )
        except DomainError as error:
            form.add_error(None, error.detail)
        else:
            messages.success(request, _("Thank you, we have your request #%d.") % ticket.pk)
            return redirect("portal:request", ticket_id=ticket.pk)
    status = UNPROCESSABLE if form.errors else 200
    context = {"customer": customer, "form": form, "max_bytes": settings.MAX_ATTACHMENT_BYTES}
    return render(request, "portal/new_request.html", context, status=status)


@customer_page
@require_GET
def suggestions(request: HttpRequest, customer: Customer) -> HttpResponse:
    """Published public articles in the customer's language matching what they have written
    of a new request so far (htmx, as they type); a limited number of times per minute."""
    form = SuggestionsForm(request.GET)
    if not form.is_valid():
        return HttpResponse(status=UNPROCESSABLE)
    allowed = throttle.hit(
        "portal-suggestions",
        str(customer.pk),
        limit=settings.PORTAL_SUGGESTIONS_PER_MINUTE,
        window_seconds=60,
    )
    if not allowed:
        return HttpResponse(status=TOO_MANY_REQUESTS)
    data = form.cleaned_data
    hits = suggested_articles(data["subject"], data["description"], request.LANGUAGE_CODE)
    context = {"hits": hits, "attempt": data["attempt"]}
    return render(request, "portal/partials/_suggestions.html", context)


@customer_page
@require_GET
def suggested_article(request: HttpRequest, customer: Customer, article_id: int) -> HttpResponse:
    """A suggested article opened from a new request's form: counted for that form, then the
    help-center page."""
    article = access_public_article(article_id)
    attempt = request.GET.get("attempt", "")
    if DEFLECTION_KEY.fullmatch(attempt):
        do_record_suggestion_opened(key=attempt, customer=customer, article=article)
    return redirect("help:article", language=article.language, slug=article.slug)


def _request_page(
    request: HttpRequest, customer: Customer, ticket: Ticket, form: ReplyForm, status: int = 200
) -> HttpResponse:
    now = timezone.now()
    sla = ticket_sla(ticket.pk, now=now)
    thread = [(message, author_name(message, customer.pk)) for message in public_thread(ticket)]
    context = {
        "customer": customer,
        "ticket": ticket,
        "status": plain_status(ticket),
        "handled_by": handled_by(ticket),
        "expected": expected_answer(ticket, sla, now),
        "due_at": answer_due(ticket, sla),
        "thread": thread,
        "form": form,
        "can_reply": ticket.status != Status.CLOSED,
        "can_solve": ticket.status not in (Status.SOLVED, Status.CLOSED),
        "can_reopen": ticket.status == Status.SOLVED,
    }
    return render(request, "portal/request.html", context, status=status)


@customer_page
@require_GET
def request_page(request: HttpRequest, customer: Customer, ticket_id: int) -> HttpResponse:
    """One request: its public conversation only, a reply form, mark solved or reopen."""
    ticket = access_portal_ticket(customer, ticket_id)
    return _request_page(request, customer, ticket, ReplyForm())


@customer_page
@require_POST
def reply(request: HttpRequest, customer: Customer, ticket_id: int) -> HttpResponse:
    """Answer on the request; a solved or pending one opens again for the agents."""
    ticket = access_portal_ticket(customer, ticket_id)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            do_add_customer_message(
                ticket=ticket,
                text=form.cleaned_data["text"],
                attachments=form.attachment_inputs(),
                author=customer,
                channel=Channel.PORTAL,
            )
        except Conflict:
            form.add_error(None, _("This request is closed. Please submit a new one."))
        except DomainError as error:
            form.add_error(None, error.detail)
        else:
            messages.success(request, _("Your reply was sent."))
            return redirect("portal:request", ticket_id=ticket.pk)
    ticket = access_portal_ticket(customer, ticket_id)
    return _request_page(request, customer, ticket, form, status=UNPROCESSABLE)


def _change_status(request: HttpRequest, customer: Customer, ticket_id: int, status: str) -> None:
    ticket = access_portal_ticket(customer, ticket_id)
    try:
        do_change_status_by_customer(ticket=ticket, status=status)
    except DomainError:
        messages.error(request, _("The request could not be changed; it may be closed."))
    else:
        if status == Status.SOLVED:
            messages.success(request, _("Marked as solved. Thank you!"))
        else:
            messages.success(request, _("Reopened: we will look at it again."))


@customer_page
@require_POST
def mark_solved(request: HttpRequest, customer: Customer, ticket_id: int) -> HttpResponse:
    _change_status(request, customer, ticket_id, Status.SOLVED)
    return redirect("portal:request", ticket_id=ticket_id)


@customer_page
@require_POST
def reopen(request: HttpRequest, customer: Customer, ticket_id: int) -> HttpResponse:
    _change_status(request, customer, ticket_id, Status.OPEN)
    return redirect("portal:request", ticket_id=ticket_id)


@customer_page
@require_GET
def download_attachment(
    request: HttpRequest, customer: Customer, attachment_id: int
) -> FileResponse:
    """A file of a public message on one of the customer's requests, never shown as a page."""
    attachment = access_portal_attachment(customer, attachment_id)
    return safe_download(
        attachment.file, filename=attachment.filename, content_type=attachment.content_type
    )
