import pytest
from django.test import Client

from okienko.accounts.choices import Role
from okienko.testing.factories import make_agent, make_team


@pytest.fixture
def orders_team(db):
    return make_team(name="Obsługa zamówień")


@pytest.fixture
def complaints_team(db):
    return make_team(name="Reklamacje")


@pytest.fixture
def agent(orders_team):
    return make_agent(role=Role.AGENT, name="Ola Agentka", teams=[orders_team])


@pytest.fixture
def agent_client(agent) -> Client:
    client = Client()
    client.force_login(agent)
    return client


@pytest.fixture
def admin_client(orders_team) -> Client:
    admin = make_agent(role=Role.ADMIN, name="Ada Admin", teams=[orders_team])
    client = Client()
    client.force_login(admin)
    return client


HTMX = {"HX-Request": "true"}


def rows(prefix: str, items: list[dict[str, object]]) -> dict[str, object]:
    """A builder's rows (a Django formset) as a submission."""
    data: dict[str, object] = {
        f"{prefix}-TOTAL_FORMS": str(len(items)),
        f"{prefix}-INITIAL_FORMS": "0",
    }
    for index, item in enumerate(items):
        for key, value in item.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data
