"""The admin pages of calendars and policies: hours in words, conditions as choices."""

import pytest
from django.test import Client

from okienko.accounts.choices import Role
from okienko.customers.selectors import tier_by_slug
from okienko.sla.actions import CalendarInput, do_save_calendar
from okienko.sla.models import Calendar, Policy
from okienko.testing.factories import make_agent, make_category

DAYS = {
    "day_0": "08:00-16:00",
    "day_1": "08:00-16:00",
    "day_2": "08:00-12:00, 13:00-17:00",
    "day_3": "08:00-16:00",
    "day_4": "08:00-16:00",
    "day_5": "",
    "day_6": "",
}


@pytest.fixture
def admin_client(db) -> Client:
    client = Client()
    client.force_login(make_agent(role=Role.ADMIN))
    return client


def test_an_admin_sets_business_hours_in_words(admin_client):
    page = admin_client.get("/admin/sla/calendar/add/").content.decode()
    assert 'value="08:00-16:00"' in page  # Monday to Friday offered
    response = admin_client.post(
        "/admin/sla/calendar/add/",
        {
            "name": "Biuro",
            "time_zone": "Europe/Warsaw",
            "country": "PL",
            "is_default": "on",
            **DAYS,
            "closed_days_text": "2026-12-31 Inwentaryzacja",
            "open_days_text": "2026-12-05 09:00-13:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    calendar = Calendar.objects.get(name="Biuro")
    assert calendar.hours["2"] == [["08:00", "12:00"], ["13:00", "17:00"]]
    assert "5" not in calendar.hours
    assert calendar.closed_days == [{"date": "2026-12-31", "name": "Inwentaryzacja"}]
    assert calendar.open_days == [{"date": "2026-12-05", "hours": [["09:00", "13:00"]]}]
    assert calendar.is_default
    again = admin_client.get(f"/admin/sla/calendar/{calendar.pk}/change/").content.decode()
    assert 'value="08:00-12:00, 13:00-17:00"' in again
    assert "2026-12-31 Inwentaryzacja" in again


def test_wrong_hours_are_shown_next_to_the_day(admin_client):
    response = admin_client.post(
        "/admin/sla/calendar/add/",
        {"name": "Zły", "time_zone": "Europe/Warsaw", "country": "PL", **DAYS, "day_0": "od ósmej"},
    )
    assert response.status_code == 200
    assert "08:00-16:00" in response.content.decode()
    response = admin_client.post(
        "/admin/sla/calendar/add/",
        {
            "name": "Zły",
            "time_zone": "Europe/Warsaw",
            "country": "PL",
            **DAYS,
            "day_0": "16:00-08:00",
        },
    )
    assert "ends before it starts" in response.content.decode()
    assert not Calendar.objects.exists()


def test_an_admin_builds_a_policy_with_conditions_and_targets(admin_client):
    calendar = do_save_calendar(
        data=CalendarInput(name="Biuro", hours={"0": [["08:00", "16:00"]]}, is_default=True)
    )
    orders = make_category(name="Zamówienia")
    response = admin_client.post(
        "/admin/sla/policy/add/",
        {
            "name": "B2B",
            "description": "Klienci biznesowi w 8 godzin roboczych",
            "position": "2",
            "is_active": "on",
            "channels": ["email", "web_form"],
            "tiers": [str(tier_by_slug("business").pk)],
            "categories": [str(orders.pk)],
            "tags": "Hurt, faktura",
            "calendar": str(calendar.pk),
            "warn_percent": "75",
            "targets-TOTAL_FORMS": "2",
            "targets-INITIAL_FORMS": "0",
            "targets-MIN_NUM_FORMS": "0",
            "targets-MAX_NUM_FORMS": "1000",
            "targets-0-priority": "normal",
            "targets-0-metric": "first_reply",
            "targets-0-minutes": "480",
            "targets-0-business_hours": "on",
            "targets-1-priority": "urgent",
            "targets-1-metric": "first_reply",
            "targets-1-minutes": "60",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    policy = Policy.objects.get(name="B2B")
    assert policy.conditions == {
        "channel": ["email", "web_form"],
        "tier": ["business"],
        "category": [orders.pk],
        "tag": ["faktura", "hurt"],
    }
    targets = {(t.priority, t.metric): (t.minutes, t.business_hours) for t in policy.targets.all()}
    assert targets == {
        ("normal", "first_reply"): (480, True),
        ("urgent", "first_reply"): (60, False),
    }
    page = admin_client.get(f"/admin/sla/policy/{policy.pk}/change/").content.decode()
    assert 'value="Hurt, faktura"' not in page  # stored normalised
    assert 'value="faktura, hurt"' in page


def test_a_target_of_zero_minutes_is_refused(admin_client):
    calendar = do_save_calendar(data=CalendarInput(name="Biuro", hours={"0": [["08:00", "16:00"]]}))
    response = admin_client.post(
        "/admin/sla/policy/add/",
        {
            "name": "Zero",
            "position": "0",
            "calendar": str(calendar.pk),
            "warn_percent": "75",
            "targets-TOTAL_FORMS": "1",
            "targets-INITIAL_FORMS": "0",
            "targets-MIN_NUM_FORMS": "0",
            "targets-MAX_NUM_FORMS": "1000",
            "targets-0-priority": "normal",
            "targets-0-metric": "first_reply",
            "targets-0-minutes": "0",
        },
    )
    assert response.status_code == 200
    assert not Policy.objects.exists()
