import base64
import datetime
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from okienko.accounts.choices import Role
from okienko.customers.models import Customer, Identity
from okienko.testing.factories import (
    make_agent,
    make_customer,
    make_round_the_clock_policy,
    make_team,
    make_ticket,
    make_token,
)
from okienko.tickets.choices import EventKind, Status
from okienko.tickets.models import Message, Ticket, TicketEvent
from tests.api.conftest import ApiClient, assert_problem

NEW_TICKET = {
    "subject": "Gdzie jest moja paczka?",
    "message": "Zamówienie ZAM/2026/11/123 miało przyjść wczoraj.",
    "channel": "email",
    "requester": {"email": "Jan.Kowalski@Poczta.example", "name": "Jan Kowalski"},
}


@pytest.mark.django_db
def test_create_ticket_with_inline_requester_creates_customer(admin_api):
    response = admin_api.post("/tickets", NEW_TICKET)

    assert response.status_code == 201
    body = response.json()
    assert body["subject"] == "Gdzie jest moja paczka?"
    assert body["status"] == "new"
    assert body["channel"] == "email"
    assert body["number"] == body["id"]
    assert body["requester"]["name"] == "Jan Kowalski"
    identity = Identity.objects.get(address="jan.kowalski@poczta.example")
    assert identity.customer_id == body["requester"]["id"]
    message = Message.objects.get(ticket_id=body["id"])
    assert message.text == NEW_TICKET["message"]
    assert message.author_kind == "customer"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_created_ticket_is_answered_as_the_subscribers_left_it(admin_api):
    # Transactional: the subscribers run when the create commits, before the answer is made.
    make_round_the_clock_policy(first_reply_minutes=60)

    body = admin_api.post("/tickets", NEW_TICKET).json()

    stored = Ticket.objects.get(pk=body["id"])
    assert stored.sla_due_at is not None
    assert body["sla_due_at"] == stored.sla_due_at.isoformat().replace("+00:00", "Z")
    assert body["sla"]["targets"][0]["due_at"] == body["sla_due_at"]


@pytest.mark.django_db
def test_create_ticket_matches_existing_customer_by_email(admin_api):
    customer = make_customer(name="Jan Kowalski", email="jan.kowalski@poczta.example")

    response = admin_api.post("/tickets", NEW_TICKET)

    assert response.json()["requester"]["id"] == customer.pk
    assert Customer.objects.count() == 1


@pytest.mark.django_db
def test_a_ticket_for_a_known_requester_is_one_savepoint_and_one_write_on_postgresql(admin_api):
    make_customer(name="Jan Kowalski", email="jan.kowalski@poczta.example")

    with CaptureQueriesContext(connection) as captured:
        response = admin_api.post("/tickets", NEW_TICKET)

    assert response.status_code == 201, response.content
    # The test's own transaction turns the create's transaction into a savepoint; the ticket,
    # its message and its event take no savepoint of their own; on PostgreSQL they are one
    # statement.
    statements = Counter(query["sql"].split()[0] for query in captured.captured_queries)
    assert statements["SAVEPOINT"] == 1
    if connection.vendor == "postgresql":
        assert (statements["WITH"], statements["INSERT"]) == (1, 0)
    else:
        assert statements["INSERT"] == 3


@pytest.mark.django_db
def test_a_new_requester_and_a_ticket_refused_leave_no_customer_behind(admin_api):
    response = admin_api.post(
        "/tickets",
        {**NEW_TICKET, "subject": "   ", "requester": {"email": "nowa@poczta.example"}},
    )

    assert_problem(response, 422)
    assert not Identity.objects.filter(address="nowa@poczta.example").exists()


@pytest.mark.django_db
def test_agent_can_route_a_new_ticket_to_a_team_they_cannot_see(db):
    own_team, other_team = make_team(name="Sklep"), make_team(name="Hurt")
    agent = make_agent(role=Role.AGENT, teams=[own_team])
    api = ApiClient(make_token(agent))

    response = api.post("/tickets", {**NEW_TICKET, "team_id": other_team.pk})

    assert response.status_code == 201, response.content
    assert response.json()["team"] == {"id": other_team.pk, "name": "Hurt"}
    assert Ticket.objects.get(pk=response.json()["id"]).team_id == other_team.pk
    assert_problem(api.get(f"/tickets/{response.json()['id']}"), 404)


