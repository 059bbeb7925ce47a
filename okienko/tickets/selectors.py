"""Reads for tickets, scoped to what the asking agent may see."""

import datetime
import heapq
import itertools
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import cast

from django.db.models import (
    Count,
    Exists,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)

from okienko.accounts.models import Agent
from okienko.accounts.selectors import team_ids_of
from okienko.core.errors import NotFound
from okienko.core.events import DomainEvent
from okienko.core.persistence import remember_related
from okienko.customers.models import Customer
from okienko.search.selectors import matching
from okienko.tickets.choices import UNSOLVED_STATUSES, AuthorKind, EventKind, InboxView, Status
from okienko.tickets.models import (
    Attachment,
    Category,
    CustomField,
    Message,
    SavedView,
    Tag,
    Ticket,
    TicketEvent,
    TicketTag,
)


def visible_tickets(user: Agent, *, team_ids: Sequence[int] | None = None) -> QuerySet[Ticket]:
    """Admins and supervisors see every ticket; an agent sees their teams' queues, tickets
    without a team, and whatever is assigned to them. ``team_ids``, the agent's teams when
    already read, go into the query as values instead of a subquery."""
    tickets = Ticket.objects.all()
    if user.sees_all_tickets:
        return tickets
    teams = user.teams.values("id") if team_ids is None else team_ids
    return tickets.filter(Q(team_id__in=teams) | Q(team__isnull=True) | Q(assignee=user))


def customer_visible_tickets(customer: Customer) -> QuerySet[Ticket]:
    """The tickets a customer may see (in the portal, in search): their own, and every
    member's of their organisation when it shares tickets; not those merged into another."""
    condition = Q(requester=customer)
    organisation = customer.organisation
    if organisation is not None and organisation.is_shared_tickets:
        condition |= Q(requester__organisation=organisation)
    return Ticket.objects.filter(condition, merged_into__isnull=True)


