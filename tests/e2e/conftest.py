import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import uvicorn


@dataclass(frozen=True)
class AsgiServer:
    url: str


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def asgi_server(transactional_db) -> Iterator[AsgiServer]:
    """Okienko's ASGI application (HTTP and WebSockets) under uvicorn in a thread of this
    process, as ``okienko serve`` runs it: changes the test makes reach open pages through the
    same in-process channel layer as changes of the server's worker threads."""
    from okienko.asgi import application

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            application, host="127.0.0.1", port=port, lifespan="off", log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield AsgiServer(url=f"http://127.0.0.1:{port}")
    server.should_exit = True
    thread.join(timeout=10)


def sign_in(page, base_url: str, email: str, password: str) -> None:
    """Sign in to the workspace through its form, as an agent does."""
    page.goto(f"{base_url}/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Hasło").fill(password)
    page.get_by_role("button", name="Zaloguj się").click()
    page.get_by_role("heading", name="Moje otwarte").wait_for()


def phone_of(browser, page):
    """A phone-sized browser context signed in as ``page`` is (its cookies), for screenshots of
    the same pages as a phone shows them."""
    return browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        locale="pl-PL",
        timezone_id="Europe/Warsaw",
        storage_state=page.context.storage_state(),
    )


@pytest.fixture
def own_cache(settings):
    """Rate limits (help-center feedback, suggestions) counted in a cache of this test's own,
    not in a shared Redis."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"e2e-{uuid.uuid4().hex}",
        }
    }
