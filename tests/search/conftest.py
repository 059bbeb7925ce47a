import pytest


@pytest.fixture
def indexed(live, tasks_run_at_once):
    """Call an action and let its events index what it changed, as a request and a worker
    would: ``indexed(make_ticket, subject=...)``."""
    return live
