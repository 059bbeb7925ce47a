"""Issue 5's "Done when", in a real browser on the demo data: an admin sets a calendar and a
policy in the UI; the ticket shows its deadline from them; as the (controlled) clock runs, the
unanswered ticket warns, breaches, escalates and notifies — live, without reloading a page."""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from okienko.accounts.choices import Role
from okienko.accounts.models import Agent
from okienko.customers.models import Customer
from okienko.demo.load import load_demo
from okienko.routing.models import TeamRouting
from okienko.routing.selectors import least_loaded_supervisor
from okienko.sla.actions import do_sweep_sla
from okienko.sla.models import Policy
from okienko.tickets.actions import do_create_ticket
from okienko.tickets.choices import Channel, Priority
from tests.e2e.conftest import sign_in

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "okienko-demo-1"
TARGET_MINUTES = 60


def admin_sets_round_the_clock_policy(page, base_url: str, admin: Agent) -> None:
    page.goto(f"{base_url}/admin/login/?next=/admin/")
    page.fill("#id_username", admin.email)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.goto(f"{base_url}/admin/sla/calendar/add/")
    page.fill("#id_name", "Całodobowy")
    for weekday in range(7):
        page.fill(f"#id_day_{weekday}", "00:00-24:00")
    page.click("input[name=_save]")
    page.locator(".messagelist .success").wait_for()

    page.goto(f"{base_url}/admin/sla/policy/add/")
    page.fill("#id_name", "Pilne e-maile")
    page.fill("#id_position", "0")
    page.select_option("#id_channels", Channel.EMAIL)
    page.select_option("#id_priorities", Priority.URGENT)
    page.select_option("#id_calendar", label="Całodobowy")
    page.select_option("select[name='targets-0-priority']", Priority.URGENT)
    page.select_option("select[name='targets-0-metric']", "first_reply")
    page.fill("input[name='targets-0-minutes']", str(TARGET_MINUTES))
    page.uncheck("input[name='targets-0-business_hours']")
    page.click("input[name=_save]")
    page.locator(".messagelist .success").wait_for()


@pytest.mark.e2e
def test_an_unanswered_ticket_warns_breaches_escalates_and_notifies_live(asgi_server, browser):
    load_demo(customers=40, tickets=60)
    admin = Agent.objects.get(role=Role.ADMIN)
    agent = Agent.objects.filter(role=Role.AGENT, teams__isnull=False).order_by("pk").first()
    supervisor = least_loaded_supervisor()
    for person in (admin, agent, supervisor):
        person.set_password(PASSWORD)
        person.save()
    team = agent.teams.get()
    TeamRouting.objects.update_or_create(team=team, defaults={"escalate_on_breach": True})
    base = asgi_server.url
    contexts = [browser.new_context(locale="pl-PL", timezone_id="Europe/Warsaw") for _ in range(3)]
    admin_page, agent_page, supervisor_page = (context.new_page() for context in contexts)
    agent_page.set_viewport_size({"width": 1360, "height": 900})

    admin_sets_round_the_clock_policy(admin_page, base, admin)
    assert Policy.objects.get(name="Pilne e-maile").targets.get().minutes == TARGET_MINUTES

    # The customer wrote 50 minutes ago: 60 minutes round the clock leave 10.
    arrived = timezone.now() - datetime.timedelta(minutes=50)
    ticket = do_create_ticket(
        subject="Pilne: zamówienie 10277 nie dotarło na wesele",
        requester=Customer.objects.order_by("pk").first(),
        channel=Channel.EMAIL,
        text="Sukienka miała być wczoraj, ślub jest w sobotę. Proszę o pilną odpowiedź.",
        priority=Priority.URGENT,
        team=team,
        assignee=agent,
        acting_user=None,
        at=arrived,
    )
    due = timezone.localtime(arrived + datetime.timedelta(minutes=TARGET_MINUTES))

    sign_in(agent_page, base, agent.email, PASSWORD)
    agent_page.goto(f"{base}/tickets/{ticket.pk}/")
    sla_panel = agent_page.locator("#ticket-sla")
    sla_panel.get_by_text(due.strftime("%d.%m.%Y %H:%M")).wait_for()
    assert "Pilne e-maile" in sla_panel.inner_text()
    assert "Całodobowy" in sla_panel.inner_text()
    agent_page.wait_for_function("document.body.dataset.live === 'connected'")

    sign_in(supervisor_page, base, supervisor.email, PASSWORD)
    supervisor_page.goto(f"{base}/tickets/{ticket.pk}/")
    supervisor_page.wait_for_function("document.body.dataset.live === 'connected'")
    # Both are on the ticket: each sees the other.
    agent_page.locator("#collision").get_by_text(supervisor.name).wait_for()
    supervisor_page.locator("#collision").get_by_text(agent.name).wait_for()

    # 75% of the target has passed: the sweep warns the assignee, who sees it at once.
    assert do_sweep_sla(now=timezone.now()).warnings == 1
    toast = agent_page.locator(".toast").filter(has_text=f"Ostrzeżenie SLA w #{ticket.pk}")
    toast.wait_for()
    assert agent_page.locator("#bell .bell-count").inner_text() == "1"
    agent_page.locator("#ticket-history").get_by_text("Ostrzeżenie SLA").first.wait_for()
    agent_page.screenshot(path=str(SCREENSHOTS / "workspace-sla-warning.png"))

    # Eleven minutes on, the first reply is overdue: breach, escalation to the supervisor.
    later = timezone.now() + datetime.timedelta(minutes=11)
    assert do_sweep_sla(now=later).breaches == 1
    supervisor_page.locator(".toast").filter(has_text=f"Przekroczono SLA w #{ticket.pk}").wait_for()
    supervisor_page.locator("#ticket-header").get_by_text("Eskalacja").wait_for()
    agent_page.locator("#ticket-header").get_by_text("Eskalacja").wait_for()
    supervisor_page.screenshot(path=str(SCREENSHOTS / "workspace-sla-breach-escalated.png"))
    ticket.refresh_from_db()
    assert ticket.assignee_id == supervisor.pk
    assert ticket.escalation_count == 1

    supervisor_page.locator("#bell").click()
    supervisor_page.get_by_role("heading", name="Powiadomienia").wait_for()
    assert supervisor_page.get_by_text(f"Przekroczono SLA w #{ticket.pk}").count() == 1
    supervisor_page.screenshot(path=str(SCREENSHOTS / "workspace-notifications.png"))
    for context in contexts:
        context.close()
