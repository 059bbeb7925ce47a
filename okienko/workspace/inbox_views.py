"""The inbox: the standard and saved views with their counts, and the saved views' editor."""

from dataclasses import dataclass, replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from okienko.accounts.models import Agent
from okienko.accounts.selectors import access_agent, assignable_agents, teams
from okienko.core import errors
from okienko.sla.selectors import attach_sla, sla_of
from okienko.tickets import actions
from okienko.tickets.choices import Channel, InboxView, Priority, TicketOrder
from okienko.tickets.models import SavedView
from okienko.tickets.selectors import (
    COUNT_CAP,
    DeadlineKey,
    TicketFilters,
    access_saved_view,
    can_manage_saved_view,
    inbox_counts,
    inbox_filters,
    list_tickets,
    list_tickets_by_deadline,
    saved_view_filters,
    saved_views,
)
from okienko.workspace.forms import BulkForm, SavedViewForm
from okienko.workspace.presenters import next_deadline
from okienko.workspace.views import PAGE_SIZE, UNPROCESSABLE, _agent, _int_or_none, _local_path

MAX_QUERY_TEXT = 200
ASSIGN_TO_ME = "me"
ASSIGN_TO_NOBODY = "none"


def _choice_list(request: HttpRequest, key: str, allowed: list[str]) -> list[str]:
    return [value for value in request.GET.getlist(key) if value in allowed]


@dataclass(frozen=True)
class ViewLink:
    """One entry of the inbox's list of views."""

    key: str
    label: str
    url: str
    count: int
    is_shared: bool = False

    @property
    def count_label(self) -> str:
        return f"{COUNT_CAP}+" if self.count > COUNT_CAP else str(self.count)


def _view_links(agent: Agent, saved: list[SavedView]) -> list[ViewLink]:
    counts = inbox_counts(agent, saved)
    standard = [
        ViewLink(choice, str(label), reverse("workspace:inbox_view", args=[choice]), counts[choice])
        for choice, label in InboxView.choices
    ]
    own = [
        ViewLink(
            f"saved-{view.pk}",
            view.name,
            reverse("workspace:saved_inbox", args=[view.pk]),
            counts[f"saved-{view.pk}"],
            is_shared=view.is_shared,
        )
        for view in saved
    ]
    return standard + own


@login_required
@require_GET
def inbox(
    request: HttpRequest, view: str = InboxView.MINE, saved_view_id: int | None = None
) -> HttpResponse:
    """One inbox view (standard or saved), newest first or most urgent first, a page at a time,
    with the counts of every view; the filters bar narrows it further."""
    agent = _agent(request)
    saved = list(saved_views(agent))
    current: SavedView | None = None
    if saved_view_id is not None:
        current = next((item for item in saved if item.pk == saved_view_id), None)
        if current is None:
            raise Http404("No such saved view")
        view_filters = saved_view_filters(agent, current)
        view = f"saved-{current.pk}"
    else:
        view_filters = inbox_filters(agent, view)
    priorities = _choice_list(request, "priority", Priority.values)
    channels = _choice_list(request, "channel", Channel.values)
    team_id = _int_or_none(request.GET.get("team"))
    text = request.GET.get("q", "").strip()[:MAX_QUERY_TEXT]
    filters = _narrowed(view_filters, priorities, channels, team_id, text)
    by_deadline = request.GET.get("sort") == TicketOrder.DUE
    before_id = _int_or_none(request.GET.get("before"))
    after = DeadlineKey.from_token(request.GET.get("after", "")) if by_deadline else None
    if by_deadline:
        found = list_tickets_by_deadline(agent, filters, after=after, limit=PAGE_SIZE + 1)
    else:
        found = list_tickets(agent, filters, before_id=before_id, limit=PAGE_SIZE + 1)
    tickets = found[:PAGE_SIZE]
    has_next = len(found) > PAGE_SIZE
    query = QueryDict(mutable=True)
    query.setlist("priority", priorities)
    query.setlist("channel", channels)
    if team_id is not None:
        query["team"] = str(team_id)
    if text:
        query["q"] = text
    filters_only = query.urlencode()
    if by_deadline:
        query["sort"] = TicketOrder.DUE
    links = _view_links(agent, saved)
    attach_sla(tickets)
    now = timezone.now()
    context = {
        "view": view,
        "views": links,
        "current_view": next(link for link in links if link.key == view),
        "saved_view": current,
        "can_edit_view": current is not None and can_manage_saved_view(agent, current),
        "tickets": tickets,
        "rows": [(ticket, next_deadline(sla_of(ticket, now=now), now)) for ticket in tickets],
        "next_before": tickets[-1].pk if has_next and not by_deadline else None,
        "next_after": DeadlineKey.of(tickets[-1]).token if has_next and by_deadline else None,
        "is_first_page": after is None if by_deadline else before_id is None,
        "filter_query": query.urlencode(),
        "filters_only_query": filters_only,
        "has_filters": bool(filters_only),
        "order": TicketOrder.DUE if by_deadline else TicketOrder.NEWEST,
        "orders": TicketOrder.choices,
        "selected": {
            "priorities": priorities,
            "channels": channels,
            "teams": query.getlist("team"),
            "text": text,
        },
        "priorities": Priority.choices,
        "channels": Channel.choices,
        "teams": [(str(team.pk), team.name) for team in teams().prefetch_related(None)],
        "bulk_form": BulkForm(assignees=_assignees(agent)),
    }
    return render(request, "workspace/inbox.html", context)