def _with_relations(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    return tickets.select_related("requester", "assignee", "team", "category").prefetch_related(
        Prefetch("tags", queryset=Tag.objects.order_by("name"))
    )


@dataclass(frozen=True)
class TicketAudience:
    """Who may see a ticket besides admins and supervisors: its team's agents (everyone when
    it has no team) and its assignee."""

    ticket_id: int
    team_id: int | None
    assignee_id: int | None


def ticket_audiences(ticket_ids: Sequence[int]) -> list[TicketAudience]:
    rows = Ticket.objects.filter(pk__in=ticket_ids).values_list("pk", "team_id", "assignee_id")
    return [TicketAudience(*row) for row in rows]


def access_ticket(user: Agent, ticket_id: int) -> Ticket:
    """The ticket, if ``user`` may see it; otherwise ``NotFound``, not revealing it exists."""
    try:
        return _with_relations(visible_tickets(user)).get(pk=ticket_id)
    except Ticket.DoesNotExist as error:
        raise NotFound(f"Ticket {ticket_id} not found") from error


@dataclass(frozen=True)
class TicketFilters:
    """The filters of a ticket list; ``assignee_id`` 0 means "unassigned".

    ``team_ids`` given (even empty) keeps only tickets of those teams: an agent without teams
    has nothing in "my teams".
    """

    statuses: Sequence[str] = ()
    priorities: Sequence[str] = ()
    channels: Sequence[str] = ()
    assignee_id: int | None = None
    team_id: int | None = None
    team_ids: Sequence[int] | None = None
    requester_id: int | None = None
    organisation_id: int | None = None
    category_id: int | None = None
    tag: str | None = None
    tier_id: int | None = None
    text: str = ""
    created_after: datetime.datetime | None = None
    created_before: datetime.datetime | None = None


# A text's matching tickets, as a condition (None: the text has no words).
TextMatches = Mapping[str, Q | None]


def _condition(filters: TicketFilters, text_matches: TextMatches) -> Q:
    """The filters (all but ``tag``, which joins another table) as one condition, the text's
    matches read beforehand (``_text_matches``)."""
    conditions = {
        "status__in": filters.statuses,
        "priority__in": filters.priorities,
        "channel__in": filters.channels,
        "team_id": filters.team_id,
        "requester_id": filters.requester_id,
        "category_id": filters.category_id,
        "requester__organisation_id": filters.organisation_id,
        "created_at__gte": filters.created_after,
        "created_at__lt": filters.created_before,
    }
    condition = Q(**{key: value for key, value in conditions.items() if value})
    if filters.assignee_id is not None:
        condition &= Q(assignee_id=filters.assignee_id or None)
    if filters.team_ids is not None:
        condition &= Q(team_id__in=filters.team_ids) if filters.team_ids else Q(pk__in=[])
    if filters.tier_id:
        condition &= _of_tier(filters.tier_id)
    if text := filters.text.strip():
        condition &= _with_text(text, text_matches[text])
    return condition


# Longer digit strings are no ticket number (nor fit the database's integer).
_MAX_NUMBER_DIGITS = 18


def _text_matches(texts: Iterable[str], *, wanted: int) -> TextMatches:
    """The texts' matches, for lists that stop after ``wanted`` tickets."""
    return matching("ticket", texts, include_internal=True, wanted=wanted)


def _with_text(text: str, matches: Q | None) -> Q:
    """Tickets whose subject or messages (internal notes too) hold every word of ``text``, as
    search finds them (``matches``); "#10241" is that ticket alone. Words are looked up in the
    search index, which holds each ticket's number too: a substring match of the subject read
    every ticket (1.5-2 s at 1M tickets on PostgreSQL) and missed the messages, and so would a
    number matched by id or by the index at once."""
    if text.startswith("#"):
        number = text.removeprefix("#")
        if number.isdigit() and len(number) <= _MAX_NUMBER_DIGITS:
            return Q(pk=int(number))
        return Q(pk__in=[])
    return matches if matches is not None else Q(pk__in=[])


# Up to this many customers, a tier is "small": its tickets are found through its customers.
SMALL_TIER = 1000


def _of_tier(tier_id: int) -> Q:
    """Tickets of customers in the tier. A small tier's customer ids are listed (their tickets
    found by the requester index; none at all costs nothing); a large one is checked ticket by
    ticket along the list's own index, which stops as soon as a page is full (at 1M tickets:
    0.4 ms, against 38 ms for a subquery of 250,000 customer ids)."""
    customers = Customer.objects.filter(tier_id=tier_id)
    small = list(customers.values_list("id", flat=True)[:SMALL_TIER])
    if len(small) < SMALL_TIER:
        return Q(requester_id__in=small)
    return Q(Exists(customers.filter(pk=OuterRef("requester_id"))))


def _visible_matching(
    user: Agent,
    filters: TicketFilters,
    *,
    wanted: int,
    team_ids: Sequence[int] | None = None,
    text_matches: TextMatches | None = None,
) -> QuerySet[Ticket]:
    """The tickets ``user`` sees that match ``filters`` (but ``tag``), for a list that stops
    after ``wanted`` of them; ``team_ids`` are the agent's teams and ``text_matches`` the texts'
    matches when already read.

    Filters naming the agent as assignee, or only their own teams, already imply that the agent
    sees each ticket: the visibility condition is left out, so that the database reads the
    (assignee, status) or (team, status) index alone instead of checking a three-way "or" on
    every ticket (at 1M tickets on PostgreSQL it kept "my open tickets" off those indexes).
    """
    implied = user.sees_all_tickets or filters.assignee_id == user.pk
    if not implied and filters.team_ids is not None:
        team_ids = team_ids_of(user) if team_ids is None else team_ids
        implied = set(filters.team_ids) <= set(team_ids)
    tickets = Ticket.objects.all() if implied else visible_tickets(user, team_ids=team_ids)
    if text_matches is None:
        text_matches = _text_matches(
            [filters.text.strip()] if filters.text.strip() else [], wanted=wanted
        )
    return tickets.filter(_condition(filters, text_matches))


def list_tickets(
    user: Agent, filters: TicketFilters, *, before_id: int | None, limit: int
) -> list[Ticket]:
    """One page of tickets, newest first, after the keyset cursor ``before_id``.

    Keyset pagination keeps every page an index range scan however deep the list goes.
    """
    tickets = _visible_matching(user, filters, wanted=limit)
    newest_first = "-id"
    if filters.tag:
        # Walk the tag's rows of the (tag, ticket) index newest first and look each ticket up:
        # a rare tag costs a few rows, a common one stops as soon as the page is full.
        tickets = _tagged(tickets, filters.tag)
        newest_first = "-tag_links__ticket_id"
    if before_id:
        tickets = tickets.filter(id__lt=before_id)
    if len(filters.statuses) > 1:
        newest = _newest_ids_per_status(tickets, filters, limit, newest_first)
        tickets, newest_first = Ticket.objects.filter(pk__in=newest), "-id"
    return list(_with_relations(tickets).order_by(newest_first)[:limit])


def _tag_ids(names: Iterable[str]) -> dict[str, int]:
    return dict(Tag.objects.filter(name__in=set(names)).values_list("name", "id"))


def _tagged(
    tickets: QuerySet[Ticket], tag: str, tag_ids: dict[str, int] | None = None
) -> QuerySet[Ticket]:
    """The tickets carrying ``tag``, its id given in ``tag_ids`` or read here.

    The id is a value, not a subquery: PostgreSQL then plans with how many tickets carry this
    tag (a rare one is a few rows of the (tag, ticket) index); behind a subquery it guessed an
    average tag and walked every ticket newest first (0.7 s at 1M tickets)."""
    tag_id = (tag_ids if tag_ids is not None else _tag_ids([tag])).get(tag)
    return tickets.filter(tag_links__tag_id=tag_id) if tag_id else tickets.none()


def _newest_ids_per_status(
    tickets: QuerySet[Ticket], filters: TicketFilters, limit: int, newest_first: str
) -> list[int]:
    # One index range scan per status, merged here: for "status IN (...)" SQLite would otherwise
    # sort every matching ticket to find the newest few.
    per_status = (
        tickets.filter(status=status).order_by(newest_first).values_list("id", flat=True)[:limit]
        for status in filters.statuses
    )
    return heapq.nlargest(limit, itertools.chain.from_iterable(per_status))


_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_MICROSECOND = datetime.timedelta(microseconds=1)


@dataclass(frozen=True)
class DeadlineKey:
    """Where a ticket stands in deadline order: by its nearest running SLA deadline
    (``Ticket.sla_due_at``), the tickets without one after every deadline, ties and the
    deadline-less by number. A list continues after the ticket a key names.

    ``token`` is the key as URL text: ``<microseconds since 1970>_<id>`` or ``none_<id>``.
    """

    due_at: datetime.datetime | None
    ticket_id: int

    @classmethod
    def of(cls, ticket: Ticket) -> "DeadlineKey":
        return cls(ticket.sla_due_at, ticket.pk)

    @property
    def sort_key(self) -> tuple[bool, datetime.datetime, int]:
        return (self.due_at is None, self.due_at or _EPOCH, self.ticket_id)

    @property
    def token(self) -> str:
        due = "none" if self.due_at is None else str((self.due_at - _EPOCH) // _MICROSECOND)
        return f"{due}_{self.ticket_id}"

    @classmethod
    def from_token(cls, token: str) -> "DeadlineKey | None":
        """The key ``token`` spells; None when it spells none."""
        due, _, ticket_id = token.partition("_")
        try:
            due_at = None if due == "none" else _EPOCH + int(due) * _MICROSECOND
            return cls(due_at, int(ticket_id))
        except (ValueError, OverflowError):
            return None


def list_tickets_by_deadline(
    user: Agent, filters: TicketFilters, *, after: DeadlineKey | None, limit: int
) -> list[Ticket]:
    """One page of tickets most urgent first, after the keyset cursor ``after``: by their
    nearest running SLA deadline (overdue first), then those without one, oldest first.

    Each status is read along the (status, deadline, id) index, its deadlines first and its
    tickets without one after them, and the runs are merged here: a page never sorts every
    matching ticket, however deep the list goes.
    """
    tickets = _visible_matching(user, filters, wanted=limit)
    if filters.tag:
        tickets = _tagged(tickets, filters.tag)
    runs = [tickets]
    if len(filters.statuses) > 1:
        runs = [tickets.filter(status=status) for status in filters.statuses]
    keys: list[DeadlineKey] = []
    if after is None or after.due_at is not None:
        keys = _keys_with_deadline(runs, after, limit)
    if len(keys) < limit:
        after_id = after.ticket_id if after is not None and after.due_at is None else None
        keys += _keys_without_deadline(runs, after_id, limit - len(keys))
    page = _with_relations(Ticket.objects.filter(pk__in=[key.ticket_id for key in keys]))
    found = {ticket.pk: ticket for ticket in page}
    return [found[key.ticket_id] for key in keys if key.ticket_id in found]


def _keys_with_deadline(
    runs: Sequence[QuerySet[Ticket]], after: DeadlineKey | None, limit: int
) -> list[DeadlineKey]:
    ordered = []
    for run in runs:
        dated = run.filter(sla_due_at__isnull=False)
        if after is not None:
            # The redundant ">=" bounds the index range; the "or" only filters within it.
            dated = dated.filter(sla_due_at__gte=after.due_at).filter(
                Q(sla_due_at__gt=after.due_at) | Q(id__gt=after.ticket_id)
            )
        rows = dated.order_by("sla_due_at", "id").values_list("sla_due_at", "id")[:limit]
        ordered.append([DeadlineKey(due_at, ticket_id) for due_at, ticket_id in rows])
    merged = heapq.merge(*ordered, key=attrgetter("sort_key"))
    return list(itertools.islice(merged, limit))


def _keys_without_deadline(
    runs: Sequence[QuerySet[Ticket]], after_id: int | None, limit: int
) -> list[DeadlineKey]:
    ordered = []
    for run in runs:
        undated = run.filter(sla_due_at__isnull=True)
        if after_id is not None:
            undated = undated.filter(id__gt=after_id)
        # Ordered by the (empty) deadline too, so PostgreSQL sees the index's own order.
        ordered.append(undated.order_by("sla_due_at", "id").values_list("id", flat=True)[:limit])
    ids = heapq.nsmallest(limit, itertools.chain.from_iterable(ordered))
    return [DeadlineKey(None, ticket_id) for ticket_id in ids]


def _inbox_views(user: Agent, team_ids: Sequence[int]) -> dict[str, TicketFilters]:
    unsolved = tuple(UNSOLVED_STATUSES)
    return {
        InboxView.MINE: TicketFilters(statuses=unsolved, assignee_id=user.pk),
        InboxView.UNASSIGNED: TicketFilters(statuses=unsolved, assignee_id=0),
        InboxView.MY_TEAMS: TicketFilters(statuses=unsolved, team_ids=team_ids),
        InboxView.ALL_OPEN: TicketFilters(statuses=unsolved),
        InboxView.PENDING: TicketFilters(statuses=(Status.PENDING,)),
        InboxView.SOLVED: TicketFilters(statuses=(Status.SOLVED,)),
    }


def inbox_filters(user: Agent, view: str) -> TicketFilters:
    """What one of the standard inbox views (``InboxView``) shows to ``user``."""
    if view not in InboxView.values:
        raise NotFound(f"Inbox view {view!r} not found")
    team_ids = team_ids_of(user) if view == InboxView.MY_TEAMS else []
    return _inbox_views(user, team_ids)[view]


# A view's count stops past this many ("1000+"): an agent learns as much as from the exact
# figure, and each view reads at most this many tickets, where one exact aggregate read every
# visible ticket (at 1M tickets on PostgreSQL: 0.5-0.75 s on every inbox page; capped: ~20 ms).
COUNT_CAP = 1000


class _CountedSubquery(Subquery):
    # A view that can match nothing (no teams, an unknown tag) then fails up to the SELECT,
    # which counts it 0; a plain Subquery would put NULL inside the COUNT and break the SQL.
    empty_result_set_value = NotImplemented


def _capped_count(tickets: QuerySet[Ticket]) -> Func:
    return Func(
        _CountedSubquery(tickets.order_by().values("id")[: COUNT_CAP + 1]),
        template="(SELECT COUNT(*) FROM %(expressions)s AS capped)",
        output_field=IntegerField(),
    )


def inbox_counts(user: Agent, saved: Sequence[SavedView] = ()) -> dict[str, int]:
    """How many tickets ``user`` sees in each inbox view and in each of the ``saved`` views
    (keyed ``saved-<id>``), counted in one query up to one past ``COUNT_CAP``."""
    team_ids = team_ids_of(user)
    views: dict[str, TicketFilters] = dict(_inbox_views(user, team_ids))
    views.update({f"saved-{view.pk}": saved_view_filters(user, view) for view in saved})
    tag_ids = _tag_ids(filters.tag for filters in views.values() if filters.tag)
    text_matches = _text_matches(
        {text for f in views.values() if (text := f.text.strip())}, wanted=COUNT_CAP + 1
    )
    counted: dict[str, Func] = {}
    for key, filters in views.items():
        tickets = _visible_matching(
            user, filters, wanted=COUNT_CAP + 1, team_ids=team_ids, text_matches=text_matches
        )
        if filters.tag:
            tickets = _tagged(tickets, filters.tag, tag_ids)
        counted[key] = _capped_count(tickets)
    # The agent's own row carries the subqueries: one row, one round trip.
    found = cast(dict[str, int], Agent.objects.filter(pk=user.pk).values(**counted).get())
    return {key: found[key] for key in views}


# Saved views: an agent's own, those shared with everyone, and those shared with their teams.


def saved_views(user: Agent) -> QuerySet[SavedView]:
    """The saved views ``user`` has in their inbox; admins also see every shared view, since
    they manage them."""
    shared = Q(owner__isnull=True) & (Q(team__isnull=True) | Q(team__in=user.teams.values("id")))
    if user.is_staff:
        shared = Q(owner__isnull=True)
    return SavedView.objects.filter(Q(owner=user) | shared).select_related("team")


def access_saved_view(user: Agent, view_id: int) -> SavedView:
    try:
        return saved_views(user).get(pk=view_id)
    except SavedView.DoesNotExist as error:
        raise NotFound(f"Saved view {view_id} not found") from error


def can_manage_saved_view(user: Agent, view: SavedView) -> bool:
    """Agents change their own views; shared views are the admins'."""
    return view.owner_id == user.pk if view.owner_id is not None else user.is_staff


# How a saved view names its assignee: a given agent's id, or one of these.
ASSIGNEE_ME = "me"
ASSIGNEE_NOBODY = "none"


def saved_view_filters(user: Agent, view: SavedView) -> TicketFilters:
    """The ticket filters a saved view stands for, as ``user`` sees it ("me" is the user)."""
    data = view.filters
    assignee = str(data.get("assignee") or "")
    assignee_id = {ASSIGNEE_ME: user.pk, ASSIGNEE_NOBODY: 0}.get(assignee)
    if assignee_id is None and assignee.isdigit():
        assignee_id = int(assignee)
    return TicketFilters(
        # "Any status" is every status: one index range per status keeps a page cheap whatever
        # else the view filters on.
        statuses=tuple(data.get("statuses") or Status.values),
        priorities=tuple(data.get("priorities") or ()),
        channels=tuple(data.get("channels") or ()),
        assignee_id=assignee_id,
        team_id=data.get("team_id"),
        category_id=data.get("category_id"),
        tag=data.get("tag") or None,
        tier_id=data.get("tier_id"),
        text=data.get("text") or "",
    )


def customer_timeline(
    user: Agent, customer_id: int, *, before_id: int | None, limit: int
) -> list[Message]:
    """The customer's conversations across every channel, newest first, a page at a time:
    the messages (internal notes too) of the tickets they asked that ``user`` may see."""
    tickets = visible_tickets(user).filter(requester_id=customer_id).values("id")
    messages = Message.objects.filter(ticket_id__in=tickets)
    if before_id is not None:
        messages = messages.filter(pk__lt=before_id)
    return list(
        messages.select_related("ticket", "author_agent", "author_customer")
        .prefetch_related("attachments")
        .order_by("-id")[:limit]
    )


def ticket_messages(user: Agent, ticket: Ticket) -> QuerySet[Message]:
    """The whole thread an agent sees: public messages and internal notes."""
    return (
        Message.objects.filter(ticket=ticket)
        .select_related("author_agent", "author_customer")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )


def access_message(user: Agent, ticket: Ticket, message_id: int) -> Message:
    try:
        return ticket_messages(user, ticket).get(pk=message_id)
    except Message.DoesNotExist as error:
        raise NotFound(f"Message {message_id} not found") from error


def ticket_events(user: Agent, ticket: Ticket) -> QuerySet:
    return ticket.events.select_related("actor_agent").order_by("created_at", "id")


def access_attachment(user: Agent, attachment_id: int) -> Attachment:
    """An attachment of a message on a ticket ``user`` may see."""
    try:
        return Attachment.objects.select_related("message").get(
            pk=attachment_id, message__ticket__in=visible_tickets(user)
        )
    except Attachment.DoesNotExist as error:
        raise NotFound(f"Attachment {attachment_id} not found") from error


def access_category(user: Agent, category_id: int) -> Category:
    try:
        return Category.objects.get(pk=category_id)
    except Category.DoesNotExist as error:
        raise NotFound(f"Category {category_id} not found") from error


def categories() -> QuerySet[Category]:
    return Category.objects.select_related("parent")


def category_usage(category: Category) -> dict[str, int]:
    """What sits in a category: tickets and subcategories."""
    return {
        "tickets": Ticket.objects.filter(category=category).count(),
        "subcategories": category.children.count(),
    }


def tags() -> QuerySet[Tag]:
    return Tag.objects.all()


def tags_in_use() -> QuerySet[Tag]:
    """Every tag with how many tickets carry it."""
    return Tag.objects.annotate(ticket_count=Count("ticket_links")).order_by("name")


def access_tag(user: Agent, tag_id: int) -> Tag:
    try:
        return Tag.objects.get(pk=tag_id)
    except Tag.DoesNotExist as error:
        raise NotFound(f"Tag {tag_id} not found") from error


def access_custom_field(user: Agent, field_id: int) -> CustomField:
    try:
        return CustomField.objects.get(pk=field_id)
    except CustomField.DoesNotExist as error:
        raise NotFound(f"Custom field {field_id} not found") from error


def custom_fields() -> QuerySet[CustomField]:
    return CustomField.objects.all()


# Lookups for channel pipelines, which act for the system rather than for an agent.


def _unmerged(ticket: Ticket) -> Ticket:
    while ticket.merged_into_id is not None:
        ticket = Ticket.objects.select_related("requester").get(pk=ticket.merged_into_id)
    return ticket


def ticket_with_message(external_ids: Sequence[str]) -> Ticket | None:
    """The ticket holding the newest of the messages with these channel ids (what an e-mail
    answers), followed to where it was merged."""
    found = tickets_of_messages(external_ids).values()
    return max(found, key=lambda newest: newest[0])[1] if found else None


def tickets_of_messages(external_ids: Collection[str]) -> dict[str, tuple[int, Ticket]]:
    """For each of these channel ids found, the newest message with it (its id) and that
    message's ticket followed to where it was merged, one instance per ticket: what the mail of
    a batch answers, read in one query."""
    wanted = [external_id for external_id in external_ids if external_id]
    if not wanted:
        return {}
    messages = (
        Message.objects.filter(external_id__in=wanted)
        .select_related("ticket__requester")
        .order_by("id")
    )
    tickets: dict[int, Ticket] = {}
    newest: dict[str, tuple[int, int]] = {}
    for message in messages:
        tickets.setdefault(message.ticket_id, message.ticket)
        newest[message.external_id] = (message.pk, message.ticket_id)
    unmerged = {ticket_id: _unmerged(ticket) for ticket_id, ticket in tickets.items()}
    return {
        external_id: (message_id, unmerged[ticket_id])
        for external_id, (message_id, ticket_id) in newest.items()
    }


def ticket_by_number(number: int) -> Ticket | None:
    try:
        ticket = Ticket.objects.select_related("requester").get(pk=number)
    except Ticket.DoesNotExist:
        return None
    return _unmerged(ticket)


def ticket_as_created(ticket: Ticket, published: Sequence[DomainEvent]) -> Ticket:
    """A ticket just created, as it is now, for a response; ``published`` are the events the
    creation published, with those of the subscribers its commit ran.

    When nothing was published after its own ``ticket.created``, no subscriber changed it: the
    object written is the ticket, its tags known to it and no SLA clocks yet (the SLA refresh
    publishes ``ticket.sla_policy`` when it stores the first ones). Otherwise it is read again.
    """
    last = published[-1] if published else None
    if last and last.name == "ticket.created" and last.payload["ticket_id"] == ticket.pk:
        remember_related(ticket, "sla_clocks", [])
        return ticket
    return ticket_by_number(ticket.pk) or ticket


def is_participant(ticket: Ticket, customer: Customer) -> bool:
    """Whether ``customer`` takes part in the ticket: its requester, copied, or a colleague at
    the requester's organisation."""
    if customer.pk == ticket.requester_id or ticket.cc.filter(pk=customer.pk).exists():
        return True
    organisation_id = ticket.requester.organisation_id
    return organisation_id is not None and organisation_id == customer.organisation_id


def recent_tickets_of(customer: Customer, *, since: datetime.datetime) -> QuerySet[Ticket]:
    """The customer's unmerged tickets with a message since ``since``, newest first."""
    return (
        Ticket.objects.filter(requester=customer, merged_into__isnull=True)
        .filter(last_message_at__gte=since)
        .select_related("requester")
        .order_by("-id")
    )


def messages_from(external_ids: Collection[str]) -> dict[tuple[int, str], Message]:
    """Messages customers already sent with these channel ids (re-delivered e-mails), by
    (customer id, channel id); the first one where a customer sent the same id twice."""
    found: dict[tuple[int, str], Message] = {}
    messages = Message.objects.filter(
        external_id__in=[external_id for external_id in external_ids if external_id],
        author_customer__isnull=False,
    ).order_by("-id")
    for message in messages:
        assert message.author_customer_id is not None  # noqa: S101  (filtered on it)
        found[(message.author_customer_id, message.external_id)] = message
    return found


def thread_external_ids(ticket: Ticket) -> list[str]:
    """The channel ids of the ticket's messages, oldest first (an e-mail's References)."""
    ids = Message.objects.filter(ticket=ticket).exclude(external_id="").order_by("id")
    return list(ids.values_list("external_id", flat=True))


def latest_customer_message(ticket: Ticket) -> Message | None:
    return (
        Message.objects.filter(ticket=ticket, author_kind=AuthorKind.CUSTOMER)
        .order_by("-id")
        .first()
    )


def message_by_id(message_id: int) -> Message | None:
    return Message.objects.filter(pk=message_id).first()


def outbound_message(message_id: int) -> Message | None:
    """A message with what sending it needs: its ticket, requester and author."""
    return (
        Message.objects.select_related("ticket__requester", "author_agent")
        .filter(pk=message_id)
        .first()
    )


@dataclass(frozen=True)
class TicketHistory:
    """What SLA needs to know of a ticket: its matching fields and when things happened."""

    ticket: Ticket
    tag_names: frozenset[str]
    category_path: tuple[int, ...]
    initial_status: str
    # (at, author_kind) of public messages and (at, new status) of status changes, in order.
    public_messages: list[tuple[datetime.datetime, str]]
    status_changes: list[tuple[datetime.datetime, str]]


def ticket_history(ticket_id: int) -> TicketHistory:
    """The ticket with its requester, tags, category ancestry, public messages and statuses."""
    ticket = Ticket.objects.select_related(
        "requester__tier", "requester__organisation__tier", "category"
    ).get(pk=ticket_id)
    # The creation and the status changes in one read: the first says the initial status.
    status_events = (
        TicketEvent.objects.filter(ticket_id=ticket_id)
        .filter(Q(kind=EventKind.CREATED) | Q(kind=EventKind.FIELD_CHANGED, field="status"))
        .order_by("created_at", "id")
        .values_list("kind", "created_at", "new_value")
    )
    initial_status: str | None = None
    status_changes = []
    for kind, at, value in status_events:
        if kind != EventKind.CREATED:
            status_changes.append((at, str(value)))
        elif initial_status is None:
            initial_status = (value or {}).get("status", Status.NEW)
    return TicketHistory(
        ticket=ticket,
        tag_names=frozenset(ticket.tags.values_list("name", flat=True)),
        category_path=category_path(ticket.category_id) if ticket.category_id else (),
        initial_status=initial_status or Status.NEW,
        public_messages=list(
            Message.objects.filter(ticket_id=ticket_id, is_public=True)
            .order_by("created_at", "id")
            .values_list("created_at", "author_kind")
        ),
        status_changes=status_changes,
    )


def unsolved_ticket_ids(*, after_id: int, limit: int) -> list[int]:
    """Ids of unsolved tickets above ``after_id``, ascending: a batch for a job over all of them."""
    return list(
        Ticket.objects.filter(pk__gt=after_id, status__in=UNSOLVED_STATUSES)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def unsolved_ticket_ids_of_customer(customer_id: int) -> list[int]:
    """The customer's tickets that still need work (e.g. to re-match their SLA)."""
    return list(
        Ticket.objects.filter(requester_id=customer_id, status__in=UNSOLVED_STATUSES).values_list(
            "pk", flat=True
        )
    )


def category_path(category_id: int) -> tuple[int, ...]:
    """The category and its ancestors, nearest first."""
    parents = dict(Category.objects.values_list("id", "parent_id"))
    path: list[int] = []
    current: int | None = category_id
    while current is not None and current not in path:
        path.append(current)
        current = parents.get(current)
    return tuple(path)


# Tickets an agent is working on: they count against the agent's capacity.
WORKING_STATUSES = (Status.NEW, Status.OPEN)


def working_ticket_counts(agent_ids: Sequence[int]) -> dict[tuple[int, str], int]:
    """(assignee id, priority) -> how many working tickets, for the given agents."""
    rows = (
        Ticket.objects.filter(assignee_id__in=agent_ids, status__in=WORKING_STATUSES)
        .values("assignee_id", "priority")
        .annotate(count=Count("id"))
    )
    return {(row["assignee_id"], row["priority"]): row["count"] for row in rows}


def assigned_working_ticket_ids(*, assignee_id: int, team_ids: Sequence[int]) -> list[int]:
    return list(
        Ticket.objects.filter(
            assignee_id=assignee_id, team_id__in=team_ids, status__in=WORKING_STATUSES
        )
        .order_by("id")
        .values_list("id", flat=True)
    )


def unassigned_working_ticket_ids(*, team_id: int, limit: int) -> list[int]:
    """A team's tickets waiting for an agent, oldest first."""
    return list(
        Ticket.objects.filter(team_id=team_id, assignee__isnull=True, status__in=WORKING_STATUSES)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )


@dataclass(frozen=True)
class TicketSnapshot:
    """A ticket with what rules look at: tags, when its status last changed, when the customer
    last wrote, and its latest public message."""

    ticket: Ticket
    tags: list[str]
    status_since: datetime.datetime
    customer_wrote_at: datetime.datetime | None
    latest_public_text: str


def ticket_snapshots(ticket_ids: Sequence[int]) -> dict[int, TicketSnapshot]:
    """Snapshots of many tickets in a fixed number of queries."""
    found = Ticket.objects.filter(pk__in=ticket_ids).select_related(
        "requester__tier", "requester__organisation__tier"
    )
    tickets = {ticket.pk: ticket for ticket in found}
    tags: dict[int, list[str]] = {pk: [] for pk in tickets}
    for ticket_id, name in TicketTag.objects.filter(ticket_id__in=tickets).values_list(
        "ticket_id", "tag__name"
    ):
        tags[ticket_id].append(name)
    status_since = dict(
        TicketEvent.objects.filter(
            ticket_id__in=tickets, kind=EventKind.FIELD_CHANGED, field="status"
        )
        .values("ticket_id")
        .annotate(at=Max("created_at"))
        .values_list("ticket_id", "at")
    )
    messages = Message.objects.filter(ticket_id__in=tickets, is_public=True)
    customer_wrote = dict(
        messages.filter(author_kind=AuthorKind.CUSTOMER)
        .values("ticket_id")
        .annotate(at=Max("created_at"))
        .values_list("ticket_id", "at")
    )
    latest_ids = (
        messages.values("ticket_id").annotate(last=Max("id")).values_list("last", flat=True)
    )
    latest_text = dict(Message.objects.filter(pk__in=latest_ids).values_list("ticket_id", "text"))
    return {
        pk: TicketSnapshot(
            ticket=ticket,
            tags=sorted(tags[pk]),
            status_since=status_since.get(pk) or ticket.created_at,
            customer_wrote_at=customer_wrote.get(pk),
            latest_public_text=latest_text.get(pk, ""),
        )
        for pk, ticket in tickets.items()
    }


def ticket_ids_in_statuses(statuses: Sequence[str], *, limit: int) -> list[int]:
    """Tickets in ``statuses``, oldest first (the status index): what a time rule looks at."""
    return list(
        Ticket.objects.filter(status__in=statuses)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )


def unsolved_ticket_ids_in_teams(
    ticket_ids: Sequence[int], *, team_ids: Sequence[int]
) -> list[int]:
    """Which of ``ticket_ids`` are unsolved tickets of one of ``team_ids``."""
    return list(
        Ticket.objects.filter(pk__in=ticket_ids, team_id__in=team_ids, status__in=UNSOLVED_STATUSES)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
