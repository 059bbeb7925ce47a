from collections.abc import Iterator

import pytest

from okienko.testing.dovecot import DovecotServer, dovecot_server
from okienko.testing.factories import make_chat_widget, make_team


@pytest.fixture
def dovecot(tmp_path) -> Iterator[DovecotServer]:
    """A private Dovecot for the test (tests using it skip without Dovecot, see test_imap)."""
    with dovecot_server(tmp_path) as server:
        yield server


@pytest.fixture
def team():
    """The team that answers the web chat."""
    return make_team(name="Czat sklepu")


@pytest.fixture
def widget(team):
    """A web chat inbox of ``team``, with its widget."""
    return make_chat_widget(name="Czat sklepu", team=team)
