from collections.abc import Iterator

import pytest

from okienko.testing.dovecot import DovecotServer, dovecot_server


@pytest.fixture
def dovecot(tmp_path) -> Iterator[DovecotServer]:
    """A private Dovecot for the test (tests using it skip without Dovecot, see test_imap)."""
    with dovecot_server(tmp_path) as server:
        yield server