@pytest.mark.django_db
def test_create_ticket_with_assignee_team_tags_and_attachment(admin_api, admin):
    team = make_team(name="Reklamacje")
    payload = {
        **NEW_TICKET,
        "assignee_id": admin.pk,
        "team_id": team.pk,
        "priority": "high",
        "tags": ["Reklamacja", "vip"],
        "attachments": [
            {
                "filename": "zdjecie.jpg",
                "content_type": "image/jpeg",
                "content_base64": base64.b64encode(b"\xff\xd8jpeg").decode(),
            }
        ],
    }

    body = admin_api.post("/tickets", payload).json()

    assert body["status"] == "open"
    assert body["assignee"] == {"id": admin.pk, "name": "Anna Admin"}
    assert body["team"] == {"id": team.pk, "name": "Reklamacje"}
    assert body["tags"] == ["reklamacja", "vip"]
    messages = admin_api.get(f"/tickets/{body['id']}/messages").json()
    attachment = messages[0]["attachments"][0]
    assert attachment["filename"] == "zdjecie.jpg"
    assert attachment["size"] == 6
    download = admin_api.get(attachment["url"].removeprefix("/api/v1"))
    assert b"".join(download.streaming_content) == b"\xff\xd8jpeg"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({**NEW_TICKET, "subject": ""}, 422),
        ({**NEW_TICKET, "channel": "pigeon"}, 422),
        ({**NEW_TICKET, "priority": 5}, 422),
        ({k: v for k, v in NEW_TICKET.items() if k != "requester"}, 422),
        ({**NEW_TICKET, "requester": {"email": "not-an-address", "name": "X"}}, 422),
        ({**NEW_TICKET, "requester_id": 999999, "requester": None}, 404),
        ({**NEW_TICKET, "assignee_id": 999999}, 404),
        ({**NEW_TICKET, "attachments": [{"filename": "a", "content_base64": "%%%"}]}, 422),
    ],
)
def test_create_ticket_rejects_bad_input_and_creates_nothing(admin_api, payload, status):
    response = admin_api.post("/tickets", payload)

    assert_problem(response, status)
    assert Ticket.objects.count() == 0


@pytest.mark.django_db
def test_malformed_json_is_a_400_problem(admin_api):
    response = admin_api.client.post(
        "/api/v1/tickets",
        data="{not json",
        content_type="application/json",
        headers=admin_api.headers,
    )

    assert_problem(response, 400)


