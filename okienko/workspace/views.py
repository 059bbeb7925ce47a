"""Pages of the agent workspace: parse the form, authorise, call one action or selector, render.

htmx requests get partials back (``HX-Request`` header); plain requests get whole pages, so every
page also works without JavaScript.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from okienko.accounts.models import Agent
from okienko.automation.actions import do_apply_macro
from okienko.automation.selectors import access_macro, macros
from okienko.core.errors import DomainError, NotFound
from okienko.customers.selectors import access_customer
from okienko.inboxes.actions import do_reprocess_inbound
from okienko.inboxes.chat.selectors import chat_panel
from okienko.inboxes.choices import InboundStatus
from okienko.inboxes.selectors import (
    ChannelDetail,
    access_inbound_item,
    channel_details,
    list_inbound_items,
)
from okienko.notifications.actions import do_mark_read, do_save_preferences
from okienko.notifications.choices import NotificationKind
from okienko.notifications.selectors import (
    access_notification,
    describe,
    preferences_of,
    recent_notifications,
    review_article,
)
from okienko.routing.actions import do_escalate_ticket, do_set_presence
from okienko.routing.choices import Presence
from okienko.sla.selectors import ticket_sla
from okienko.tickets import actions
from okienko.tickets.choices import (
    AuthorKind,
    EscalationLevel,
    InboxView,
    TicketOrder,
)
from okienko.tickets.models import Message, Ticket
from okienko.tickets.selectors import (
    TicketFilters,
    access_ticket,
    list_tickets,
    ticket_events,
    ticket_messages,
)
from okienko.workspace.forms import (
    ChatTransferForm,
    MessageForm,
    NewTicketForm,
    NotificationPreferencesForm,
    PropertiesForm,
)
from okienko.workspace.presenters import deadlines, history

PAGE_SIZE = 50
UNPROCESSABLE = 422
CUSTOMER_TICKETS_SHOWN = 20


class SignInView(auth_views.LoginView):
    """E-mail and password; only active agents can sign in (Django's model backend)."""

    template_name = "workspace/login.html"
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    """Sign out (POST only) and return to the sign-in page; signing out means offline, so the
    agent's open tickets go to colleagues where the team rebalances."""

    next_page = "workspace:login"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if isinstance(request.user, Agent):
            do_set_presence(agent=request.user, presence=Presence.OFFLINE)
        return super().post(request, *args, **kwargs)


def _agent(request: HttpRequest) -> Agent:
    user = request.user
    if not isinstance(user, Agent):
        raise Http404
    return user


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _thread(agent: Agent, ticket: Ticket) -> list[tuple[Message, ChannelDetail | None]]:
    messages = list(ticket_messages(agent, ticket))
    details = channel_details([message.pk for message in messages])
    return [(message, details.get(message.pk)) for message in messages]


def _deadlines(ticket: Ticket) -> dict[str, Any]:
    now = timezone.now()
    sla = ticket_sla(ticket.pk, now=now)
    return {"sla": sla, "items": deadlines(sla, now)}


def _ticket_context(agent: Agent, ticket: Ticket, **forms: Any) -> dict[str, Any]:
    """What the ticket page and its partials show; the heavier parts load only when rendered."""
    return {
        "ticket": ticket,
        "thread": SimpleLazyObject(lambda: _thread(agent, ticket)),
        "history": SimpleLazyObject(lambda: list(history(ticket_events(agent, ticket)))),
        "customer": SimpleLazyObject(lambda: access_customer(agent, ticket.requester_id)),
        "customer_tickets": SimpleLazyObject(
            lambda: list_tickets(
                agent,
                TicketFilters(requester_id=ticket.requester_id),
                before_id=None,
                limit=CUSTOMER_TICKETS_SHOWN,
            )
        ),
        "deadlines": SimpleLazyObject(lambda: _deadlines(ticket)),
        "macros": SimpleLazyObject(lambda: list(macros())),
        "message_form": forms.get("message_form") or MessageForm(),
        "properties_form": forms.get("properties_form") or PropertiesForm(ticket=ticket),
        # Read only for chat tickets (the template asks), so other tickets pay no query.
        "chat": SimpleLazyObject(lambda: chat_panel(ticket)),
        "chat_transfer_form": SimpleLazyObject(lambda: ChatTransferForm(ticket=ticket)),
    }


@login_required
@require_GET
def ticket_page(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The ticket: header, thread, composer, properties, history and the customer."""
    agent = _agent(request)
    ticket = access_ticket(agent, ticket_id)
    return render(request, "workspace/ticket.html", _ticket_context(agent, ticket))


def _after_ticket_post(
    request: HttpRequest,
    agent: Agent,
    ticket_id: int,
    *,
    partial: str,
    **forms: MessageForm | PropertiesForm,
) -> HttpResponse:
    """The answer to a ticket POST: htmx gets ``partial`` (422 with the errors when it failed);
    a plain form gets a redirect to the ticket, or the page with the errors."""
    failed = any(form.errors for form in forms.values())
    if not failed and not _is_htmx(request):
        return redirect("workspace:ticket", ticket_id=ticket_id)
    # Re-read: the action changed the ticket, or rolled back and left it as it was.
    ticket = access_ticket(agent, ticket_id)
    shown_forms = {name: form for name, form in forms.items() if form.errors}
    template = f"workspace/partials/{partial}" if _is_htmx(request) else "workspace/ticket.html"
    context = _ticket_context(agent, ticket, **shown_forms)
    return render(request, template, context, status=UNPROCESSABLE if failed else 200)


@login_required
@require_POST
def post_message(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Send a public reply (optionally setting the status) or add an internal note."""
    agent = _agent(request)
    ticket = access_ticket(agent, ticket_id)
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["kind"] == MessageForm.NOTE:
                actions.do_add_note(
                    ticket=ticket,
                    text=data["text"],
                    attachments=form.attachment_inputs(),
                    acting_user=agent,
                )
            else:
                actions.do_reply(
                    ticket=ticket,
                    text=data["text"],
                    attachments=form.attachment_inputs(),
                    status=data["status_after"] or None,
                    acting_user=agent,
                )
        except DomainError as error:
            form.add_error(None, error.detail)
    return _after_ticket_post(
        request, agent, ticket_id, message_form=form, partial="_conversation_update.html"
    )


@login_required
@require_POST
def update_properties(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Change status, priority, assignee or team; returns the re-rendered sidebar and header."""
    agent = _agent(request)
    ticket = access_ticket(agent, ticket_id)
    form = PropertiesForm(request.POST, ticket=ticket)
    if form.is_valid():
        try:
            actions.do_update_ticket(ticket=ticket, changes=form.changes(), acting_user=agent)
        except DomainError as error:
            form.add_error(None, error.detail)
    return _after_ticket_post(
        request, agent, ticket_id, properties_form=form, partial="_properties_update.html"
    )


@login_required
@require_http_methods(["GET", "POST"])
def new_ticket(request: HttpRequest) -> HttpResponse:
    """Open a ticket for a customer (matched or created by e-mail), e.g. after a phone call."""
    agent = _agent(request)
    form = NewTicketForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = actions.do_create_ticket_for_email(
                requester_email=data["email"],
                requester_name=data["name"],
                subject=data["subject"],
                channel=data["channel"],
                text=form.first_message_text(),
                author_kind=AuthorKind.CUSTOMER,
                priority=data["priority"],
                team=data["team"],
                assignee=agent if data["assign_to_me"] else None,
                acting_user=agent,
            )
        except DomainError as error:
            form.add_error(None, error.detail)
        else:
            return redirect("workspace:ticket", ticket_id=ticket.pk)
    status = UNPROCESSABLE if form.errors else 200
    return render(request, "workspace/new_ticket.html", {"form": form}, status=status)


@login_required
@require_GET
def quarantine(request: HttpRequest) -> HttpResponse:
    """E-mail and other contacts that could not be processed, with the reason, for the agents
    of their inbox to fix and process again."""
    agent = _agent(request)
    before_id = _int_or_none(request.GET.get("before"))
    found = list_inbound_items(
        agent,
        status=InboundStatus.QUARANTINED,
        inbox_id=None,
        before_id=before_id,
        limit=PAGE_SIZE + 1,
    )
    items = found[:PAGE_SIZE]
    context = {
        "items": items,
        "next_before": items[-1].pk if len(found) > PAGE_SIZE else None,
        "is_first_page": before_id is None,
    }
    return render(request, "workspace/quarantine.html", context)


@login_required
@require_POST
def reprocess(request: HttpRequest, item_id: int) -> HttpResponse:
    agent = _agent(request)
    found = access_inbound_item(agent, item_id)
    try:
        item = do_reprocess_inbound(item=found, acting_user=agent)
    except DomainError as error:
        messages.warning(request, str(error))
        return redirect("workspace:quarantine")
    if item.status == InboundStatus.PROCESSED and item.message is not None:
        messages.success(request, _("Processed: it is now on ticket #%d.") % item.message.ticket_id)
    else:
        messages.error(request, _("Still quarantined: %s") % item.error)
    return redirect("workspace:quarantine")


@login_required
@require_POST
def set_presence(request: HttpRequest) -> HttpResponse:
    """The agent says whether they take tickets now: online, away or offline."""
    agent = _agent(request)
    try:
        routing = do_set_presence(agent=agent, presence=request.POST.get("presence", ""))
    except DomainError as error:
        messages.warning(request, str(error))
        return redirect("workspace:inbox")
    if _is_htmx(request):
        context = {"presence": routing.presence, "next": _local_path(request.POST.get("next", ""))}
        return render(request, "workspace/partials/_presence.html", context)
    return redirect(_local_path(request.POST.get("next", "")) or "workspace:inbox")


def _local_path(path: str) -> str:
    """``path`` if it stays on this site, else empty: a form's "next" must not send us away."""
    return path if path.startswith("/") and not path.startswith("//") else ""


@login_required
@require_POST
def escalate(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Hand the ticket one escalation level up (second line, then a supervisor)."""
    agent = _agent(request)
    ticket = access_ticket(agent, ticket_id)
    try:
        level = do_escalate_ticket(ticket=ticket, acting_user=agent)
    except DomainError as error:
        messages.warning(request, str(error))
    else:
        messages.success(
            request, _("Escalated: %(level)s.") % {"level": EscalationLevel(level).label}
        )
    return redirect("workspace:ticket", ticket_id=ticket_id)


@login_required
@require_POST
def apply_macro(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Apply a macro's changes and put its reply, filled in, into the composer to check."""
    agent = _agent(request)
    ticket = access_ticket(agent, ticket_id)
    try:
        macro = access_macro(int(request.POST.get("macro") or 0))
        draft = do_apply_macro(macro=macro, ticket=ticket, agent=agent)
    except (NotFound, ValueError) as error:
        raise Http404("No such macro") from error
    except DomainError as error:
        messages.warning(request, str(error))
        return redirect("workspace:ticket", ticket_id=ticket_id)
    if draft.missing:
        messages.warning(
            request,
            _("Fill in before sending: %(missing)s") % {"missing": ", ".join(draft.missing)},
        )
    form = MessageForm(initial={"kind": MessageForm.REPLY, "text": draft.text})
    ticket = access_ticket(agent, ticket_id)
    return render(
        request, "workspace/ticket.html", _ticket_context(agent, ticket, message_form=form)
    )


@login_required
@require_GET
def ticket_live(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The parts of an open ticket page that somebody else's change may have altered."""
    agent = _agent(request)
    ticket = access_ticket(agent, ticket_id)
    return render(request, "workspace/partials/_ticket_live.html", _ticket_context(agent, ticket))


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest) -> HttpResponse:
    """The agent's recent notifications and their choice of how to be told."""
    agent = _agent(request)
    form = NotificationPreferencesForm(request.POST or None, preferences=preferences_of(agent))
    if request.method == "POST" and form.is_valid():
        do_save_preferences(agent, form.choices())
        messages.success(request, _("Notification settings saved."))
        return redirect("workspace:notifications")
    context = {
        "notifications": [(item, describe(item)) for item in recent_notifications(agent)],
        "preferences_form": form,
    }
    return render(request, "workspace/notifications.html", context)


@login_required
@require_POST
def read_notifications(request: HttpRequest) -> HttpResponse:
    do_mark_read(_agent(request))
    return redirect("workspace:notifications")


@login_required
@require_GET
def open_notification(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Follow a notification to its ticket, marking it read."""
    agent = _agent(request)
    notification = access_notification(agent, notification_id)
    do_mark_read(agent, [notification.pk])
    if notification.ticket_id is not None:
        return redirect("workspace:ticket", ticket_id=notification.ticket_id)
    if notification.kind == NotificationKind.ARTICLE_REVIEW:
        article_id, _title = review_article(notification)
        if article_id is not None:
            return redirect("workspace:kb_article", article_id=article_id)
    if notification.kind in (NotificationKind.SLA_WARNING, NotificationKind.SLA_BREACHED):
        # A digest of unassigned tickets: those tickets, most urgent first.
        unassigned = reverse("workspace:inbox_view", args=[InboxView.UNASSIGNED])
        return redirect(f"{unassigned}?sort={TicketOrder.DUE}")
    return redirect("workspace:notifications")
