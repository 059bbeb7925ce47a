import datetime
import io
import string

import pytest
from django.core.management import call_command

from okienko.accounts.models import Agent
from okienko.customers.models import Customer, Identity, Organisation
from okienko.customers.normalize import normalize_nip
from okienko.demo import texts
from okienko.demo.load import DEMO_PASSWORD, DemoAlreadyLoaded, load_demo
from okienko.demo.people import ADMIN_EMAIL
from okienko.demo.plan import plan_demo
from okienko.inboxes.models import Delivery
from okienko.testing.factories import make_customer
from okienko.tickets.choices import Channel, EventKind, Status
from okienko.tickets.models import Message, Ticket, TicketEvent

NOW = datetime.datetime(2026, 8, 20, 10, 30, tzinfo=datetime.UTC)
SMALL = {"customers": 20, "tickets": 60}
LOGIN_LINE = (
    "Login: http://127.0.0.1:8000/admin/  e-mail: admin@okienko.local  password: okienko-demo"
)
POLISH_LETTERS = set("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")


def _placeholders() -> dict[str, str]:
    keys = [
        "order", "date", "product", "amount", "parcel", "locker", "city", "street", "code",
        "rma", "company", "nip", "first", "full", "em", "bym", "y", "klient", "c_a", "c_y",
        "a_em", "agent", "to", "subject",
    ]  # fmt: skip
    return dict.fromkeys(keys, "x")


def test_every_template_fills_from_the_known_placeholders():
    values = _placeholders()
    templates = [
        text
        for scenario in texts.SCENARIOS
        for turn in (
            scenario.subjects,
            scenario.openings,
            scenario.replies,
            scenario.questions,
            scenario.answers,
            scenario.notes,
            scenario.holds,
            scenario.hold_notes,
        )
        for text in turn
    ]
    for group in (
        texts.GENERIC_HOLDS, texts.GENERIC_HOLD_NOTES, texts.NUDGES, texts.THANKS,
        texts.REOPENINGS, texts.REOPEN_REPLIES, texts.PHONE_NOTES, texts.TRANSFER_NOTES,
        texts.TEAM_TRANSFER_NOTES, texts.ESCALATION_NOTES, texts.MERGE_NOTES,
        texts.DUPLICATE_SUBJECTS, texts.DUPLICATE_OPENINGS, texts.CUSTOMER_SIGN_OFFS,
        texts.AGENT_SIGN_OFFS,
    ):  # fmt: skip
        templates += group
    rendered = [template.format_map(values) for template in templates]
    assert len(texts.SCENARIOS) >= 25
    assert all("{" not in text and "}" not in text for text in rendered)


def test_the_same_seed_gives_the_same_plan_and_another_seed_another():
    first = plan_demo(seed=7, now=NOW, **SMALL)
    again = plan_demo(seed=7, now=NOW, **SMALL)
    other = plan_demo(seed=8, now=NOW, **SMALL)
    assert first == again
    assert first.steps != other.steps


def test_plan_keeps_every_step_inside_the_last_90_days_in_order():
    plan = plan_demo(now=NOW)
    times = [step.at for step in plan.steps]
    assert len(plan.tickets) == 1000
    assert len(plan.customers) == 300
    assert times == sorted(times)
    assert times[0] > NOW - datetime.timedelta(days=90)
    assert times[-1] < NOW


@pytest.mark.django_db
def test_demo_loads_a_realistic_shop(published, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        summary = load_demo(seed=3, now=NOW, **SMALL)

    tickets = Ticket.objects.all()
    assert summary.tickets == 60
    assert tickets.count() == 60
    assert Customer.objects.count() == 20
    assert set(tickets.values_list("status", flat=True)) == set(Status.values)
    assert {Channel.EMAIL, Channel.CHAT, Channel.WEB_FORM, Channel.PHONE} <= set(
        tickets.values_list("channel", flat=True)
    )
    created = TicketEvent.objects.filter(kind=EventKind.CREATED)
    assert created.count() == 60
    assert set(created.values_list("ticket_id", flat=True)) == set(
        tickets.values_list("id", flat=True)
    )
    # A merged duplicate hands its messages over to the ticket it was merged into.
    merged = tickets.filter(merged_into__isnull=False)
    assert merged.count() == 1
    assert all(ticket.messages.exists() for ticket in tickets.exclude(pk__in=merged))
    assert Message.objects.filter(is_public=False).exists()
    assert Message.objects.filter(created_at__gte=NOW).count() == 0
    names = " ".join(Customer.objects.values_list("name", flat=True))
    assert POLISH_LETTERS & set(names)
    nips = list(Organisation.objects.values_list("nip", flat=True))
    assert nips
    assert [normalize_nip(nip) for nip in nips] == nips
    assert Identity.objects.filter(kind="phone", address__startswith="+48").exists()
    admin = Agent.objects.get(email=ADMIN_EMAIL)
    assert admin.check_password(DEMO_PASSWORD)
    assert Agent.objects.get(email="anna.kowalska@okienko.local").check_password(DEMO_PASSWORD)
    assert Agent.objects.count() == 10
    # History, not live activity: nothing is e-mailed, no event goes out.
    assert published == []
    assert Delivery.objects.count() == 0


@pytest.mark.django_db
def test_ticket_history_is_chronological():
    load_demo(seed=3, now=NOW, **SMALL)

    for ticket in Ticket.objects.exclude(merged_into__isnull=False):
        events = list(ticket.events.order_by("id").values_list("created_at", flat=True))
        messages = list(ticket.messages.order_by("id").values_list("created_at", flat=True))
        assert events == sorted(events)
        assert events[0] == ticket.created_at
        assert all(ticket.created_at <= at < NOW for at in messages)


@pytest.mark.django_db
def test_loading_twice_refuses_and_adds_nothing():
    load_demo(seed=3, now=NOW, **SMALL)
    counts = (Ticket.objects.count(), Customer.objects.count(), Agent.objects.count())

    with pytest.raises(DemoAlreadyLoaded):
        load_demo(seed=3, now=NOW, **SMALL)

    assert (Ticket.objects.count(), Customer.objects.count(), Agent.objects.count()) == counts


@pytest.mark.django_db
def test_demo_refuses_an_install_that_has_customers():
    make_customer(name="Prawdziwy Klient")

    with pytest.raises(DemoAlreadyLoaded):
        load_demo(seed=3, now=NOW, **SMALL)

    assert not Agent.objects.filter(email=ADMIN_EMAIL).exists()
    assert Customer.objects.count() == 1


@pytest.mark.django_db
def test_demo_command_prints_progress_summary_and_login():
    out = io.StringIO()

    call_command("demo", customers=20, tickets=60, stdout=out)

    output = out.getvalue()
    assert "tickets: 60/60" in output
    assert LOGIN_LINE in output.splitlines()
    assert Ticket.objects.count() == 60


@pytest.mark.django_db
def test_demo_command_run_twice_says_so_and_succeeds():
    call_command("demo", customers=20, tickets=60, stdout=io.StringIO())
    out = io.StringIO()

    call_command("demo", customers=20, tickets=60, stdout=out)

    assert "already loaded" in out.getvalue()
    assert Ticket.objects.count() == 60


def test_agent_emails_are_plain_ascii():
    plan = plan_demo(now=NOW, **SMALL)
    allowed = set(string.ascii_lowercase + string.digits + ".@-")
    assert all(set(agent.email) <= allowed for agent in plan.agents)
    assert "lukasz.kaminski@okienko.local" in {agent.email for agent in plan.agents}
