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


HTMX = {"HX-Request": "true"}
