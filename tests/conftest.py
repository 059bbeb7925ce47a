import faulthandler
import os
import shutil
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from okienko.core.events import DomainEvent, subscribe, unsubscribe

STRICT = os.environ.get("OKIENKO_TEST_STRICT") == "1"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Time a finished run may take to exit before it is taken for stuck.
EXIT_GRACE_SECONDS = 120


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Each pass runs what its configuration can: Redis tests in the scaled pass, PostgreSQL
    # tests on PostgreSQL. A missing browser in strict mode fails the tests instead.
    on_postgres = django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    for item in items:
        if "redis" in item.keywords and not django_settings.REDIS_URL:
            item.add_marker(pytest.mark.skip(reason="runs in the pass with OKIENKO_REDIS_URL"))
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="runs in the PostgreSQL pass"))
        if "e2e" in item.keywords and not os.path.exists(CHROMIUM) and not STRICT:
            item.add_marker(pytest.mark.skip(reason="Debian's chromium is not installed"))


def pytest_unconfigure(config: pytest.Config) -> None:
    # A thread still working when the tests end (a stuck job) keeps the process from exiting,
    # and CI would only see its time limit: print every thread's stack and fail instead.
    def stuck() -> None:
        faulthandler.dump_traceback(all_threads=True)
        os._exit(3)

    guard = threading.Timer(EXIT_GRACE_SECONDS, stuck)
    guard.daemon = True
    guard.start()


# Two teams of a shop and two agents of the first, for tests of who sees what.


@pytest.fixture
def orders(db):
    from okienko.testing.factories import make_team

    return make_team(name="Obsługa zamówień")


@pytest.fixture
def complaints(db):
    from okienko.testing.factories import make_team

    return make_team(name="Reklamacje")


@pytest.fixture
def ola(orders):
    from okienko.testing.factories import make_agent

    return make_agent(name="Ola Nowicka", teams=[orders])


@pytest.fixture
def jan(orders):
    from okienko.testing.factories import make_agent

    return make_agent(name="Jan Kowal", teams=[orders])


@pytest.fixture
def own_rate_limits(settings) -> None:
    """Rate limits count in the cache, which outlives a test's database: this test counts in a
    cache of its own (flushing a shared Redis would drop others' keys and queued tasks)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-{uuid.uuid4().hex}",
        }
    }


@pytest.fixture
def tasks_run_at_once() -> Iterator[None]:
    """Huey runs each task as it is queued, in the caller's thread."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield
    HUEY.immediate = False


@pytest.fixture(scope="session", autouse=True)
def _empty_redis_at_start() -> None:
    # The tests' Redis database (OKIENKO_TEST_REDIS_URL) is theirs alone, as the test database
    # is: emptied at the start of a run, so that an earlier run's rate limits (kept in the
    # cache for hours) do not refuse this run's requests, nor its queued tasks run here.
    if django_settings.REDIS_URL:
        from django.core.cache import cache

        cache.clear()  # FLUSHDB on Django's Redis cache


@pytest.fixture(autouse=True)
def _fresh_channel_layer_per_test():
    # A layer is bound to the event loop that used it: a test's server or communicator loop is
    # gone afterwards, and a Redis layer whose receive was cut off with it keeps a lock of that
    # dead loop, which every later test's consumers then fail on. Each test gets its own layer.
    from channels.layers import channel_layers

    from okienko.core import realtime

    channel_layers.backends.clear()
    realtime.bind_serving_loop(None)
    yield
    # Sends a test posted to the outbox go out before the next test's pages listen.
    realtime.flush()


@pytest.fixture(autouse=True)
def _install_language_per_test():
    # A request as an English-speaking agent leaves English active in the test's thread (a
    # server runs each request in its own context); each test starts in the install's language.
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _settings_reloaded_per_test():
    # Each test's database starts without the rules, policies and tiers an earlier test saved
    # and rolled back.
    from okienko.automation.selectors import forget_rules
    from okienko.customers.actions import forget_default_tier
    from okienko.sla.selectors import forget_policies

    forget_rules()
    forget_policies()
    forget_default_tier()


@pytest.fixture
def live(django_capture_on_commit_callbacks):
    """Call an action and run its after-commit subscribers (SLA, routing) as a request would."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


@pytest.fixture
def testdata() -> Path:
    """The shared test data folder named by OKIENKO_TESTDATA; skipped only outside strict runs."""
    configured = os.environ.get("OKIENKO_TESTDATA", "")
    if not configured:
        if STRICT:
            pytest.fail("OKIENKO_TESTDATA is not set and OKIENKO_TEST_STRICT=1")
        pytest.skip("OKIENKO_TESTDATA is not set")
    return Path(configured)


@pytest.fixture(autouse=True)
def _isolated_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


@pytest.fixture(autouse=True)
def _fast_password_hashing(request, settings):
    # Argon2 costs ~0.3 s a password by design; tests that are not about hashing skip that cost.
    if "real_password_hashing" not in request.keywords:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def published():
    """Every domain event dispatched while the test runs."""
    received: list[DomainEvent] = []

    def record(event: DomainEvent) -> None:
        received.append(event)

    subscribe("*")(record)
    yield received
    unsubscribe("*", record)


@pytest.fixture
def api_client() -> Client:
    return Client()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # test meanwhile are still plain synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser) -> Iterator[object]:
    context = browser.new_context(locale="pl-PL", timezone_id="Europe/Warsaw")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def returns_article():
    """One published help-center article (how to return goods) for the chat bot to offer."""
    from okienko.testing.factories import make_article, make_kb_category

    return make_article(
        title="Jak zwrócić towar",
        slug="jak-zwrocic-towar",
        body="Towar kupiony przez internet możesz zwrócić bez podania przyczyny w ciągu 14 "
        "dni od odbioru. Zgłoś zwrot na koncie: Moje zamówienia → Zwróć produkty.",
        category=make_kb_category(name="Zwroty", slug="zwroty"),
    )