@pytest.mark.django_db
def test_missing_or_wrong_token_is_401(api_client):
    missing = api_client.get("/api/v1/tickets")
    wrong = api_client.get("/api/v1/tickets", headers={"Authorization": "Bearer okt_wrong"})

    assert_problem(missing, 401)
    assert_problem(wrong, 401)
    assert missing["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_idempotency_key_replays_the_first_response(admin_api):
    first = admin_api.post("/tickets", NEW_TICKET, **{"Idempotency-Key": "abc-1"})
    second = admin_api.post("/tickets", NEW_TICKET, **{"Idempotency-Key": "abc-1"})

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Ticket.objects.count() == 1


@pytest.mark.django_db
def test_idempotency_key_reused_with_another_body_is_refused(admin_api):
    admin_api.post("/tickets", NEW_TICKET, **{"Idempotency-Key": "abc-2"})

    response = admin_api.post(
        "/tickets", {**NEW_TICKET, "subject": "Inny temat"}, **{"Idempotency-Key": "abc-2"}
    )

    assert_problem(response, 422)
    assert Ticket.objects.count() == 1


@pytest.mark.django_db
def test_idempotency_keys_are_per_agent(admin_api):
    other = ApiClient(make_token(make_agent(role=Role.ADMIN)))

    admin_api.post("/tickets", NEW_TICKET, **{"Idempotency-Key": "shared"})
    other.post("/tickets", NEW_TICKET, **{"Idempotency-Key": "shared"})

    assert Ticket.objects.count() == 2


@pytest.mark.django_db
def test_failed_create_is_not_remembered_under_its_key(admin_api):
    admin_api.post(
        "/tickets", {**NEW_TICKET, "assignee_id": 999999}, **{"Idempotency-Key": "retry-me"}
    )

    response = admin_api.post("/tickets", NEW_TICKET, **{"Idempotency-Key": "retry-me"})

    assert response.status_code == 201
    assert Ticket.objects.count() == 1


@pytest.mark.django_db
def test_get_ticket_and_unknown_id(admin_api):
    ticket = make_ticket(subject="Faktura z NIP")

    assert admin_api.get(f"/tickets/{ticket.pk}").json()["subject"] == "Faktura z NIP"
    assert_problem(admin_api.get("/tickets/999999"), 404)


@pytest.mark.django_db
def test_agent_cannot_reach_another_teams_ticket(db):
    own_team, other_team = make_team(), make_team()
    agent = make_agent(teams=[own_team])
    api = ApiClient(make_token(agent))
    hidden = make_ticket(team=other_team)
    visible = make_ticket(team=own_team)

    assert_problem(api.get(f"/tickets/{hidden.pk}"), 404)
    assert_problem(api.patch(f"/tickets/{hidden.pk}", {"status": "solved"}), 404)
    assert_problem(api.post(f"/tickets/{hidden.pk}/messages", {"text": "hej"}), 404)
    assert_problem(api.get(f"/tickets/{hidden.pk}/events"), 404)
    assert [t["id"] for t in api.get("/tickets").json()["items"]] == [visible.pk]
    hidden.refresh_from_db()
    assert hidden.status == Status.NEW
    assert hidden.messages.count() == 1


@pytest.mark.django_db
def test_patch_changes_fields_and_records_events(admin_api, admin):
    team = make_team(name="Zamówienia")
    ticket = make_ticket()

    response = admin_api.patch(
        f"/tickets/{ticket.pk}",
        {
            "priority": "urgent",
            "assignee_id": admin.pk,
            "team_id": team.pk,
            "status": "pending",
            "tags": ["inpost"],
        },
    )

    body = response.json()
    assert (body["priority"], body["status"], body["tags"]) == ("urgent", "pending", ["inpost"])
    changed = list(
        TicketEvent.objects.filter(ticket=ticket, kind=EventKind.FIELD_CHANGED)
        .order_by("id")
        .values_list("field", "old_value", "new_value")
    )
    assert changed == [
        ("priority", "normal", "urgent"),
        ("team", None, {"id": team.pk, "name": "Zamówienia"}),
        ("assignee", None, {"id": admin.pk, "name": "Anna Admin"}),
        ("status", "new", "open"),
        ("tags", [], ["inpost"]),
        ("status", "open", "pending"),
    ]


@pytest.mark.django_db
def test_patch_null_unassigns(admin_api, admin):
    ticket = make_ticket(assignee=admin)

    body = admin_api.patch(f"/tickets/{ticket.pk}", {"assignee_id": None}).json()

    assert body["assignee"] is None


@pytest.mark.django_db
def test_patch_invalid_value_changes_nothing(admin_api):
    ticket = make_ticket()

    response = admin_api.patch(f"/tickets/{ticket.pk}", {"priority": "high", "status": "bogus"})

    assert_problem(response, 422)
    ticket.refresh_from_db()
    assert ticket.priority == "normal"
    assert ticket.events.count() == 1


@pytest.mark.django_db
def test_patch_closed_ticket_is_a_conflict(admin_api):
    ticket = make_ticket()
    admin_api.patch(f"/tickets/{ticket.pk}", {"status": "closed"})

    assert_problem(admin_api.patch(f"/tickets/{ticket.pk}", {"status": "open"}), 409)


@pytest.mark.django_db
def test_reply_note_and_customer_message(admin_api):
    ticket = make_ticket()

    reply = admin_api.post(
        f"/tickets/{ticket.pk}/messages",
        {"text": "Dzień dobry, już sprawdzamy.", "status": "pending"},
    )
    note = admin_api.post(
        f"/tickets/{ticket.pk}/messages", {"text": "Kurier zgubił paczkę", "is_public": False}
    )
    answer = admin_api.post(
        f"/tickets/{ticket.pk}/messages", {"text": "Dziękuję!", "author": "customer"}
    )

    assert reply.status_code == note.status_code == answer.status_code == 201
    assert (reply.json()["direction"], reply.json()["is_public"]) == ("outbound", True)
    assert (note.json()["direction"], note.json()["is_public"]) == ("internal", False)
    assert answer.json()["author_kind"] == "customer"
    body = admin_api.get(f"/tickets/{ticket.pk}").json()
    assert body["status"] == "open"
    assert body["reply_count"] == 1
    assert body["first_response_at"] is not None
    thread = admin_api.get(f"/tickets/{ticket.pk}/messages").json()
    assert [m["direction"] for m in thread] == ["inbound", "outbound", "internal", "inbound"]


@pytest.mark.django_db
def test_html_message_is_sanitised(admin_api):
    ticket = make_ticket()

    body = admin_api.post(
        f"/tickets/{ticket.pk}/messages",
        {
            "html": '<p onclick="steal()">Witam<script>alert(1)</script>'
            '<a href="javascript:alert(1)">link</a></p>',
        },
    ).json()

    assert "script" not in body["html"]
    assert "onclick" not in body["html"]
    assert "javascript:" not in body["html"]
    assert body["text"] == "Witamlink"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"text": ""}, 422),
        ({"text": "x", "author": "customer", "is_public": False}, 422),
        ({"text": "x", "is_public": False, "status": "solved"}, 422),
        ({"text": "x", "author": "robot"}, 422),
    ],
)
def test_bad_messages_are_refused(admin_api, payload, status):
    ticket = make_ticket()

    assert_problem(admin_api.post(f"/tickets/{ticket.pk}/messages", payload), status)
    assert ticket.messages.count() == 1