def _assignees(agent: Agent) -> list[tuple[str, str]]:
    """Whom ticked tickets may be given to: me, nobody, or a colleague."""
    return [
        (ASSIGN_TO_ME, _("me")),
        (ASSIGN_TO_NOBODY, _("nobody (unassign)")),
        *[(str(colleague.pk), colleague.name) for colleague in assignable_agents(None)],
    ]


def _narrowed(
    filters: TicketFilters,
    priorities: list[str],
    channels: list[str],
    team_id: int | None,
    text: str,
) -> TicketFilters:
    """The view's filters with what the filters bar chose in place of the view's own."""
    return replace(
        filters,
        priorities=priorities or filters.priorities,
        channels=channels or filters.channels,
        team_id=team_id or filters.team_id,
        text=text or filters.text,
    )


@login_required
@require_http_methods(["GET", "POST"])
def saved_view_edit(request: HttpRequest, view_id: int | None = None) -> HttpResponse:
    """Define a saved view, or change one. A new view starts from the inbox's filters bar."""
    agent = _agent(request)
    view = access_saved_view(agent, view_id) if view_id is not None else None
    if view is not None and not can_manage_saved_view(agent, view):
        raise PermissionDenied(_("Only its owner or an administrator changes this view."))
    if request.method == "POST":
        form = SavedViewForm(request.POST, agent=agent, view=view)
    else:
        form = SavedViewForm(agent=agent, view=view, from_inbox=request.GET)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            view = actions.do_save_view(
                view=view,
                name=data["name"],
                filters=form.filters(),
                audience=data["audience"],
                team=data.get("shared_team"),
                acting_user=agent,
            )
        except errors.PermissionDenied as error:
            raise PermissionDenied(error.detail) from error
        except errors.DomainError as error:
            form.add_error(None, error.detail)
        else:
            messages.success(request, _("View saved."))
            return redirect("workspace:saved_inbox", saved_view_id=view.pk)
    status = UNPROCESSABLE if form.errors else 200
    context = {"form": form, "saved_view": view}
    return render(request, "workspace/saved_view_form.html", context, status=status)


@login_required
@require_POST
def saved_view_delete(request: HttpRequest, view_id: int) -> HttpResponse:
    agent = _agent(request)
    view = access_saved_view(agent, view_id)
    try:
        actions.do_delete_saved_view(view=view, acting_user=agent)
    except errors.PermissionDenied as error:
        raise PermissionDenied(error.detail) from error
    messages.success(request, _("View removed."))
    return redirect("workspace:inbox")


@login_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """One change to the tickets ticked in the inbox, each ticket through the same actions and
    permission check as on its own page; the summary says what changed and what was refused."""
    agent = _agent(request)
    form = BulkForm(request.POST, assignees=_assignees(agent))
    back = _local_path(request.POST.get("next", "")) or reverse("workspace:inbox")
    if not form.is_valid():
        for field_errors in form.errors.values():
            for error in field_errors:
                messages.error(request, str(error))
        return redirect(back)
    data = form.cleaned_data
    try:
        outcome = _run_bulk(agent, data)
    except errors.DomainError as error:
        messages.error(request, error.detail)
        return redirect(back)
    _summarise(request, outcome)
    return redirect(back)


def _run_bulk(agent: Agent, data: dict) -> actions.BulkOutcome:
    ticket_ids = data["ticket"]
    operation = data["operation"]
    if operation == BulkForm.MERGE:
        # Into the ticket named, or else into the oldest ticked one.
        target_id = data["target"] or min(ticket_ids)
        return actions.do_bulk_merge(ticket_ids=ticket_ids, target_id=target_id, acting_user=agent)
    if operation == BulkForm.TAG:
        return actions.do_bulk_update(
            ticket_ids=ticket_ids, changes={}, add_tags=[data["tag"]], acting_user=agent
        )
    field = BulkForm.NEEDS[operation]
    value = data[field]
    if operation == BulkForm.ASSIGN:
        value = _assignee(agent, value)
    return actions.do_bulk_update(ticket_ids=ticket_ids, changes={field: value}, acting_user=agent)


def _assignee(agent: Agent, choice: str) -> Agent | None:
    if choice == ASSIGN_TO_NOBODY:
        return None
    if choice == ASSIGN_TO_ME:
        return agent
    return access_agent(agent, int(choice))


def _numbers(ticket_ids: list[int]) -> str:
    return ", ".join(f"#{ticket_id}" for ticket_id in ticket_ids)


def _summarise(request: HttpRequest, outcome: actions.BulkOutcome) -> None:
    if outcome.changed:
        count = len(outcome.changed)
        messages.success(
            request,
            ngettext(
                "Changed %(count)d ticket: %(numbers)s",
                "Changed %(count)d tickets: %(numbers)s",
                count,
            )
            % {"count": count, "numbers": _numbers(outcome.changed)},
        )
    if outcome.unchanged:
        messages.info(
            request,
            _("Already as asked, left as they were: %(numbers)s")
            % {"numbers": _numbers(outcome.unchanged)},
        )
    for ticket_id, reason in outcome.refused.items():
        messages.warning(
            request, _("Refused #%(number)d: %(reason)s") % {"number": ticket_id, "reason": reason}
        )
