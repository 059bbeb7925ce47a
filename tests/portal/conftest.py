import re
import uuid

import pytest
from django.core import mail
from django.test import Client

from okienko.portal.views import CUSTOMER_KEY
from okienko.testing.factories import make_customer

LINK = re.compile(r"http://\S+/portal/sign-in/(?P<token>[\w-]+)/")


@pytest.fixture(autouse=True)
def _fresh_rate_limits(settings):
    # Rate limits count in the cache, which outlives a test's database: each test counts in a
    # cache of its own (flushing a shared Redis would drop others' keys and queued tasks).
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"portal-test-{uuid.uuid4().hex}",
        }
    }


@pytest.fixture
def customer(db):
    return make_customer(name="Zofia Wójcik", email="zofia.wojcik@poczta.example")


def signed_in_client(customer) -> Client:
    client = Client()
    session = client.session
    session[CUSTOMER_KEY] = customer.pk
    session.save()
    return client


@pytest.fixture
def portal_client(customer) -> Client:
    return signed_in_client(customer)


def token_from_outbox() -> str:
    """The token of the sign-in link in the last e-mail sent."""
    match = LINK.search(mail.outbox[-1].body)
    assert match is not None
    return match.group("token")