@pytest.mark.django_db
def test_events_endpoint_lists_history_in_order(admin_api):
    ticket = make_ticket()
    admin_api.patch(f"/tickets/{ticket.pk}", {"priority": "low"})

    events = admin_api.get(f"/tickets/{ticket.pk}/events").json()

    assert [e["kind"] for e in events] == ["created", "field_changed"]
    assert events[1]["actor_agent"]["name"] == "Anna Admin"
    assert events[0]["new_value"]["subject"] == ticket.subject


@pytest.mark.django_db
def test_merge_endpoint(admin_api):
    customer = make_customer()
    source, target = make_ticket(requester=customer), make_ticket(requester=customer)

    body = admin_api.post(f"/tickets/{source.pk}/merge", {"target_id": target.pk}).json()

    assert body["id"] == target.pk
    assert len(admin_api.get(f"/tickets/{target.pk}/messages").json()) == 2
    merged = admin_api.get(f"/tickets/{source.pk}").json()
    assert (merged["status"], merged["merged_into"]) == ("closed", target.pk)
    assert_problem(admin_api.post(f"/tickets/{target.pk}/merge", {"target_id": target.pk}), 422)


@pytest.mark.django_db
def test_list_filters_and_cursor_pagination(admin_api, admin):
    team = make_team()
    tickets = [make_ticket() for _ in range(5)]
    admin_api.patch(f"/tickets/{tickets[1].pk}", {"status": "pending", "team_id": team.pk})
    admin_api.patch(f"/tickets/{tickets[3].pk}", {"assignee_id": admin.pk, "tags": ["vip"]})

    def ids(query: str) -> list[int]:
        return [t["id"] for t in admin_api.get(f"/tickets?{query}").json()["items"]]

    assert ids("") == [t.pk for t in reversed(tickets)]
    assert ids("status=pending") == [tickets[1].pk]
    assert ids("status=pending&status=open") == [tickets[3].pk, tickets[1].pk]
    assert ids(f"team={team.pk}") == [tickets[1].pk]
    assert ids("assignee=me") == [tickets[3].pk]
    assert ids(f"assignee={admin.pk}") == [tickets[3].pk]
    assert len(ids("assignee=none")) == 4
    assert ids("tag=VIP") == [tickets[3].pk]
    assert ids(f"requester={tickets[0].requester_id}") == [tickets[0].pk]
    first = admin_api.get("/tickets?limit=2").json()
    second = admin_api.get(f"/tickets?limit=2&cursor={first['next_cursor']}").json()
    third = admin_api.get(f"/tickets?limit=2&cursor={second['next_cursor']}").json()
    pages = [first, second, third]
    assert [t["id"] for p in pages for t in p["items"]] == [t.pk for t in reversed(tickets)]
    assert third["next_cursor"] is None


@pytest.mark.django_db
def test_list_most_urgent_first_with_its_own_cursor(admin_api, live):
    make_round_the_clock_policy(first_reply_minutes=60)
    at = datetime.datetime(2026, 11, 16, 9, tzinfo=datetime.UTC)
    later = live(make_ticket, at=at + datetime.timedelta(hours=1))
    undated = live(make_ticket, priority="urgent", at=at)  # no urgent target: no deadline
    sooner = live(make_ticket, at=at)
    newest_first = admin_api.get("/tickets?limit=2").json()

    first = admin_api.get("/tickets?sort=due&limit=2").json()
    second = admin_api.get(f"/tickets?sort=due&limit=2&cursor={first['next_cursor']}").json()
    mixed = admin_api.get(f"/tickets?sort=due&limit=2&cursor={newest_first['next_cursor']}")

    assert [t["id"] for t in first["items"]] == [sooner.pk, later.pk]
    assert [t["sla_due_at"] for t in first["items"]] == [
        "2026-11-16T10:00:00Z",
        "2026-11-16T11:00:00Z",
    ]
    assert [t["id"] for t in second["items"]] == [undated.pk]
    assert second["items"][0]["sla_due_at"] is None
    assert second["next_cursor"] is None
    # A newest-first cursor means nothing in deadline order.
    assert assert_problem(mixed, 422)["errors"] == {"cursor": ["not a cursor we issued"]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=101",
        "cursor=zzz",
        "status=bogus",
        "assignee=someone",
        "team=abc",
        "sort=oldest",
        "sort=due&cursor=zzz",
    ],
)
def test_list_rejects_bad_query(admin_api, query):
    response = admin_api.get(f"/tickets?{query}")

    assert response.status_code in {400, 422}
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.django_db
def test_list_query_count_does_not_grow_with_page_size(admin_api, django_assert_max_num_queries):
    for _ in range(20):
        make_ticket(tags=["a", "b"])
    admin_api.get("/tickets?limit=1")  # the token's first use is stamped once

    # auth token lookup, tickets with joined relations, prefetched tags, prefetched SLA clocks
    with django_assert_max_num_queries(4):
        response = admin_api.get("/tickets?limit=20")

    assert len(response.json()["items"]) == 20


@pytest.mark.django_db
def test_thread_query_count_does_not_grow_with_messages(admin_api, django_assert_max_num_queries):
    ticket = make_ticket()
    for number in range(10):
        admin_api.post(f"/tickets/{ticket.pk}/messages", {"text": f"odpowiedź {number}"})
    add_attachment = {
        "text": "zdjęcie",
        "attachments": [
            {"filename": "a.png", "content_type": "image/png", "content_base64": "iVBORw=="}
        ],
    }
    admin_api.post(f"/tickets/{ticket.pk}/messages", add_attachment)

    # token, ticket, its tags, messages with authors, prefetched attachments
    with django_assert_max_num_queries(5):
        response = admin_api.get(f"/tickets/{ticket.pk}/messages")

    assert len(response.json()) == 12


@pytest.mark.django_db
def test_session_auth_works_for_signed_in_agents(admin):
    from django.test import Client

    client = Client()
    client.force_login(admin)

    assert client.get("/api/v1/tickets").status_code == 200
